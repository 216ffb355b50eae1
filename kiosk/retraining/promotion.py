"""Putting a retrained model in front of children, safely: verify, keep the old one, swap atomically.

The taught-model folder (the kiosk's data dir, models/) holds KIND.onnx (what the kiosk runs, in
preference to the shipped file), versions/ (the ones before it, newest last) and rejected/ (models
the gate refused, with a report). A kill -9 at any moment leaves KIND.onnx either the old file or
the new one, never a mix: the new file is complete and fsynced before one rename replaces it.

Kept files are numbered in the order they were saved (KIND-s0000000007-<UTC stamp>.onnx) and found,
ordered and pruned by that number, never by the date: a Pi without a real-time clock can boot in 1970
or jump years and back. Date-named files of older kiosks (KIND-2026...onnx) still count, before them.
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
SEQUENCE_DIGITS = 10


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
        write_bytes_atomic(_numbered(taught_dir / "versions", f"{kind}-", ".onnx"), current.read_bytes())
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
    for previous in reversed(versions(taught_dir / "versions", kind)):
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
        backup = _numbered(taught_dir / "versions", f"{kind}-rolled-back-", ".onnx.bak")
        write_bytes_atomic(backup, current.read_bytes())
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
    for old in _in_order(folder, f"{kind}-rolled-back-", ".onnx.bak")[:-keep]:
        old.unlink(missing_ok=True)


def _mark_report_undone(data_dir: Path) -> None:
    report = read_report(data_dir)
    if report is not None and report.get("promoted"):
        report.update(promoted=False, rolled_back=stamp(), reasons=["rolled back with --rollback"])
        write_text_atomic(data_dir / REPORT_NAME, json.dumps(report, indent=1) + "\n")


def set_aside(onnx_bytes: bytes, taught_dir: Path, kind: str, report: dict) -> Path:
    """Keep a model the gate refused, with the report that says why."""
    path = _numbered(taught_dir / "rejected", f"{kind}-", ".onnx")
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
        for version in versions(taught_dir / "versions", current.stem):
            if version.read_bytes() == data:
                version.unlink(missing_ok=True)


def versions(folder: Path, kind: str) -> list[Path]:
    """The kept KIND models in folder (versions/ or rejected/), oldest first."""
    return _in_order(folder, f"{kind}-", ".onnx")


def _in_order(folder: Path, prefix: str, suffix: str) -> list[Path]:
    """Files named prefix + s<number>-<stamp> + suffix by their number, after older kiosks' prefix + <stamp> + suffix
    (by name: their only order). Anything else in the folder is not one of them."""
    def key(path: Path):
        middle = path.name[len(prefix):len(path.name) - len(suffix)]
        number = _sequence(middle)
        return (0, 0, middle) if number is None else (1, number, middle)

    try:
        found = [p for p in folder.glob(f"{prefix}*{suffix}") if _belongs(p.name, prefix, suffix)]
    except OSError:
        return []
    return sorted(found, key=key)


def _belongs(name: str, prefix: str, suffix: str) -> bool:
    middle = name[len(prefix):len(name) - len(suffix)]
    return name.startswith(prefix) and name.endswith(suffix) and (middle[:1].isdigit() or _sequence(middle) is not None)


def _sequence(middle: str) -> int | None:
    """7 for "s0000000007-19700103T023000000000Z"; None for an older kiosk's date-only name."""
    digits = middle[1:1 + SEQUENCE_DIGITS]
    return int(digits) if middle[:1] == "s" and len(digits) == SEQUENCE_DIGITS and digits.isdigit() else None


def _numbered(folder: Path, prefix: str, suffix: str) -> Path:
    """The next name in folder's order: one more than the newest kept (the stamp is for people only)."""
    newest = _in_order(folder, prefix, suffix)[-1:]
    number = 1 + max((_sequence(p.name[len(prefix):]) or 0 for p in newest), default=0)
    return folder / f"{prefix}s{number:0{SEQUENCE_DIGITS}d}-{stamp()}{suffix}"


def _prune(folder: Path, kind: str, keep: int) -> None:
    for old in versions(folder, kind)[:-keep]:
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
