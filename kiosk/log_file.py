"""The kiosk's log file, which degrades quietly: a full or read-only disk costs the file, not the
journal. logging's own handlers print a "--- Logging error ---" traceback for every record they
cannot write (424 of them in 115 s on a full data dir), and never try the file again.
"""

from __future__ import annotations

import logging.handlers
import sys
import time

RETRY_S = 60.0  # how often to try the file again while it cannot be written


class QuietLogFile(logging.handlers.RotatingFileHandler):
    """A size-capped rotating log file; on a write error, one line on stderr, then a retry every RETRY_S."""

    def __init__(self, path, max_bytes: int, backups: int, retry_s: float = RETRY_S, clock=time.monotonic):
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True)
        self.retry_s, self.clock = retry_s, clock
        self.failing = False  # since the first failed write, until one succeeds again
        self.next_try = 0.0
        self.dropped = 0  # records not written since the file failed

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failing:
            super().emit(record)  # on an error, logging calls handleError below
            return
        if self.clock() < self.next_try:
            self.dropped += 1
            return
        self.next_try = self.clock() + self.retry_s
        note = logging.makeLogRecord(
            {
                "name": "kiosk.log_file",
                "levelno": logging.WARNING,
                "levelname": "WARNING",
                "msg": "the log file is writable again; %d messages could not be written to it",
                "args": (self.dropped,),
            }
        )
        self.failing = False
        super().emit(note)
        if self.failing:  # still full: handleError counted this record as dropped
            return
        self.dropped = 0
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # logging's own name for it
        if not self.failing and self.dropped == 0:  # one line per outage, not one per record
            try:
                sys.stderr.write(
                    f"kiosk: cannot write the log file {self.baseFilename} ({sys.exc_info()[1]}); "
                    f"the terminal keeps logging, the file is tried again every {self.retry_s:.0f} s\n"
                )
            except (OSError, ValueError):
                pass
        self.failing, self.next_try = True, self.clock() + self.retry_s
        self.dropped += 1
        stream, self.stream = self.stream, None  # reopened on the next try (delay=True)
        if stream is not None:
            try:
                stream.close()
            except (OSError, ValueError):
                pass  # the buffered bytes are what did not fit
