"""What the night reads and writes, bounded: records it skips are counted, the newest labels are the newest saved
(whatever the clock said), the report is never last night's after a stop, and a full disk stops it early, saying so."""
import base64
import errno
import json

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.errors import KioskError
from kiosk.recognition.recognizer import model_version
from kiosk.retraining import nightly, promotion, status
from kiosk.retraining.doubt import BURST_WINDOW
from kiosk.retraining.nightly import RetrainOptions
from kiosk.retraining.status import retrain_status
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.teaching.status import REPORT_NAME

SHIPPED = PROJECT_ROOT / "exported_models"
LAST_NIGHT = {"kind": "mlp", "finished": "2026-12-01T02:31:00+00:00", "drawings": 99, "promoted": True, "reasons": [],
              "before": {"held_out": 0.9, "mnist_test": 0.98}, "after": {"held_out": 0.95, "mnist_test": 0.981}}


def write_records(folder, years):
    """One record file per year given, saved in that order (sequence numbers), each a different drawing."""
    folder.mkdir(parents=True, exist_ok=True)
    image = base64.b64encode(bytes(28 * 28)).decode()
    for k, year in enumerate(years, start=1):
        record = {"format": 1, "created": f"{year}-01-01T00:00:00.{k % 1000:03d}+00:00", "label": k % 10,
                  "answer": None, "model": "cnn", "model_version": "v", "preprocessing_version": 1,
                  "canvas_px": 300, "strokes": [[[10.0 + k / 10, 20.0], [10.0 + k / 10, 200.0]]], "image": image}
        (folder / f"s{k:010d}-{year}0101T000000-1-{k % 10}.json").write_text(json.dumps(record))


def collected_with(monkeypatch, config, years):
    """collect() over records saved in that order; what it passed to doubted() as the newest labels."""
    write_records(config.feedback_dir, years)
    seen = {}

    def believe_all(probabilities, labels, recent=None):
        seen["recent"] = recent
        return np.zeros(len(labels), dtype=bool)

    monkeypatch.setattr(nightly, "doubted", believe_all)
    monkeypatch.setattr(nightly, "probabilities", lambda model, images: np.full((len(images), 10), 0.1))
    return nightly.collect(config, RetrainOptions(min_drawings=20), str(SHIPPED / "cnn.onnx")), seen["recent"]


def test_the_newest_labels_are_the_last_saved_whatever_the_clock_said(config, monkeypatch):
    # A Pi booted without network time: the last ten saved say 1970. A burst is counted among the newest.
    years = [2026] * BURST_WINDOW + [1970] * 10
    _, recent = collected_with(monkeypatch, config, years)
    assert recent.sum() == BURST_WINDOW and recent[-10:].all() and not recent[:10].any()


def test_skipped_records_are_counted_in_the_report(config, monkeypatch):
    years = [2026] * 30
    write_records(config.feedback_dir, years)
    first = sorted(config.feedback_dir.glob("*.json"))[0]
    first.write_text("[" * 100_000 + "]" * 100_000)  # stopped every nightly retrain with RecursionError
    collected, _ = collected_with(monkeypatch, config, [])
    assert collected.drawings == 29 and collected.skipped == 1


def night_report(**changes):
    return {**LAST_NIGHT, "finished": "2026-12-02T02:31:00+00:00", "drawings": 120, "promoted": True, "reasons": [],
            **changes}


class Killed(BaseException):
    """Stands in for kill -9: nothing after it runs."""


def test_a_stop_right_after_promotion_leaves_no_stale_report(config, monkeypatch):
    (config.data_dir_path).mkdir(parents=True)
    (config.data_dir_path / REPORT_NAME).write_text(json.dumps(LAST_NIGHT))
    real_promote = nightly.promote

    def promote_then_die(*args, **kwargs):
        real_promote(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(nightly, "promote", promote_then_die)
    new_model = (SHIPPED / "mlp128-e5.onnx").read_bytes()
    with pytest.raises(Killed):
        nightly._publish(new_model, config, "mlp", night_report())
    report = json.loads((config.data_dir_path / REPORT_NAME).read_text())
    assert report["drawings"] == 120, "the report describes tonight, not last night"
    assert (config.taught_model_dir / "mlp.onnx").read_bytes() == new_model
    said = retrain_status(config)
    assert "120 drawings" in said and "promoted" in said and "kept aside" not in said, said


def test_a_stop_before_the_swap_says_the_model_was_kept(config, monkeypatch):
    (config.data_dir_path).mkdir(parents=True)
    (config.data_dir_path / REPORT_NAME).write_text(json.dumps(LAST_NIGHT))

    def die(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(nightly, "promote", die)
    with pytest.raises(Killed):
        nightly._publish((SHIPPED / "mlp128-e5.onnx").read_bytes(), config, "mlp", night_report())
    said = retrain_status(config)
    assert "120 drawings" in said and "stopped while promoting" in said and "; promoted" not in said, said


def test_after_promotion_the_report_says_promoted(config):
    report = night_report()
    nightly._publish((SHIPPED / "mlp128-e5.onnx").read_bytes(), config, "mlp", report)
    written = json.loads((config.data_dir_path / REPORT_NAME).read_text())
    assert written["promoted"] is True and written["promoted_to"] == report["promoted_to"]
    assert written["model_version"] == model_version((SHIPPED / "mlp128-e5.onnx").read_bytes())


def test_a_full_disk_stops_the_retrain_early_with_a_report(config, monkeypatch):
    FeedbackStore(config.feedback_dir)  # nothing else needed: it stops before reading anything
    monkeypatch.setattr(status, "free_bytes", lambda path: 200_000)
    with pytest.raises(KioskError, match="free"):
        nightly.retrain(config, RetrainOptions(kind="cnn", nice=0), show_progress=False)
    report = json.loads((config.data_dir_path / REPORT_NAME).read_text())
    assert report["promoted"] is False and report["stopped"] == "disk full" and "MB free" in report["reasons"][0]
    said = retrain_status(config)
    assert "stopped early" in said and "MB free" in said and "none yet" not in said, said


def test_a_disk_too_full_for_the_report_is_named_by_status(config, monkeypatch):
    monkeypatch.setattr(status, "free_bytes", lambda path: 0)

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(nightly, "write_text_atomic", full)
    with pytest.raises(KioskError, match="free"):
        nightly.retrain(config, RetrainOptions(kind="cnn", nice=0), show_progress=False)
    said = retrain_status(config)
    assert "0.0 MB free" in said and "retrain" in said, said


def test_a_disk_that_fills_during_promotion_leaves_a_report(config, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(promotion, "write_bytes_atomic", full)
    with pytest.raises(OSError):
        nightly._publish((SHIPPED / "mlp128-e5.onnx").read_bytes(), config, "mlp", night_report())
    report = json.loads((config.data_dir_path / REPORT_NAME).read_text())
    assert report["promoted"] is False and "No space left" in report["reasons"][0]
    assert not (config.taught_model_dir / "mlp.onnx").exists()
