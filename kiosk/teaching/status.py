"""What children have taught the kiosk so far, for the Learn screen: how many drawings, and what the
last retraining changed (from the report the trainer writes into the data dir)."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from kiosk.teaching.feedback_store import FeedbackStore

REPORT_NAME = "retrain_report.json"  # written by the nightly retraining (kiosk.retraining)
MAX_REPORT_BYTES = 1024 * 1024  # a report is a few KB; a bigger file is not one


@dataclass(frozen=True)
class TeachingStatus:
    drawings: int  # labelled drawings kept now
    before: float | None = None  # held-out accuracy before the last promoted retraining ...
    after: float | None = None  # ... and after it


def read_report(data_dir: Path) -> dict | None:
    """The last retrain's report, or None (none yet, unreadable, too big or nested too deep to be one)."""
    try:
        with open(data_dir / REPORT_NAME, "rb") as file:
            data = file.read(MAX_REPORT_BYTES + 1)
        report = json.loads(data.decode("utf-8")) if len(data) <= MAX_REPORT_BYTES else None
        return report if isinstance(report, dict) else None
    except (OSError, ValueError, RecursionError):
        return None


def teaching_status(store: FeedbackStore, data_dir: Path) -> TeachingStatus:
    report = read_report(data_dir)
    if report and report.get("promoted"):
        try:
            before, after = report["before"]["held_out"], report["after"]["held_out"]
            if _share(before) and _share(after):
                return TeachingStatus(store.count(), float(before), float(after))
        except (KeyError, TypeError, ValueError):
            pass
    return TeachingStatus(store.count())


def _share(value) -> bool:
    """An accuracy a child may be told: a number from 0 to 1 (not 1e308, NaN, "0.9" or true)."""
    return type(value) in (int, float) and math.isfinite(value) and 0 <= value <= 1
