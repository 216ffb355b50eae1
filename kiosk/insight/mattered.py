"""What made it say 7: how much each dot of the drawing pushed the network towards its answer.

Gradient times input (the engine's backward pass from the answer's score down to the picture): a dot
with no ink counts for nothing, an inked dot counts as much as its ink raised the answer's score. Spread
over its 3x3 neighbours so whole parts of strokes light up, not single dots. One backward pass: a few ms.
tests/kiosk/insight/test_mattered.py holds it honest: erasing the part it marks changes the answer more
often than erasing a part of the same size elsewhere on the ink.
"""

from __future__ import annotations

import numpy as np

from kiosk.learning.layers import DTYPE, Conv2d, Linear
from kiosk.learning.network import Network
from kiosk.recognition.model_contract import IMAGE_SIZE, NUM_CLASSES
from kiosk.recognition.preprocess import to_model_input


def mattered_map(network: Network, image: np.ndarray, answer: int) -> np.ndarray:
    """(28, 28) float32 in [0, 1] for a (28, 28) uint8 picture: 1 where the ink mattered most for answer."""
    x = to_model_input(image)  # (1, 1, 28, 28)
    network.forward(x)
    return mattered_after_forward(network, x, answer)


def mattered_after_forward(network: Network, x: np.ndarray, answer: int,
                           turned: dict[int, Conv2d] | None = None) -> np.ndarray:
    """mattered_map for the input x (1, 1, 28, 28) the network's last forward pass ran on (turned: the
    network's turned_convolutions, made once)."""
    turned = turned_convolutions(network) if turned is None else turned
    grad = np.zeros((1, NUM_CLASSES), DTYPE)
    grad[0, answer] = 1.0  # the answer's score (its logit), before the softmax shares it out
    for index in range(len(network.layers) - 1, -1, -1):
        grad = input_gradient(network.layers[index], grad, turned.get(index))
    evidence = np.maximum(grad.reshape(IMAGE_SIZE, IMAGE_SIZE) * x.reshape(IMAGE_SIZE, IMAGE_SIZE), 0)
    spread = _box3(evidence)
    top = float(spread.max())
    return (spread / top).astype(DTYPE) if top > 0 else np.zeros_like(spread, dtype=DTYPE)


def turned_convolutions(network: Network) -> dict[int, Conv2d]:
    """For each convolution (by its place in the network), the one that carries gradients back to its input:
    its kernel turned half a circle, inputs and outputs swapped, no bias (a look reuses them: Brain keeps them)."""
    return {index: Conv2d(np.ascontiguousarray(layer.weight.value[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)),
                          np.zeros(layer.in_channels, DTYPE))
            for index, layer in enumerate(network.layers) if isinstance(layer, Conv2d)}


def input_gradient(layer, grad: np.ndarray, turned: Conv2d | None = None) -> np.ndarray:
    """The gradient with respect to a layer's input, and nothing else: a look learns nothing, so the weighted
    layers' own backward (which also adds up their weights' gradients, most of its cost) is not called."""
    if isinstance(layer, Linear):
        return grad @ layer.weight.value
    if isinstance(layer, Conv2d):
        return (turned or turned_convolutions(Network("cnn", [layer]))[0]).forward(grad, False, None)
    return layer.backward(grad, need_input_grad=True)  # ReLU, pooling, dropout, reshapes: no weights


def _box3(values: np.ndarray) -> np.ndarray:
    """The mean of each dot's 3x3 neighbourhood (zeros outside)."""
    padded = np.pad(values, 1)
    return sum(padded[i : i + IMAGE_SIZE, j : j + IMAGE_SIZE] for i in range(3) for j in range(3)) / 9.0


def top_part(mattered: np.ndarray, image: np.ndarray, share: float) -> np.ndarray:
    """The inked dots (over half bright) that mattered most, share of them: a (28, 28) bool mask."""
    ink = image > 127
    count = max(1, int(round(ink.sum() * share)))
    order = np.argsort(np.where(ink, mattered, -1.0), axis=None)[::-1][:count]
    mask = np.zeros(image.size, bool)
    mask[order] = True
    return mask.reshape(image.shape) & ink


def glow_along(points_28: list[np.ndarray], mattered: np.ndarray) -> list[np.ndarray]:
    """How much each point of each stroke mattered (0..1), for strokes already put on the 28x28 picture as
    (N, 2) pixel (x, y) (kiosk/recognition/preprocess.image_and_frame): the map read under each point."""
    glow = []
    for stroke in points_28:
        cols = np.clip(np.round(stroke[:, 0]).astype(int), 0, IMAGE_SIZE - 1)
        rows = np.clip(np.round(stroke[:, 1]).astype(int), 0, IMAGE_SIZE - 1)
        glow.append(mattered[rows, cols])
    return glow
