"""The headless event log: one JSON object per line for what the kiosk did (recognized, speech, ...).

Every event carries t: seconds on the kiosk's clock since it started (in a replay, the replay's
clock), so tests and benchmarks can tell how long anything took a child to see.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Callable, TextIO

from kiosk.errors import KioskError

log = logging.getLogger(__name__)


class EventLog:
    """Appends JSON lines to a file (line-buffered, so a crash keeps what was written)."""

    def __init__(self, path: str | Path | None, clock: Callable[[], float] | None = None):
        try:
            self._file: TextIO | None = open(path, "a", encoding="utf-8", buffering=1) if path else None
        except OSError as error:
            raise KioskError(f"cannot write the event log {path} ({error.strerror}): "
                             "give --events-out a file in a folder that exists and is writable") from None
        started = time.monotonic()
        self._clock = clock or (lambda: time.monotonic() - started)

    def write(self, **event) -> None:
        if self._file is None:
            return
        try:
            self._file.write(json.dumps({"t": round(self._clock(), 3), **event}) + "\n")
        except OSError as error:  # a full disk must not stop the kiosk
            log.warning("event log write failed: %s", error)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
