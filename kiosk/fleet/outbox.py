"""A kiosk's outbox: its labelled drawings, mirrored for Syncthing to send to the hub (send-only).

The mirror is made of hard links to the feedback store's own files (no second copy on the SD card; a plain copy
where links are not possible), named as the store names them. A record the store dropped (the cap, or one
drawing labelled again) goes from the outbox too, so the hub's copy follows the store. Records are the store's:
strokes, the 28x28 picture, the label, the model's answer, a timestamp; nothing about the child.
"""
from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from kiosk.teaching.feedback_store import SUFFIX

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mirrored:
    """What one pass of the mirror did."""

    added: int
    removed: int
    failed: int  # files that could not be linked or copied (a full disk): tried again next pass


def _records(folder: Path) -> set[str]:
    try:
        return {p.name for p in folder.iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith(".")}
    except OSError:
        return set()


def mirror(feedback_dir: Path, drawings: Path) -> Mirrored:
    """Make drawings/ hold exactly the feedback store's records; never raises for a full or read-only disk."""
    wanted, present = _records(feedback_dir), _records(drawings)
    added = removed = failed = 0
    try:
        drawings.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.error("cannot make the fleet outbox %s (%s); the kiosk carries on without sending", drawings, error)
        return Mirrored(0, 0, len(wanted - present))
    for name in sorted(wanted - present):
        try:
            _link_or_copy(feedback_dir / name, drawings / name)
            added += 1
        except FileNotFoundError:
            pass  # dropped by the store meanwhile
        except OSError as error:
            failed += 1
            if failed == 1:
                log.error("cannot put %s in the fleet outbox (%s); trying again later", name, error.strerror or error)
    for name in sorted(present - wanted):
        try:
            (drawings / name).unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except OSError:
            failed += 1
    return Mirrored(added, removed, failed)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link (the same file twice, no space); a copy through a temp file where links fail."""
    try:
        os.link(source, target)
        return
    except FileExistsError:
        return
    except OSError:
        pass
    temp = target.with_name(f".{target.name}.tmp")
    try:
        shutil.copyfile(source, temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
