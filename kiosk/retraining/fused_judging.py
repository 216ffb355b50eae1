"""What a child hears from the CNN is its answer fused with the stroke model's: the night judges that answer too.

The stroke model does not change in the night (docs/retraining.md says why). A retrained CNN is compared with
the current one on the children's held-out drawings as the kiosk answers them: the CNN's probabilities fused
with the stroke model's by the kiosk's own geometric mean (kiosk/recognition/fusion.py), best guess, drawing by
drawing. A CNN that is better alone but worse fused is refused like any other loss beyond noise.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.errors import EmptyDrawing, ModelRunError
from kiosk.recognition.fusion import fuse
from kiosk.recognition.model_contract import STROKE_CLASSES
from kiosk.recognition.preprocess import clean_strokes
from kiosk.recognition.recognizer import ModelLimits
from kiosk.recognition.stroke_channels import stroke_channels, to_stroke_input
from kiosk.recognition.stroke_model import load_stroke_model

log = logging.getLogger(__name__)
BATCH = 25  # drawings per stroke-model run: small activations on a Pi


@dataclass(frozen=True)
class StrokeReadings:
    """The stroke model's answer to each held-out drawing, and its share in the kiosk's fusion."""

    probabilities: np.ndarray  # (N, 11): ten digits and "not a number"
    stroke_weight: float

    def subset(self, keep: np.ndarray) -> "StrokeReadings":
        return StrokeReadings(self.probabilities[keep], self.stroke_weight)


def read_strokes(drawings: list, model_dir: Path, limits: ModelLimits = ModelLimits()) -> StrokeReadings | None:
    """The kiosk's stroke model (proved as the kiosk proves it) on each drawing's strokes; None without a usable
    one (the CNN is then judged alone, as the kiosk then answers with it alone). A drawing whose strokes were
    lost gets no say (even probabilities: the fused answer is the CNN's)."""
    model = load_stroke_model(model_dir, limits)
    if model is None:
        return None
    rows = np.full((len(drawings), STROKE_CLASSES), 1 / STROKE_CLASSES, np.float32)
    for start in range(0, len(drawings), BATCH):
        channels, places = [], []
        for place, strokes in enumerate(drawings[start:start + BATCH], start):
            try:
                channels.append(stroke_channels(clean_strokes(strokes))[1])
                places.append(place)
            except (EmptyDrawing, ValueError):
                continue
        if not channels:
            continue
        try:
            rows[places] = model.run(to_stroke_input(np.stack(channels)))
        except ModelRunError as error:
            log.error("the stroke model failed on the held-out drawings (%s): the CNN is judged alone", error)
            return None
    return StrokeReadings(rows, model.rule.stroke_weight)


def fused_answers(image_probabilities: np.ndarray, readings: StrokeReadings) -> np.ndarray:
    """The kiosk's fused best guess (N,) from the CNN's (N, 10) probabilities and the stroke model's readings."""
    return fuse(image_probabilities, readings.probabilities, readings.stroke_weight).argmax(axis=1)
