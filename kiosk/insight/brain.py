"""A model file read into the kiosk's numpy engine, and one look inside it on a drawing.

The weights come from the file the recognizer answers with (read again when the file changes), never from a
copy that could disagree. A look runs the drawing through the engine once, keeping every layer's output after
its ReLU (the "lights"), then goes back once for what mattered (kiosk/insight/mattered.py).
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

from kiosk.insight.mattered import mattered_after_forward, turned_convolutions
from kiosk.learning.layers import Conv2d, Linear, ReLU
from kiosk.learning.network import Network, softmax
from kiosk.learning.onnx_io import read_onnx
from kiosk.recognition.model_contract import IMAGE_SIZE
from kiosk.recognition.preprocess import to_model_input


@dataclass(frozen=True)
class Lights:
    """One layer's units after its ReLU: how strongly each one fires (0: dark)."""

    values: np.ndarray  # a convolution's (C, H, W) feature maps, or a dense layer's (units,)

    @property
    def spatial(self) -> bool:
        return self.values.ndim == 3


@dataclass(frozen=True)
class Look:
    """What the network did with one drawing: its lights layer by layer, its votes, what mattered."""

    image: np.ndarray  # (28, 28) uint8: what it saw
    layers: tuple[Lights, ...]  # one per ReLU of the graph, in the graph's order
    votes: np.ndarray  # (10,) float32 probabilities, the file's softmax
    mattered: np.ndarray  # (28, 28) float32 in [0, 1]: how much each dot made the answer

    @property
    def answer(self) -> int:
        return int(np.argmax(self.votes))


class Brain:
    """A digit model in the engine, to look inside it; kind is "mlp" or "cnn"."""

    def __init__(self, network: Network):
        self.network = network
        self.kind = network.kind
        self._turned = turned_convolutions(network)  # what carries the answer's gradient back through each conv
        # One BLAS thread: these matrices are small, and OpenBLAS's threads spinning beside the kiosk's loop made a
        # CNN look 80-90 ms instead of 5 on a busy 2-core machine (benchmarks insight runs without taskset too).
        self._blas = ThreadpoolController()

    @classmethod
    def read(cls, path: str | Path) -> "Brain":
        """The model file at path (a shipped, an explorer's or a visitor's own); ModelLoadError if it cannot be."""
        network, _, _ = read_onnx(Path(path))
        return cls(network)

    def look(self, image: np.ndarray) -> Look:
        """Every layer's lights, the votes and what mattered for a (28, 28) uint8 picture."""
        with self._blas.limit(limits=1):
            return self._look(image)

    def _look(self, image: np.ndarray) -> Look:
        picture = to_model_input(image)  # (1, 1, 28, 28) float32
        layers, x = [], picture
        for layer in self.network.layers:
            x = layer.forward(x, False, None)
            if isinstance(layer, ReLU):
                values = x[0].transpose(2, 0, 1) if x.ndim == 4 else x[0]  # channels-last -> (C, H, W)
                layers.append(Lights(np.array(values)))
        votes = softmax(x)[0]
        mattered = mattered_after_forward(self.network, picture, int(np.argmax(votes)), self._turned)
        return Look(image, tuple(layers), votes, mattered)

    def first_filters(self) -> np.ndarray | None:
        """The first convolution's kernels (C, k, k): the little stroke detectors; None for an MLP."""
        conv = next((layer for layer in self.network.layers if isinstance(layer, Conv2d)), None)
        return None if conv is None else conv.weight.value[:, 0]

    def looks_for(self, unit: int) -> np.ndarray:
        """What a hidden unit of an MLP looks for: its 784 incoming weights as a (28, 28) picture."""
        first = next(layer for layer in self.network.layers if isinstance(layer, Linear))
        return first.weight.value[unit].reshape(IMAGE_SIZE, IMAGE_SIZE)


class BrainShelf:
    """One Brain per model file, read again when the file changes (a visitor's new brain, a retrained model).

    reading(path) reads beside the caller, on one worker thread, and hands back a Future."""

    def __init__(self):
        self._shelf: dict[str, tuple[tuple[int, int], Brain]] = {}
        self._worker: ThreadPoolExecutor | None = None

    def has(self, path: str | Path) -> bool:
        """Whether path's brain is read and its file unchanged (brain(path) then returns at once)."""
        kept = self._shelf.get(str(path))
        return kept is not None and kept[0] == _stamp(path)

    def brain(self, path: str | Path) -> Brain:
        stamp = _stamp(path)
        kept = self._shelf.get(str(path))
        if kept is None or kept[0] != stamp:
            kept = (stamp, Brain.read(path))
            self._shelf[str(path)] = kept
        return kept[1]

    def reading(self, path: str | Path) -> Future:
        """brain(path) as a Future: done at once when the shelf has it, else read on the worker thread."""
        if self.has(path):
            done: Future = Future()
            done.set_result(self.brain(path))
            return done
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brain-shelf")
        return self._worker.submit(self.brain, path)


def _stamp(path: str | Path) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1)  # gone: brain() says why
    return stat.st_mtime_ns, stat.st_size
