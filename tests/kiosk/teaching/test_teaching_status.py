"""What the Learn screen says children taught: the count, and the last lesson only from a report that makes sense."""
import json

import pytest

from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.teaching.status import REPORT_NAME, TeachingStatus, read_report, teaching_status

GOOD = {"kind": "cnn", "promoted": True, "before": {"held_out": 0.9}, "after": {"held_out": 0.95}}


def test_a_promoted_lesson_is_shown(tmp_path):
    (tmp_path / REPORT_NAME).write_text(json.dumps(GOOD))
    assert teaching_status(FeedbackStore(tmp_path / "feedback"), tmp_path) == TeachingStatus(0, 0.9, 0.95)


@pytest.mark.parametrize("held_out", [1e308, float("nan"), -0.5, "0.9", True])
def test_a_lesson_with_numbers_out_of_range_is_not_shown(tmp_path, held_out):
    (tmp_path / REPORT_NAME).write_text(json.dumps({**GOOD, "before": {"held_out": held_out}}))
    assert teaching_status(FeedbackStore(tmp_path / "feedback"), tmp_path) == TeachingStatus(0)


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, json.dumps({**GOOD, "pad": "x" * 2_000_000})],
                         ids=["nested 100,000 deep", "2 MB"])
def test_a_report_past_the_limits_is_no_report(tmp_path, text):
    (tmp_path / REPORT_NAME).write_text(text)
    assert read_report(tmp_path) is None
    assert teaching_status(FeedbackStore(tmp_path / "feedback"), tmp_path) == TeachingStatus(0)
