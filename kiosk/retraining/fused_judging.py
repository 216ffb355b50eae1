"""What a child hears from the CNN is its answer fused with the stroke model's: the night judges that answer too.

A retrained CNN (and the stroke model retrained beside it, stroke_head.py) is compared with the current pair on
the children's held-out drawings as the kiosk answers them: the CNN's probabilities fused with the stroke
model's by the kiosk's own geometric mean (kiosk/recognition/fusion.py), best guess, drawing by drawing. A CNN
that is better alone but worse fused is refused like any other loss beyond noise.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition import model_contract as contract
from kiosk.recognition.fusion import fuse
from kiosk.recognition.preprocess import clean_strokes
from kiosk.recognition.runtime import ort
from kiosk.recognition.stroke_channels import stroke_channels

BATCH = 25  # drawings per stroke-model run: small activations on a Pi
StrokeRun = Callable[[np.ndarray], np.ndarray]  # float32 (N, 7, 28, 28) -> (N, 11)


@dataclass(frozen=True)
class StrokeReadings:
    """A stroke model's answer to each held-out drawing, and its share in the kiosk's fusion."""

    probabilities: np.ndarray  # (N, 11): ten digits and "not a number"
    stroke_weight: float


@dataclass(frozen=True)
class HeldOutStrokes:
    """The held-out drawings as the stroke model sees them; a drawing whose strokes were lost has none."""

    channels: np.ndarray  # (M, 7, 28, 28) float32, for the drawings that have strokes
    has_strokes: np.ndarray  # (N,) bool

    @classmethod
    def of(cls, drawings: list) -> "HeldOutStrokes":
        channels, origin = channels_of(drawings)
        has = np.zeros(len(drawings), bool)
        has[origin] = True
        return cls(channels, has)

    def read_by(self, run: StrokeRun, stroke_weight: float) -> StrokeReadings:
        """A stroke model's readings; a drawing without strokes gets no say (even probabilities: the fused
        answer is the CNN's)."""
        out = np.full((len(self.has_strokes), contract.STROKE_CLASSES), 1 / contract.STROKE_CLASSES, np.float32)
        if len(self.channels):
            out[self.has_strokes] = run_in_batches(run, self.channels)
        return StrokeReadings(out, stroke_weight)


def jittered(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """The strokes turned (up to 8 degrees), stretched (0.9-1.1 per axis) and sheared (up to 0.15) about their
    centre: the same drawing by a slightly different hand, with the same order and direction."""
    points = np.concatenate(strokes)
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    angle = np.deg2rad(rng.uniform(-8, 8))
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    shape = np.array([[rng.uniform(0.9, 1.1), rng.uniform(-0.15, 0.15)], [0.0, rng.uniform(0.9, 1.1)]])
    matrix = turn @ shape
    return [(s - centre) @ matrix.T + centre for s in strokes]


def channels_of(drawings: list, copies: int = 0,
                rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(M, 7, 28, 28) float32 channels of each drawing and of `copies` jittered copies of it, and the index (M,)
    of the drawing each row came from. A drawing without usable strokes gives no rows."""
    rows, origin = [], []
    for index, strokes in enumerate(drawings):
        try:
            cleaned = clean_strokes(strokes)
            versions = [cleaned] + [jittered(cleaned, rng) for _ in range(copies)]
            rows += [stroke_channels(version)[1] for version in versions]
        except (EmptyDrawing, ValueError):
            continue
        origin += [index] * len(versions)
    if not rows:
        return np.zeros((0, *contract.STROKE_INPUT_SHAPE), np.float32), np.zeros(0, np.int64)
    return np.stack(rows), np.array(origin, np.int64)


def run_in_batches(run: StrokeRun, channels: np.ndarray) -> np.ndarray:
    return np.concatenate([run(channels[i:i + BATCH]) for i in range(0, len(channels), BATCH)])


def file_runner(model: bytes | str | Path) -> StrokeRun:
    """onnxruntime on a stroke model's file or bytes (what would be promoted), nothing kept between runs."""
    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = False
    session = ort.InferenceSession(model if isinstance(model, bytes) else str(model), options,
                                   providers=["CPUExecutionProvider"])
    return lambda batch: session.run([contract.OUTPUT_NAME], {contract.STROKE_INPUT_NAME: batch})[0]


def fused_answers(image_probabilities: np.ndarray, readings: StrokeReadings) -> np.ndarray:
    """The kiosk's fused best guess (N,) from the CNN's (N, 10) probabilities and a stroke model's readings."""
    return fuse(image_probabilities, readings.probabilities, readings.stroke_weight).argmax(axis=1)
