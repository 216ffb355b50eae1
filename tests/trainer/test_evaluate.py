import math

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.errors import DataError
from kiosk.learning import drawn_digits
from trainer.evaluate import evaluate_files, format_metrics, score


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


MODEL = PROJECT_ROOT / "exported_models" / "mlp.onnx"


def test_with_no_drawn_digits_folder_anywhere_evaluate_reports_mnist_and_says_how_to_add_them(monkeypatch, mnist_dir):
    # An installed wheel: no --drawn-dir, no $DRAWN_DIGITS_DIR, no ../shared beside a checkout.
    monkeypatch.delenv(drawn_digits.DRAWN_DIGITS_ENV, raising=False)
    monkeypatch.setattr(drawn_digits, "default_dir", lambda: None)
    for brief in (False, True):
        report = evaluate_files([MODEL], str(mnist_dir), None, drawn_required=True, brief=brief)
        assert "MNIST test" in report
        skipped = [line for line in report.splitlines() if "drawn" in line.lower() and "--drawn-dir" in line]
        assert len(skipped) == 1 and "DRAWN_DIGITS_DIR" in skipped[0], report


def test_a_drawn_digits_folder_that_was_named_but_is_missing_is_still_an_error(monkeypatch, mnist_dir, tmp_path):
    monkeypatch.setattr(drawn_digits, "default_dir", lambda: None)
    with pytest.raises(DataError, match="--drawn-dir"):
        evaluate_files([MODEL], str(mnist_dir), str(tmp_path / "nowhere"), drawn_required=True)
    monkeypatch.setenv(drawn_digits.DRAWN_DIGITS_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="nowhere"):
        evaluate_files([MODEL], str(mnist_dir), None, drawn_required=True)


def hand_written_score(labels, answers):
    """The reference scikit-learn replaced: confusion by counting, per digit = right / shown (NaN when none shown)."""
    confusion = np.zeros((10, 10), np.int64)
    np.add.at(confusion, (labels, answers), 1)
    totals = confusion.sum(axis=1)
    per_class = np.divide(np.diag(confusion), totals, out=np.full(10, np.nan), where=totals > 0)
    return float((labels == answers).mean()), per_class, confusion


@pytest.mark.parametrize("seed", range(5))
def test_scikit_learn_scores_exactly_as_the_hand_written_metrics_did(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 9 if seed % 2 else 10, 500)  # odd seeds: no 9 among the true digits
    answers = np.where(rng.random(500) < 0.8, labels, rng.integers(0, 10, 500))
    accuracy, per_class, confusion = hand_written_score(labels, answers)
    metrics = score(labels, answers)
    assert metrics.accuracy == accuracy and metrics.count == 500
    assert np.array_equal(np.array(metrics.per_class_accuracy), per_class, equal_nan=True)
    assert np.array_equal(np.array(metrics.confusion), confusion)


def test_the_trainer_and_the_kiosk_score_a_shipped_model_alike(mnist_dir):
    from kiosk.learning import mnist
    from kiosk.retraining import scoring
    from trainer.evaluate import evaluate, onnx_predictor

    predict, _ = onnx_predictor(MODEL)
    images, labels = mnist.load_test_set(mnist_dir)
    trainer_metrics, kiosk_metrics = evaluate(predict, images, labels), scoring.evaluate(predict, images, labels)
    assert trainer_metrics.accuracy == kiosk_metrics.accuracy
    assert trainer_metrics.per_class_accuracy == kiosk_metrics.per_class_accuracy
    assert sum(map(sum, trainer_metrics.confusion)) == 10_000


def test_an_empty_set_scores_nan_not_an_error():
    metrics = score(np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert metrics.count == 0 and math.isnan(metrics.accuracy) and all(map(math.isnan, metrics.per_class_accuracy))
