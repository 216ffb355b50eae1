"""The retraining simulation's measure of what a child hears: the CNN fused with a stroke model that none of the
new writers trained (`build-stroke-model --only-writers-of`), before the nights and after each, where the night
retrains the stroke model beside the CNN (kiosk/retraining/stroke_head.py) and the kiosk pairs them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.recognition.model_contract import STROKE_FILE
from kiosk.recognition.recognizer import model_version
from kiosk.recognition.stroke_model import StrokeModel, paired_file
from kiosk.recognition.runtime import ort
from kiosk.retraining.fused_judging import HeldOutStrokes, file_runner, fused_answers
from kiosk.retraining.judging import compare, probabilities
from trainer.unseen_writers import TRAINED_ON_STROKES


def stroke_writers(path: Path | None) -> set[str]:
    """The dev writers a stroke model file learned from (its metadata say which); none for no file."""
    if path is None:
        return set()
    raw = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).get_modelmeta().custom_metadata_map
    return set(json.loads(raw.get(TRAINED_ON_STROKES, "[]")))


@dataclass(frozen=True)
class FusedMeasure:
    """The new writers' drawings as the kiosk answers them (fused best guess), with the pair it runs."""

    KEYS = ("new_children_fused_after", "new_children_fused_change", "strokes_retrained",
            "new_children_fused_after_old_strokes")

    strokes_file: Path  # the stroke model the kiosk ran before teaching
    weight: float
    held: HeldOutStrokes
    images: np.ndarray
    labels: np.ndarray
    right_before: np.ndarray

    @classmethod
    def of(cls, sim, cnn: Path, strokes: list, images: np.ndarray, labels: np.ndarray) -> "FusedMeasure | None":
        if not sim.strokes:
            return None
        file = cnn.parent / STROKE_FILE
        held = HeldOutStrokes.of(strokes)
        weight = StrokeModel(file).rule.stroke_weight
        return cls(file, weight, held, images, labels, _right(cnn, file, weight, held, images, labels))

    def before(self) -> float:
        return float(self.right_before.mean())

    def after(self, work: Path) -> dict:
        """The pair the kiosk runs after tonight (a promoted CNN with the stroke model retrained beside it, or
        what it ran before), on the new writers."""
        taught = work / "data" / "models"
        cnn = taught / "cnn.onnx" if (taught / "cnn.onnx").exists() else self.strokes_file.parent / "cnn.onnx"
        paired = paired_file(taught, model_version(cnn.read_bytes()))
        strokes = paired if paired.exists() else self.strokes_file
        right = _right(cnn, strokes, self.weight, self.held, self.images, self.labels)
        # the same CNN with the stroke model it ran before: what retraining the stroke model added
        kept = _right(cnn, self.strokes_file, self.weight, self.held, self.images, self.labels)
        return {"new_children_fused_after": float(right.mean()),
                "new_children_fused_change": compare(self.right_before, right).as_dict(),
                "strokes_retrained": strokes != self.strokes_file,
                "new_children_fused_after_old_strokes": float(kept.mean())}


def _right(cnn: Path, strokes: Path, weight: float, held: HeldOutStrokes, images, labels) -> np.ndarray:
    readings = held.read_by(file_runner(strokes), weight)
    return fused_answers(probabilities(str(cnn), images), readings) == labels


def summary_lines(result: dict) -> list[str]:
    """What a child hears, in two lines (none when the simulation had no stroke model)."""
    if "new_children_fused_before" not in result:
        return []
    before, after, change = (result["new_children_fused_before"], result["new_children_fused_after"],
                             result["new_children_fused_change"])
    errors = (1 - before, 1 - after)
    return [f"  fused (heard): {before:.2%} -> {after:.2%} ({change['worse']} drawings lost, {change['better']} "
            f"gained of {change['drawings']}); stroke model retrained beside the CNN: {result['strokes_retrained']}",
            f"  fused errors : {errors[0]:.2%} -> {errors[1]:.2%} "
            f"({100 * (errors[0] - errors[1]) / max(errors[0], 1e-9):.0f}% fewer; with the stroke model kept as it "
            f"was: {1 - result['new_children_fused_after_old_strokes']:.2%})"]
