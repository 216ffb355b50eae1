"""What children have taught the kiosk so far, for the Learn screen: how many drawings, and what the
last retraining changed (from the report the trainer writes into the data dir)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kiosk.teaching.feedback_store import FeedbackStore

REPORT_NAME = "retrain_report.json"  # written by the nightly retraining (kiosk.retraining)


@dataclass(frozen=True)
class TeachingStatus:
    drawings: int  # labelled drawings kept now
    before: float | None = None  # held-out accuracy before the last promoted retraining ...
    after: float | None = None  # ... and after it


def read_report(data_dir: Path) -> dict | None:
    """The last retrain's report, or None (none yet, or unreadable)."""
    try:
        report = json.loads((data_dir / REPORT_NAME).read_text(encoding="utf-8"))
        return report if isinstance(report, dict) else None
    except (OSError, ValueError):
        return None


def teaching_status(store: FeedbackStore, data_dir: Path) -> TeachingStatus:
    report = read_report(data_dir)
    if report and report.get("promoted"):
        try:
            return TeachingStatus(store.count(), float(report["before"]["held_out"]), float(report["after"]["held_out"]))
        except (KeyError, TypeError, ValueError):
            pass
    return TeachingStatus(store.count())
