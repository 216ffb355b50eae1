"""The kiosk's health file (outbox/health.json): what the grown-ups' page shows for it, and nothing about a child.

Counts only: drawings today and this week, the children's "Yes" rate, corrections by digit, which model runs,
disk free, errors in the log. Written atomically at every fleet pass; the hub reads it as "last seen".
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

from kiosk import version
from kiosk.atomic_write import write_text_atomic
from kiosk.config import KioskConfig
from kiosk.fleet.paths import FleetPaths, kiosk_name
from kiosk.recognition.model_files import MODEL_KINDS
from kiosk.recognition.recognizer import model_version
from kiosk.retraining.status import current_model_path, free_bytes
from kiosk.teaching.feedback_store import FeedbackStore, Labelled

log = logging.getLogger(__name__)
FORMAT = 1
LOG_TAIL_BYTES = 256 * 1024  # the end of kiosk.log is enough to count today's errors


def _created(record: Labelled) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(record.created)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def drawing_counts(records: list[Labelled], now: dt.datetime) -> dict:
    """Drawings today and in the last 7 days, the "Yes" rate and corrections by digit (a clock gone wrong only
    misplaces a drawing between today and earlier; the totals stay right)."""
    today = week = 0
    for record in records:
        when = _created(record)
        if when is not None and when.date() == now.date():
            today += 1
        if when is not None and dt.timedelta(0) <= now - when < dt.timedelta(days=7):
            week += 1
    answered = [r for r in records if r.answer is not None]
    yes = sum(r.label == r.answer for r in answered)
    corrections = [0] * 10
    for record in answered:
        if record.label != record.answer:
            corrections[record.label] += 1
    return {"today": today, "week": week, "total": len(records),
            "yes_rate": round(yes / len(answered), 4) if answered else None, "corrections_by_digit": corrections}


def log_errors(log_file: Path) -> dict:
    """ERROR lines in the end of kiosk.log: how many, and the last one (a line from the kiosk's own log)."""
    try:
        with open(log_file, "rb") as file:
            file.seek(max(0, file.seek(0, 2) - LOG_TAIL_BYTES))
            lines = file.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return {"count": 0, "last": None}
    errors = [line for line in lines if " ERROR " in line or " CRITICAL " in line]
    return {"count": len(errors), "last": errors[-1][:200] if errors else None}


def models_in_use(config: KioskConfig) -> dict:
    """Per kind: the model file the kiosk runs and its version."""
    models = {}
    for kind in MODEL_KINDS:
        path = current_model_path(config, kind)
        try:
            models[kind] = {"version": model_version(path.read_bytes()),
                            "origin": "taught" if path.parent == config.taught_model_dir else "shipped"}
        except OSError:
            models[kind] = {"version": None, "origin": "missing"}
    return models


def health(config: KioskConfig, now: dt.datetime | None = None) -> dict:
    """The health file's contents for this kiosk now."""
    now = now or dt.datetime.now(dt.timezone.utc)
    paths = FleetPaths.of(config)
    try:
        applied = json.loads(paths.applied.read_text())
    except (OSError, ValueError):
        applied = {}
    records = FeedbackStore(config.feedback_dir).load()
    return {"format": FORMAT, "kiosk": kiosk_name(config), "role": config.fleet_role,
            "written": now.isoformat(timespec="seconds"), "version": version(),
            "models": models_in_use(config), "fleet_models": applied.get("applied", {}),
            "refused": applied.get("refused"), "drawings": drawing_counts(records, now),
            "disk_free_mb": round(free_bytes(config.data_dir_path) / 1e6, 1),
            "errors": log_errors(config.log_dir_path / "kiosk.log")}


def write_health(config: KioskConfig) -> bool:
    """Write outbox/health.json; False (logged) when the disk is full: the kiosk carries on."""
    path = FleetPaths.of(config).health
    try:
        write_text_atomic(path, json.dumps(health(config), indent=1) + "\n")
        return True
    except OSError as error:
        log.error("cannot write the fleet health file %s (%s)", path, error.strerror or error)
        return False
