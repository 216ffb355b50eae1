"""The promotion gate: the numbers a model is judged by, scored by onnxruntime on the very file that would
be promoted, and the reasons a new model must not replace the current one.

Two kinds of evidence, each judged by what its size can show. MNIST's test digits are a fixed yardstick of
10,000 (1,000 a digit) that no child can write to: fixed margins. The children's held-out drawings are few
(often about a hundred): one drawing is a point, so the old and the new model are compared drawing by drawing
(an exact one-sided sign test on the drawings only one of them gets right, McNemar's test) and the new model
is refused only when it is worse beyond what chance makes. Where the CNN answers with the stroke model, the
held-out drawings are also judged as the kiosk answers them, fused (fused_judging.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from kiosk.learning.styles import STYLED_DIGITS
from kiosk.recognition import model_contract as contract
from kiosk.recognition.preprocess import to_model_input
from kiosk.recognition.runtime import ort
from kiosk.retraining.fused_judging import StrokeReadings, fused_answers
from kiosk.retraining.scoring import Predictor, answers_of, evaluate

MAX_MNIST_DROP = 0.002  # the gate: at most 0.2 points of MNIST test accuracy may be given up
MAX_DIGIT_DROP = 0.01  # ... and at most 1 point on any one digit, plain or in European style: a prank moves
# one digit, not the average. Both yardsticks are MNIST's test digits, which no child can write to.
EVAL_BATCH = 25  # images per onnxruntime call when scoring: a CNN's activations for 100 take ~100 MB, for 25 ~10
WORSE_BEYOND_NOISE = 0.05  # the held-out drawings refuse a model when a model as good as the old one would lose
# that many more drawings than it gains less than 5% of the time: a model no worse is refused on at most one
# night in 20, and 1 drawing lost of 105 (p = 0.5) never is. Fewer than 5 changed drawings can prove no loss.


@dataclass(frozen=True)
class PairedChange:
    """The same drawings through the old and the new model: how many only the new one gets right (better),
    and how many only the old one did (worse)."""

    drawings: int
    better: int
    worse: int

    @property
    def p_worse(self) -> float:
        """The chance that a model no worse than the old one loses at least this many of the changed drawings
        (exact, one-sided: each changed drawing a fair coin)."""
        changed = self.better + self.worse
        return sum(comb(changed, k) for k in range(self.worse, changed + 1)) / 2**changed

    @property
    def worse_beyond_noise(self) -> bool:
        return self.p_worse < WORSE_BEYOND_NOISE

    def as_dict(self) -> dict:
        return {"drawings": self.drawings, "better": self.better, "worse": self.worse,
                "p_worse": round(self.p_worse, 6)}


def compare(right_before: np.ndarray, right_after: np.ndarray) -> PairedChange:
    """The paired change between two models' right (True) and wrong answers (N,) on the same drawings."""
    before, after = np.asarray(right_before, bool), np.asarray(right_after, bool)
    if before.shape != after.shape:
        raise ValueError(f"the two models were scored on different drawings ({before.shape} and {after.shape})")
    return PairedChange(len(before), int((after & ~before).sum()), int((before & ~after).sum()))


def gate(before: dict, after: dict, changes: dict[str, PairedChange], shipped: dict | None = None) -> list[str]:
    """Why the new model must not replace the current one; empty when it may.

    changes: the paired change on the children's held-out drawings ("held_out") and, where measured, on
    drawn-digits-dev ("drawn_dev"): a loss counts only beyond noise.
    shipped: the shipped model's yardsticks (mnist_test, and per digit, plain and in European style).
    Every night is compared with them too, so small allowed losses cannot add up night after night."""
    reasons = []
    if shipped is not None and after["mnist_test"] < shipped["mnist_test"] - MAX_MNIST_DROP:
        reasons.append(f"MNIST test accuracy {after['mnist_test']:.2%} is more than {MAX_MNIST_DROP:.1%} below "
                       f"the shipped model's {shipped['mnist_test']:.2%}")
    if after["mnist_test"] < before["mnist_test"] - MAX_MNIST_DROP:
        reasons.append(f"MNIST test accuracy fell from {before['mnist_test']:.2%} to {after['mnist_test']:.2%} "
                       f"(at most {MAX_MNIST_DROP:.1%} may be lost)")
    for key, name in (("mnist_per_digit", "MNIST test"), ("styled_per_digit", "MNIST test in European style")):
        reasons += _digit_floors(before.get(key), after.get(key), name)
        if shipped is not None:
            reasons += _digit_floors(shipped.get(key), after.get(key), name, "the shipped model's")
    for key, name in (("held_out", "held-out children's drawings"),
                      ("held_out_fused", "held-out children's drawings as the kiosk answers them (fused with the "
                                         "stroke model)"),
                      ("drawn_dev", "drawn-digits-dev")):
        change = changes.get(key)
        if change is not None and change.worse_beyond_noise:
            reasons.append(f"{name} fell from {before[key]:.2%} to {after[key]:.2%}, beyond noise: of "
                           f"{change.drawings}, {change.worse} now wrong and {change.better} now right "
                           f"(p = {change.p_worse:.3f}, under {WORSE_BEYOND_NOISE})")
    return reasons


