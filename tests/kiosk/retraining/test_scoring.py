"""The gate's accuracy, overall and per digit, in numpy (the kiosk has no scikit-learn)."""
import math

import numpy as np

from kiosk.retraining.scoring import evaluate, score


def test_accuracy_overall_and_per_digit():
    labels, answers = np.array([0, 0, 1, 1, 1, 7]), np.array([0, 1, 1, 1, 2, 7])
    metrics = score(labels, answers)
    assert metrics.accuracy == 4 / 6 and metrics.count == 6
    assert metrics.per_class_accuracy[:2] == (0.5, 2 / 3) and metrics.per_class_accuracy[7] == 1.0
    assert math.isnan(metrics.per_class_accuracy[3]), "no 3s: no accuracy, not 0"


def test_evaluate_scores_a_predictor_batch_by_batch():
    images = np.zeros((7, 28, 28), np.uint8)
    seen = []

    def predict(batch):  # (N, 1, 28, 28) float32 -> (N, 10): always "3"
        seen.append(batch.shape)
        return np.eye(10, dtype=np.float32)[[3] * len(batch)]

    metrics = evaluate(predict, images, np.array([3, 3, 3, 1, 1, 1, 1]), batch_size=3)
    assert seen == [(3, 1, 28, 28), (3, 1, 28, 28), (1, 1, 28, 28)] and metrics.accuracy == 3 / 7


def test_an_empty_set_scores_nan():
    metrics = score(np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert metrics.count == 0 and math.isnan(metrics.accuracy)
