"""Putting a retrained model in front of children, safely: verify, keep the old one, swap atomically.

The taught-model folder (the kiosk's data dir, models/) holds KIND.onnx (what the kiosk runs, in
preference to the shipped file), versions/ (the ones before it, newest last) and rejected/ (models
the gate refused, with a report). A kill -9 at any moment leaves KIND.onnx either the old file or
the new one, never a mix: the new file is complete and fsynced before one rename replaces it.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path

from kiosk.atomic_write import write_bytes_atomic, write_text_atomic
from kiosk.errors import ModelLoadError
from kiosk.teaching.feedback_store import remove_stale_temp_files
from kiosk.recognition.recognizer import Recognizer
from kiosk.teaching.status import REPORT_NAME, read_report

KEEP_VERSIONS = 3


class RetrainBusy(Exception):
    """Another retrain (or rollback) holds the lock."""


@contextmanager
def retrain_lock(data_dir: Path):
    """Only one retrain or rollback at a time; the OS frees the lock if the holder dies (even kill -9)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "retrain.lock"
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RetrainBusy(f"another retrain is running (pid {holder}; lock {path}); "
                              "try again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def verify(path: Path) -> Recognizer:
    """The file as the kiosk will load it: onnxruntime opens it and it fits the model contract."""
    return Recognizer(path)


def promote(onnx_bytes: bytes, taught_dir: Path, kind: str, keep: int = KEEP_VERSIONS) -> Path:
    """Make onnx_bytes the kiosk's KIND model; the previous taught one goes to versions/. Returns the path."""
    taught_dir.mkdir(parents=True, exist_ok=True)
    current = taught_dir / f"{kind}.onnx"
    incoming = taught_dir / f".{kind}.onnx.incoming"
    write_bytes_atomic(incoming, onnx_bytes)  # complete and fsynced before anything else changes
    try:
        verify(incoming)
    except ModelLoadError:
        incoming.unlink(missing_ok=True)
        raise
    if current.exists():
        write_bytes_atomic(taught_dir / "versions" / f"{kind}-{stamp()}.onnx", current.read_bytes())
    os.replace(incoming, current)
    _fsync_dir(taught_dir)
    _prune(taught_dir / "versions", kind, keep)
    return current


def rollback(taught_dir: Path, kind: str) -> str:
    """Put back the model before the current one: the newest kept version that loads, or else the shipped
    model. A damaged version is moved to rejected/ and the next older one is tried. The last retrain
    report is marked as undone, so --status and the Learn screen stop claiming its lesson.

    Returns what happened, in words."""
    current = taught_dir / f"{kind}.onnx"
    # A kill between "keep the old one" and the rename can leave a copy of the current model as the
    # newest version: restoring that would change nothing, so it is skipped (and removed).
    current_bytes = current.read_bytes() if current.exists() else None
    skipped = []
    for previous in reversed(_versions(taught_dir / "versions", kind)):
        data = previous.read_bytes()
        if data == current_bytes:
            previous.unlink()
            continue
        try:
            verify(previous)
        except ModelLoadError:
            skipped.append(previous.name)
            previous.replace(_free_path(taught_dir / "rejected" / f"damaged-{previous.name}"))
            continue
        write_bytes_atomic(current, data)
        previous.unlink()
        _mark_report_undone(taught_dir.parent)
        return f"restored {previous.name}" + _skipped_words(skipped)
    if current.exists():
        write_bytes_atomic(taught_dir / "versions" / f"{kind}-rolled-back-{stamp()}.onnx.bak", current.read_bytes())
        current.unlink()
        _fsync_dir(taught_dir)
        _prune_backups(taught_dir / "versions", kind)
        _mark_report_undone(taught_dir.parent)
        return "removed the retrained model: the kiosk runs the shipped one again" + _skipped_words(skipped)
    return "nothing to roll back: the kiosk already runs the shipped model"


def _skipped_words(skipped: list[str]) -> str:
    return f" (skipped damaged {', '.join(skipped)})" if skipped else ""


def _free_path(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path if not path.exists() else path.with_name(f"{path.stem}-{stamp()}{path.suffix}")


def _prune_backups(folder: Path, kind: str, keep: int = KEEP_VERSIONS) -> None:
    # The .bak files of rollbacks to the shipped model: enough to undo an undo, bounded.
    for old in sorted(folder.glob(f"{kind}-rolled-back-*.onnx.bak"))[:-keep]:
        old.unlink(missing_ok=True)


def _mark_report_undone(data_dir: Path) -> None:
    report = read_report(data_dir)
    if report is not None and report.get("promoted"):
        report.update(promoted=False, rolled_back=stamp(), reasons=["rolled back with --rollback"])
        write_text_atomic(data_dir / REPORT_NAME, json.dumps(report, indent=1) + "\n")


def set_aside(onnx_bytes: bytes, taught_dir: Path, kind: str, report: dict) -> Path:
    """Keep a model the gate refused, with the report that says why."""
    path = taught_dir / "rejected" / f"{kind}-{stamp()}.onnx"
    write_bytes_atomic(path, onnx_bytes)
    write_text_atomic(path.with_suffix(".json"), json.dumps(report, indent=1) + "\n")
    _prune(taught_dir / "rejected", kind, keep=KEEP_VERSIONS)
    return path


def clean_leftovers(taught_dir: Path) -> None:
    """Remove what a killed run left: an incoming model never renamed, temp files of atomic writes, and
    a kept version identical to the current model (a kill between keeping it and the rename)."""
    for leftover in taught_dir.glob(".*.onnx.incoming"):
        leftover.unlink(missing_ok=True)
    # Under the retrain lock nothing else writes in the model folders: their temp files go at once (1.1 MB
    # each); the data dir is shared with the kiosk, so only temp files older than an hour go there.
    for folder in (taught_dir, taught_dir / "versions", taught_dir / "rejected"):
        remove_stale_temp_files(folder, older_than_s=0)
    remove_stale_temp_files(taught_dir.parent)
    for current in taught_dir.glob("*.onnx"):
        data = current.read_bytes()
        for version in _versions(taught_dir / "versions", current.stem):
            if version.read_bytes() == data:
                version.unlink(missing_ok=True)


def _versions(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.glob(f"{kind}-2*.onnx")) if folder.is_dir() else []  # the stamp starts with the year


def _prune(folder: Path, kind: str, keep: int) -> None:
    for old in _versions(folder, kind)[:-keep]:
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
