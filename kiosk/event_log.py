"""The headless event log: one JSON object per line for what the kiosk did (recognized, speech, ...)."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TextIO

log = logging.getLogger(__name__)


class EventLog:
    """Appends JSON lines to a file (line-buffered, so a crash keeps what was written)."""

    def __init__(self, path: str | Path | None):
        self._file: TextIO | None = open(path, "a", encoding="utf-8", buffering=1) if path else None

    def write(self, **event) -> None:
        if self._file is None:
            return
        try:
            self._file.write(json.dumps(event) + "\n")
        except OSError as error:  # a full disk must not stop the kiosk
            log.warning("event log write failed: %s", error)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
