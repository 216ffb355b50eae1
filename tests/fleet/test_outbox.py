"""The outbox mirrors the feedback store (links, no second copy); the health file counts, and names no child."""

import datetime as dt
import json
import os

import numpy as np

from kiosk.config import KioskConfig
from kiosk.fleet.health import drawing_counts, write_health
from kiosk.fleet.outbox import mirror
from kiosk.fleet.paths import FleetPaths
from kiosk.teaching.feedback_store import FeedbackStore

NOW = dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.timezone.utc)


def save(store, n, label, answer, when=NOW):
    strokes = [[(10 + n, 10), (20, 40 + n)]]
    return store.append(strokes, 300, np.zeros((28, 28), np.uint8), label, answer, "cnn", "v", created=when)


def test_the_outbox_holds_exactly_the_stores_records_as_links(tmp_path):
    store = FeedbackStore(tmp_path / "feedback", max_records=3)
    for n in range(3):
        save(store, n, 7, 1)
    outbox = tmp_path / "outbox" / "drawings"
    assert mirror(tmp_path / "feedback", outbox).added == 3
    names = sorted(p.name for p in outbox.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "feedback").iterdir())
    assert os.stat(outbox / names[0]).st_ino == os.stat(tmp_path / "feedback" / names[0]).st_ino
    save(store, 9, 3, 3)  # the cap drops the oldest: the outbox follows
    done = mirror(tmp_path / "feedback", outbox)
    assert (done.added, done.removed) == (1, 1) and names[0] not in {p.name for p in outbox.iterdir()}


def test_an_outbox_that_cannot_be_written_is_logged_not_raised(tmp_path, caplog):
    store = FeedbackStore(tmp_path / "feedback")
    save(store, 0, 7, 1)
    (tmp_path / "blocked").write_text("a file where the folder should be")
    done = mirror(tmp_path / "feedback", tmp_path / "blocked" / "drawings")
    assert done.failed == 1 and "outbox" in caplog.text


def test_the_counts_are_today_this_week_yes_and_corrections_by_digit(tmp_path):
    store = FeedbackStore(tmp_path / "feedback")
    save(store, 0, 7, 1)  # a correction of a 1 to 7, today
    save(store, 1, 3, 3)  # a "Yes", today
    save(store, 2, 7, 7, NOW - dt.timedelta(days=3))  # a "Yes" this week
    save(store, 3, 4, 9, NOW - dt.timedelta(days=30))  # a correction, long ago
    counts = drawing_counts(store.load(), NOW)
    assert (counts["today"], counts["week"], counts["total"], counts["yes_rate"]) == (2, 3, 4, 0.5)
    assert counts["corrections_by_digit"] == [0, 0, 0, 0, 1, 0, 0, 1, 0, 0]


def test_the_health_file_is_written_and_holds_no_strokes(tmp_path):
    config = KioskConfig(data_dir=str(tmp_path / "data"), log_dir=str(tmp_path / "logs"), fleet_role="member",
                         fleet_name="hall-2")
    save(FeedbackStore(config.feedback_dir), 0, 7, 1)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "kiosk.log").write_text("2026-12-04 10:00:00,000 ERROR kiosk: the speaker failed\n")
    assert write_health(config)
    written = json.loads(FleetPaths.of(config).health.read_text())
    assert written["kiosk"] == "hall-2" and written["drawings"]["total"] == 1
    assert written["errors"] == {"count": 1, "last": "2026-12-04 10:00:00,000 ERROR kiosk: the speaker failed"}
    assert written["models"]["cnn"]["origin"] == "shipped" and written["disk_free_mb"] > 0
    assert "strokes" not in FleetPaths.of(config).health.read_text()
