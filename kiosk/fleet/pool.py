"""The hub's pool: every kiosk's labelled drawings in one feedback folder, a prank burst judged per kiosk first.

Each kiosk's records arrive (Syncthing, receive-only) in kiosks/NAME/drawings/; the hub's own, if it is a kiosk
too, are in its feedback store. A burst of the same contradiction is a game on one kiosk: judged on that
kiosk's own labels (its newest, by its own order), it is set aside before the pool is made, and the nightly
retrain then judges the pool again as it judges one kiosk. The pool is hard links (a copy where links fail),
named so the feedback store reads them in one order: each kiosk's order kept, kiosks interleaved by time.
"""
from __future__ import annotations

import heapq
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.config import KioskConfig
from kiosk.fleet.paths import FleetPaths, kiosk_name
from kiosk.teaching.feedback_store import SUFFIX, Labelled, read_record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KioskDrawings:
    """One kiosk's readable records (oldest first, each drawing once) and the files they came from."""

    name: str
    records: list[Labelled]
    files: list[Path]
    skipped: int


def sources(config: KioskConfig) -> list[tuple[str, Path]]:
    """(kiosk name, folder of its records): the hub's own store, then every kiosk that sends to it."""
    paths = FleetPaths.of(config)
    found = [(kiosk_name(config), config.feedback_dir)]
    try:
        found += [(d.name, d / "drawings") for d in sorted(paths.kiosks.iterdir()) if d.is_dir()]
    except OSError:
        pass
    return found


def read_kiosk(name: str, folder: Path) -> KioskDrawings:
    """A kiosk's records as its store would read them; damaged files counted, never fatal."""
    newest: dict[str, tuple[Labelled, Path]] = {}
    skipped = 0
    try:
        names = sorted(p for p in folder.iterdir() if p.suffix == SUFFIX and not p.name.startswith("."))
    except OSError:
        names = []
    for path in names:
        try:
            record = read_record(path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            skipped += 1
            continue
        newest.pop(record.drawing, None)
        newest[record.drawing] = (record, path)
    kept = list(newest.values())
    return KioskDrawings(name, [r for r, _ in kept], [p for _, p in kept], skipped)


def doubted_here(drawings: KioskDrawings, model: str) -> np.ndarray:
    """The nightly retrain's doubt on this kiosk alone: its own burst, among its own newest labels."""
    from kiosk.retraining.doubt import BURST_WINDOW, doubted
    from kiosk.retraining.judging import probabilities
    from kiosk.retraining.nightly import images_of

    if not drawings.records:
        return np.zeros(0, dtype=bool)
    images, labels = images_of(drawings.records)
    count = len(labels)
    return doubted(probabilities(model, images), labels, np.arange(count) >= count - BURST_WINDOW)


def make_pool(config: KioskConfig, pool: Path, model: str) -> dict:
    """Fill pool/ with every kiosk's believed records; returns per kiosk: drawings, doubted, skipped."""
    pool.mkdir(parents=True, exist_ok=True)
    for old in pool.glob(f"*{SUFFIX}"):
        old.unlink()
    kept, per_kiosk = [], {}
    for name, folder in sources(config):
        drawings = read_kiosk(name, folder)
        doubt = doubted_here(drawings, model)
        per_kiosk[name] = {"drawings": len(drawings.records), "doubted_here": int(doubt.sum()),
                           "skipped": drawings.skipped}
        kept.append([(r.created, name, f) for r, f, d in zip(drawings.records, drawings.files, doubt) if not d])
    # heapq.merge keeps each kiosk's own order (a kiosk's clock may jump; its order never does)
    for number, (_, name, source) in enumerate(heapq.merge(*kept, key=lambda item: item[0]), start=1):
        _link(source, pool / f"s{number:010d}-{name}-{source.name}")
    return per_kiosk


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
