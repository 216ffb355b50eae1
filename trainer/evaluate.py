"""How good is a model: accuracy, per-digit accuracy and confusion on MNIST test and on real drawings.

Needs onnxruntime and scikit-learn (the [evaluate] extra), never torch, so a deployed ONNX file can be checked
anywhere. The kiosk's own retraining gate scores with numpy alone (kiosk.retraining.scoring); a test holds both alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import logging

import numpy as np

from kiosk.recognition.runtime import ort

import kiosk.errors  # MNIST and the drawn digits are read by kiosk.learning, which raises the kiosk's DataError
from kiosk.learning import drawn_digits, mnist
from kiosk.learning.drawn_digits import DrawnDigits
from kiosk.recognition import model_contract as contract
from kiosk.recognition.model_contract import NUM_CLASSES
from kiosk.recognition.preprocess import to_model_input
from trainer.errors import DataError

log = logging.getLogger(__name__)

# Maps a float32 batch (N, 1, 28, 28) to probabilities or logits (N, 10): torch and onnxruntime alike.
Predictor = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Metrics:
    """Accuracy overall and per digit, and the confusion matrix (rows: true digit, columns: answer)."""

    accuracy: float
    per_class_accuracy: tuple[float, ...]
    confusion: tuple[tuple[int, ...], ...]
    count: int


def predict_all(predict: Predictor, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Class answers (N,) for uint8 images (N, 28, 28), in batches to bound memory."""
    answers = [
        predict(to_model_input(images[i : i + batch_size])).argmax(axis=1) for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(answers) if answers else np.zeros(0, np.int64)


def score(labels: np.ndarray, answers: np.ndarray) -> Metrics:
    """Metrics from true labels (N,) and the model's answers (N,), by scikit-learn; a digit never shown scores NaN."""
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        recall_score,
    )  # the [evaluate] extra: only when scoring

    labels, answers = np.asarray(labels, np.int64), np.asarray(answers, np.int64)
    if not len(labels):
        return Metrics(float("nan"), (float("nan"),) * NUM_CLASSES, ((0,) * NUM_CLASSES,) * NUM_CLASSES, 0)
    digits = np.arange(NUM_CLASSES)
    confusion = confusion_matrix(labels, answers, labels=digits)  # (10, 10) rows: true digit, columns: answer
    per_class = recall_score(labels, answers, labels=digits, average=None, zero_division=np.nan)  # right / shown
    return Metrics(
        float(accuracy_score(labels, answers)),
        tuple(per_class.tolist()),
        tuple(map(tuple, confusion.tolist())),
        len(labels),
    )


def drawn_images(drawn: DrawnDigits) -> np.ndarray:
    """The drawings as the kiosk's preprocessing turns them into model inputs: (S, 28, 28) uint8."""
    return drawn_digits.to_images(drawn)


def evaluate(predict: Predictor, images: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> Metrics:
    """Metrics of predict on uint8 images (N, 28, 28), batch_size at a time (small batches, small memory)."""
    return score(labels, predict_all(predict, images, batch_size))


def format_metrics(title: str, metrics: Metrics) -> str:
    """A printable report: accuracy, per-digit accuracy, confusion matrix."""
    lines = [f"{title}: accuracy {100 * metrics.accuracy:.2f}% on {metrics.count} images"]
    lines.append("  per digit: " + "  ".join(f"{d}:{100 * a:.1f}%" for d, a in enumerate(metrics.per_class_accuracy)))
    lines.append("  confusion (rows: true digit, columns: answer)")
    lines.append("       " + "".join(f"{d:>6}" for d in range(NUM_CLASSES)))
    for digit, row in enumerate(metrics.confusion):
        lines.append(f"  {digit:>4} " + "".join(f"{n:>6}" for n in row))
    return "\n".join(lines)


def onnx_predictor(path: Path) -> tuple[Predictor, dict[str, str]]:
    """Predictor over an ONNX file run by onnxruntime, and its metadata; DataError if it breaks the contract."""
    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own pybind classes for bad files
        raise DataError(f"{path} is not a loadable ONNX model ({error}); re-export it or pick another file") from error
    metadata = session.get_modelmeta().custom_metadata_map
    problems = contract.contract_problems(
        [(i.name, i.shape) for i in session.get_inputs()], [(o.name, o.shape) for o in session.get_outputs()], metadata
    )
    if problems:
        raise DataError(f"{path} does not fit the kiosk's model contract: " + "; ".join(problems))

    def predict(batch: np.ndarray) -> np.ndarray:
        return session.run([contract.OUTPUT_NAME], {contract.INPUT_NAME: batch})[0]

    return predict, metadata


DRAWN_SKIPPED = (
    f"Drawn digits: not scored, no drawn-digits folder here; add one with --drawn-dir DIR or "
    f"${drawn_digits.DRAWN_DIGITS_ENV} (a folder with strokes.npz)"
)


def load_drawn(drawn_dir: str | None, required: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
    """Drawn-digit images through the kiosk's preprocessing; None if not required and unavailable."""
    try:
        drawn = drawn_digits.load(drawn_dir)
    except kiosk.errors.DataError as error:
        if required:
            raise DataError(f"{error} (or pass --no-drawn to go without the drawn-digits accuracy)") from error
        log.warning("no drawn-digits accuracy: %s", error)
        return None
    return drawn_images(drawn), drawn.labels


def evaluate_files(
    model_paths: list[Path],
    data_dir: str | None,
    drawn_dir: str | None,
    drawn_required: bool = True,
    brief: bool = False,
) -> str:
    """The evaluate command's report: full (metrics, per digit, confusion) or one line per file."""
    missing = [str(p) for p in model_paths if not p.is_file()]
    if missing:
        raise DataError(f"not found: {', '.join(missing)}")
    models = [(path, *onnx_predictor(path)) for path in model_paths]  # fail fast on a bad file
    test_images, test_labels = mnist.load_test_set(data_dir)  # never the training files: they may not be here
    # No folder named and none beside a checkout (an installed wheel): MNIST alone, and how to add the drawings.
    drawn_missing = drawn_required and not drawn_digits.given(drawn_dir) and not drawn_digits.available()
    drawn = load_drawn(drawn_dir, drawn_required) if drawn_required and not drawn_missing else None
    reports = []
    for path, predict, metadata in models:
        mnist_metrics = evaluate(predict, test_images, test_labels)
        drawn_metrics = evaluate(predict, *drawn) if drawn is not None else None
        if brief:
            drawn_text = f"{100 * drawn_metrics.accuracy:6.2f}%" if drawn_metrics else "   n/a"
            reports.append(f"{path.name:<26} MNIST test {100 * mnist_metrics.accuracy:6.2f}%   drawn {drawn_text}")
            continue
        parts = [
            f"{path}: {metadata.get(contract.META_MODEL_KIND, '?')} model, "
            f"settings {metadata.get(contract.META_SETTINGS, '?')}"
        ]
        parts.append(format_metrics("MNIST test", mnist_metrics))
        if drawn_metrics:
            parts.append(format_metrics("Drawn digits (dev, kiosk preprocessing)", drawn_metrics))
        reports.append("\n\n".join(parts))
    if drawn_missing:
        reports.append(DRAWN_SKIPPED)
    return ("\n" if brief else "\n\n").join(reports)
