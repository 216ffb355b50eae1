"""A network is a list of layers; learning is cross-entropy, backpropagation and Adam, as the trainer does it.

The two kinds match trainer/models.py as the kiosk receives them (batch norm folded into the
convolutions by the exporter):
  mlp: Flatten, Linear, ReLU, Dropout, Linear
  cnn: Conv, ReLU, Pool, Conv, ReLU, Conv, ReLU, Pool, Conv, ReLU, Pool, Flatten,
       Dropout, Linear, ReLU, Dropout, Linear
The live training's CNN (small_cnn) is shorter, to learn within a child's patience:
       Conv, Pool, ReLU, Conv, Pool, ReLU, Flatten, Dropout, Linear, ReLU, Dropout, Linear
Images come in as the model contract has them: float32 (N, 1, 28, 28) in [0, 1]. The network's
output is logits; probabilities() adds the softmax the ONNX files end with.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.learning.layers import DTYPE, ChannelsLast, Conv2d, Dropout, Flatten, Layer, Linear, MaxPool2, Param, ReLU
from kiosk.recognition.model_contract import IMAGE_SIZE, NUM_CLASSES

PIXELS = IMAGE_SIZE * IMAGE_SIZE


class Network:
    def __init__(self, kind: str, layers: list[Layer]):
        self.kind, self.layers = kind, layers

    @property
    def params(self) -> list[Param]:
        return [p for layer in self.layers for p in layer.params]

    def count_parameters(self) -> int:
        return sum(p.value.size for p in self.params)

    def forward(self, images: np.ndarray, training: bool = False, rng: np.random.Generator | None = None) -> np.ndarray:
        x = np.asarray(images, dtype=DTYPE)
        for layer in self.layers:
            x = layer.forward(x, training, rng)
        return x

    def backward(self, grad: np.ndarray) -> None:
        """Add the gradients of the loss to every Param.grad (from dLoss/dLogits)."""
        last = len(self.layers) - 1
        first_with_params = next(i for i, layer in enumerate(self.layers) if layer.params)
        for index in range(last, first_with_params - 1, -1):
            # nothing before the first weights needs a gradient: skip its (costly) input gradient
            grad = self.layers[index].backward(grad, need_input_grad=index > first_with_params)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad.fill(0)

    def probabilities(self, images: np.ndarray, batch_size: int = 200) -> np.ndarray:
        """Softmax outputs (N, 10) in inference mode, in batches so memory stays small."""
        out = [softmax(self.forward(images[i:i + batch_size])) for i in range(0, len(images), batch_size)]
        for layer in self.layers:
            layer.forget()
        return np.concatenate(out) if out else np.zeros((0, NUM_CLASSES), DTYPE)

    def accuracy(self, images: np.ndarray, labels: np.ndarray, batch_size: int = 200) -> float:
        if len(labels) == 0:
            return float("nan")
        return float((self.probabilities(images, batch_size).argmax(axis=1) == labels).mean())


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy (torch's F.cross_entropy) and its gradient with respect to the logits."""
    count = len(labels)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    loss = float(np.mean(log_sum - shifted[np.arange(count), labels]))
    grad = np.exp(shifted - log_sum[:, None])
    grad[np.arange(count), labels] -= 1.0
    return loss, (grad / count).astype(DTYPE)


@dataclass
class Adam:
    """torch.optim.Adam with its defaults (betas 0.9, 0.999; eps 1e-8; no weight decay), same arithmetic."""

    params: list[Param]
    learning_rate: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        self.steps = 0
        self._m = [np.zeros_like(p.value) for p in self.params]
        self._v = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        self.steps += 1
        correction1 = 1.0 - self.beta1 ** self.steps
        correction2_sqrt = np.sqrt(1.0 - self.beta2 ** self.steps)
        step_size = DTYPE(self.learning_rate / correction1)
        for p, m, v in zip(self.params, self._m, self._v):
            m += (p.grad - m) * DTYPE(1.0 - self.beta1)  # torch: exp_avg.lerp_(grad, 1 - beta1)
            v *= DTYPE(self.beta2)
            v += DTYPE(1.0 - self.beta2) * p.grad * p.grad
            p.value -= step_size * (m / (np.sqrt(v) / DTYPE(correction2_sqrt) + DTYPE(self.eps)))


