import math

import numpy as np

from trainer.evaluate import format_metrics, score


def test_confusion_rows_are_true_digits_and_columns_answers():
    labels = np.array([0, 0, 1, 1, 1, 2])
    answers = np.array([0, 1, 1, 1, 7, 2])
    metrics = score(labels, answers)
    assert metrics.accuracy == 4 / 6 and metrics.count == 6
    assert metrics.confusion[0][1] == 1 and metrics.confusion[1][0] == 0
    assert metrics.confusion[1][7] == 1 and metrics.confusion[1][1] == 2
    assert metrics.per_class_accuracy[:3] == (0.5, 2 / 3, 1.0)
    assert math.isnan(metrics.per_class_accuracy[9])  # no 9 in the set: unknown, not 0%


def test_report_lists_accuracy_per_digit_and_matrix():
    text = format_metrics("MNIST test", score(np.arange(10), np.arange(10)))
    assert text.startswith("MNIST test: accuracy 100.00% on 10 images")
    assert "per digit: 0:100.0%" in text
    assert len(text.splitlines()) == 2 + 1 + 1 + 10
