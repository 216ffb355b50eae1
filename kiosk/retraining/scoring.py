"""How often a model is right, overall and per digit: the numbers the promotion gate compares.

numpy only (the trainer's evaluation, with its confusion matrices, uses scikit-learn, which a kiosk
does not install).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from kiosk.recognition.model_contract import NUM_CLASSES
from kiosk.recognition.preprocess import to_model_input

# Maps a float32 batch (N, 1, 28, 28) to probabilities (N, 10).
Predictor = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Metrics:
    """Accuracy overall and per digit (NaN for a digit with no images)."""

    accuracy: float
    per_class_accuracy: tuple[float, ...]
    count: int


def evaluate(predict: Predictor, images: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> Metrics:
    """Metrics of predict on uint8 images (N, 28, 28), batch_size at a time (small batches, small memory)."""
    return score(labels, answers_of(predict, images, batch_size))


def answers_of(predict: Predictor, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """predict's digit (N,) int64 for each uint8 image (N, 28, 28), batch_size at a time."""
    answers = [predict(to_model_input(images[i : i + batch_size])).argmax(axis=1)
               for i in range(0, len(images), batch_size)]
    return np.concatenate(answers).astype(np.int64) if answers else np.zeros(0, np.int64)


def score(labels: np.ndarray, answers: np.ndarray) -> Metrics:
    """Metrics from true labels (N,) and the model's answers (N,)."""
    labels, answers = np.asarray(labels, np.int64), np.asarray(answers, np.int64)
    totals = np.bincount(labels, minlength=NUM_CLASSES)
    right = np.bincount(labels[labels == answers], minlength=NUM_CLASSES)
    per_class = np.divide(right, totals, out=np.full(NUM_CLASSES, np.nan), where=totals > 0)
    accuracy = float((labels == answers).mean()) if len(labels) else float("nan")
    return Metrics(accuracy, tuple(per_class.tolist()), len(labels))
