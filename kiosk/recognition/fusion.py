"""Fusion: the image CNN and the stroke model answer together, and one rule says when to answer.

The image model sees the picture; the stroke model sees how it was drawn (stroke_channels). Their digit
probabilities are combined by a weighted geometric mean, then the answer is given only when the fused top
probability and its lead over the runner-up are high enough and neither the gate nor the stroke model's
own "not a number" class doubts it. The rule's numbers are calibrated on writers held out of the stroke
model's training (digit-kiosk-trainer stroke-crossval) and travel in the stroke model's metadata. The same
vectorised functions decide for the kiosk (one drawing) and for the cross-validation (thousands), so the
measured rule is the rule the kiosk runs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from kiosk.recognition.model_contract import NUM_CLASSES


@dataclass(frozen=True)
class FusionRule:
    """When the fused answer names a digit (otherwise: "not sure", or "not a number")."""

    stroke_weight: float = 0.5  # share of the stroke model in the geometric mean (0.5: both alike)
    min_confidence: float = 0.80  # the fused top probability must reach this ...
    min_margin: float = 0.60  # ... and beat the runner-up by this much
    max_not_digit: float = 0.95  # the gate's "not a number" at or above which no digit is said
    max_stroke_not_digit: float = 0.50  # the stroke model's "not a number" class, likewise

    @classmethod
    def from_dict(cls, values: dict) -> "FusionRule":
        """A rule from metadata: known keys only, every value a number in [0, 1] (ValueError otherwise)."""
        known = {f.name for f in fields(cls)}
        chosen = {k: float(v) for k, v in values.items() if k in known}
        if not all(0.0 <= v <= 1.0 for v in chosen.values()):
            raise ValueError(f"a fusion rule's values lie in [0, 1], not {chosen}")
        return cls(**chosen)

    def to_dict(self) -> dict:
        return asdict(self)


def fuse(image_probs: np.ndarray, stroke_probs: np.ndarray, stroke_weight: float) -> np.ndarray:
    """(N, 10) image probabilities and (N, 11) stroke probabilities -> (N, 10) fused digit probabilities."""
    digits = stroke_probs[:, :NUM_CLASSES]
    digits = digits / np.maximum(digits.sum(axis=1, keepdims=True), 1e-12)
    log = (1 - stroke_weight) * np.log(np.maximum(image_probs, 1e-12)) + stroke_weight * np.log(
        np.maximum(digits, 1e-12))
    log -= log.max(axis=1, keepdims=True)
    fused = np.exp(log)
    return fused / fused.sum(axis=1, keepdims=True)


def decide(fused: np.ndarray, stroke_not_digit: np.ndarray, gate_not_digit: np.ndarray | None,
           digit_like: np.ndarray, rule: FusionRule) -> np.ndarray:
    """The answer per drawing: the digit, or -1 ("not sure" or "not a number"). Arrays of N rows;
    gate_not_digit None when there is no gate."""
    top = np.sort(fused, axis=1)
    sure = (top[:, -1] >= rule.min_confidence) & (top[:, -1] - top[:, -2] >= rule.min_margin)
    number = digit_like & (stroke_not_digit < rule.max_stroke_not_digit)
    if gate_not_digit is not None:
        number &= gate_not_digit < rule.max_not_digit
    return np.where(sure & number, fused.argmax(axis=1), -1)
