"""How good is a model: accuracy, per-digit accuracy and confusion on MNIST test and on real drawings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from kiosk.model_contract import NUM_CLASSES
from kiosk.preprocess import strokes_to_image, to_model_input
from trainer.drawn_digits import DrawnDigits

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
    answers = [predict(to_model_input(images[i : i + batch_size])).argmax(axis=1) for i in range(0, len(images), batch_size)]
    return np.concatenate(answers) if answers else np.zeros(0, np.int64)


def score(labels: np.ndarray, answers: np.ndarray) -> Metrics:
    """Metrics from true labels and the model's answers."""
    labels, answers = np.asarray(labels, np.int64), np.asarray(answers, np.int64)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
    np.add.at(confusion, (labels, answers), 1)
    totals = confusion.sum(axis=1)
    per_class = np.divide(np.diag(confusion), totals, out=np.full(NUM_CLASSES, np.nan), where=totals > 0)
    accuracy = float((labels == answers).mean()) if len(labels) else float("nan")
    return Metrics(accuracy, tuple(per_class.tolist()), tuple(map(tuple, confusion.tolist())), len(labels))


def drawn_images(drawn: DrawnDigits) -> np.ndarray:
    """The drawings as the kiosk's preprocessing turns them into model inputs: (S, 28, 28) uint8."""
    return np.stack([strokes_to_image(strokes) for strokes in drawn.strokes])


def evaluate(predict: Predictor, images: np.ndarray, labels: np.ndarray) -> Metrics:
    """Metrics of predict on uint8 images (N, 28, 28)."""
    return score(labels, predict_all(predict, images))


def format_metrics(title: str, metrics: Metrics) -> str:
    """A printable report: accuracy, per-digit accuracy, confusion matrix."""
    lines = [f"{title}: accuracy {100 * metrics.accuracy:.2f}% on {metrics.count} images"]
    lines.append("  per digit: " + "  ".join(f"{d}:{100 * a:.1f}%" for d, a in enumerate(metrics.per_class_accuracy)))
    lines.append("  confusion (rows: true digit, columns: answer)")
    lines.append("       " + "".join(f"{d:>6}" for d in range(NUM_CLASSES)))
    for digit, row in enumerate(metrics.confusion):
        lines.append(f"  {digit:>4} " + "".join(f"{n:>6}" for n in row))
    return "\n".join(lines)