def train_step(network: Network, optimizer: Adam, images: np.ndarray, labels: np.ndarray,
               rng: np.random.Generator, micro_batch: int | None = None) -> tuple[float, int]:
    """One step of learning on a batch: returns the batch's loss and how many it got right (before the step).

    micro_batch: work through the batch this many images at a time, adding up their gradients (the same
    step, with a fraction of the memory: a CNN's activations for 128 images take about 250 MB)."""
    network.zero_grad()
    size = micro_batch or len(labels)
    total_loss, right = 0.0, 0
    for start in range(0, len(labels), size):
        chunk = slice(start, start + size)
        logits = network.forward(images[chunk], training=True, rng=rng)
        loss, grad = cross_entropy(logits, labels[chunk])
        share = len(logits) / len(labels)  # each part's mean loss counts by its share of the batch
        network.backward(grad * DTYPE(share))
        total_loss += loss * share
        right += int((logits.argmax(axis=1) == labels[chunk]).sum())
    optimizer.step()
    return total_loss, right


def mlp(hidden_units: int, dropout_rate: float, rng: np.random.Generator) -> Network:
    """The seed's MLP, freshly initialised as torch would."""
    return Network("mlp", [
        Flatten(channels_last=False),
        Linear.random(PIXELS, hidden_units, rng), ReLU(), Dropout(dropout_rate),
        Linear.random(hidden_units, NUM_CLASSES, rng),
    ])


def cnn(dropout_rate: float, rng: np.random.Generator, channels: tuple[int, int, int] = (32, 64, 128),
        fc_units: int = 128) -> Network:
    """The trainer's CNN shape (without batch norm), freshly initialised; smaller channels train faster."""
    c1, c2, c3 = channels
    side = IMAGE_SIZE // 2 // 2 // 2  # three poolings: 28 -> 14 -> 7 -> 3
    return Network("cnn", [
        ChannelsLast(),
        Conv2d.random(1, c1, 3, rng), ReLU(), MaxPool2(),
        Conv2d.random(c1, c2, 3, rng), ReLU(), Conv2d.random(c2, c2, 3, rng), ReLU(), MaxPool2(),
        Conv2d.random(c2, c3, 3, rng), ReLU(), MaxPool2(),
        Flatten(channels_last=True),
        Dropout(dropout_rate), Linear.random(c3 * side * side, fc_units, rng), ReLU(),
        Dropout(dropout_rate), Linear.random(fc_units, NUM_CLASSES, rng),
    ])


def small_cnn(dropout_rate: float, rng: np.random.Generator, channels: tuple[int, int] = (8, 16),
              fc_units: int = 64) -> Network:
    """Two convolutions, for the live training: about a quarter of the trainer's shape's work per image.

    Each pooling comes before its ReLU: the same function (max and ReLU commute), with the ReLU on a
    quarter of the numbers."""
    c1, c2 = channels
    side = IMAGE_SIZE // 2 // 2  # two poolings: 28 -> 14 -> 7
    return Network("cnn", [
        ChannelsLast(),
        Conv2d.random(1, c1, 3, rng), MaxPool2(), ReLU(),
        Conv2d.random(c1, c2, 3, rng), MaxPool2(), ReLU(),
        Flatten(channels_last=True),
        Dropout(dropout_rate), Linear.random(c2 * side * side, fc_units, rng), ReLU(),
        Dropout(dropout_rate), Linear.random(fc_units, NUM_CLASSES, rng),
    ])