def _digit_floors(before, after, name: str, against: str | None = None) -> list[str]:
    """A reason for every digit more than MAX_DIGIT_DROP below before (last night's, or the shipped model's)."""
    reasons = []
    was_by_digit, now_by_digit = _by_digit(before), _by_digit(after)
    for digit, was in was_by_digit.items():
        now = now_by_digit.get(digit, was)
        if now < was - MAX_DIGIT_DROP and against is None:
            reasons.append(f"{name} {digit}s fell from {was:.2%} to {now:.2%} (at most {MAX_DIGIT_DROP:.1%} per digit)")
        elif now < was - MAX_DIGIT_DROP:
            reasons.append(f"{name} {digit}s at {now:.2%} are more than {MAX_DIGIT_DROP:.1%} below {against} "
                           f"{was:.2%}")
    return reasons


def _by_digit(values) -> dict[int, float]:
    """Per-digit accuracies as {digit: accuracy}, from a list of ten or a {"digit": accuracy} map."""
    if isinstance(values, dict):
        return {int(k): float(v) for k, v in values.items()}
    return {d: float(v) for d, v in enumerate(values or []) if v == v}  # NaN: no such digit


def predictor(model: bytes | str) -> Predictor:
    """What the kiosk will run: onnxruntime on the file (or its bytes), as a batch -> probabilities function."""
    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = False  # a Pi's memory is for the kiosk: nothing kept between batches
    session = ort.InferenceSession(model if isinstance(model, bytes) else str(model), options,
                                   providers=["CPUExecutionProvider"])
    return lambda batch: session.run([contract.OUTPUT_NAME], {contract.INPUT_NAME: batch})[0]


def probabilities(model: bytes | str, images: np.ndarray) -> np.ndarray:
    """(N, 10) probabilities of the model for uint8 images (N, 28, 28), EVAL_BATCH at a time."""
    return _batched(predictor(model), images)


def measure_yardsticks(model: bytes | str, test: tuple[np.ndarray, np.ndarray],
                       styled: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """The numbers no child can write to: MNIST's test digits, overall and per digit, plain and in European style."""
    return _yardsticks(predictor(model), test, styled)


def _yardsticks(predict: Predictor, test, styled) -> dict:
    mnist = evaluate(predict, *test, batch_size=EVAL_BATCH)
    in_style = evaluate(predict, *styled, batch_size=EVAL_BATCH).per_class_accuracy if styled is not None else ()
    return {
        "mnist_test": mnist.accuracy,
        "mnist_per_digit": [float(v) for v in mnist.per_class_accuracy],
        "styled_per_digit": {str(d): float(v) for d, v in enumerate(in_style) if d in STYLED_DIGITS},
    }


def measure(model: bytes | str, test: tuple[np.ndarray, np.ndarray], held_out: tuple[np.ndarray, np.ndarray],
            trained_on: tuple[np.ndarray, np.ndarray], drawn: tuple[np.ndarray, np.ndarray] | None,
            styled: tuple[np.ndarray, np.ndarray] | None = None,
            fused: StrokeReadings | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """The gate's numbers, scored by onnxruntime on the very file that would be promoted, and which of the
    held-out (and drawn-digits-dev) drawings it gets right (N,) bool, for the paired comparison.

    fused: the stroke model's readings of the held-out drawings; with them, also which the kiosk's fused answer
    gets right ("held_out_fused")."""
    predict = predictor(model)
    held_probabilities = _batched(predict, held_out[0])
    right = {"held_out": held_probabilities.argmax(axis=1) == held_out[1]}
    if fused is not None:
        right["held_out_fused"] = fused_answers(held_probabilities, fused) == held_out[1]
    if drawn is not None:
        right["drawn_dev"] = answers_of(predict, drawn[0], EVAL_BATCH) == drawn[1]
    numbers = {
        **_yardsticks(predict, test, styled),
        "held_out": float(right["held_out"].mean()) if len(held_out[1]) else float("nan"),
        "trained_on": evaluate(predict, *trained_on, batch_size=EVAL_BATCH).accuracy,
        "drawn_dev": float(right["drawn_dev"].mean()) if drawn is not None else None,
    }
    if fused is not None:
        numbers["held_out_fused"] = float(right["held_out_fused"].mean()) if len(held_out[1]) else float("nan")
    return numbers, right


def _batched(predict: Predictor, images: np.ndarray) -> np.ndarray:
    """(N, 10) probabilities for uint8 images (N, 28, 28), EVAL_BATCH at a time."""
    parts = [predict(to_model_input(images[i:i + EVAL_BATCH])) for i in range(0, len(images), EVAL_BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, contract.NUM_CLASSES), np.float32)


def changes_between(right_before: dict[str, np.ndarray], right_after: dict[str, np.ndarray]) -> dict[str, PairedChange]:
    """The paired change on every set both models were scored on."""
    return {key: compare(right_before[key], right_after[key]) for key in right_before if key in right_after}
