"""The grown-ups' PIN lockout: wrong PINs in a row and how long the keypad waits, kept in the data dir.

A restart (a pulled plug, a crash, systemd's Restart=always) gives no fresh tries: the count and the wait are
read back at start. The wait runs on the wall clock between runs, but never longer than it was when saved
(a clock set back to 1970 does not lock the grown-ups out for decades). pygame-free.
"""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Callable

from kiosk.atomic_write import write_text_atomic

log = logging.getLogger(__name__)
FREE_TRIES = 3  # wrong PINs before each further try must wait
WAIT_AFTER_WRONG_MS = 5_000  # ... this long, doubling with every further wrong PIN
LOCK_AFTER = 6  # wrong PINs in a row before the keypad locks
LOCKED_MS = 5 * 60_000
MAX_STATE_BYTES = 4096  # the file holds three numbers; anything bigger is not ours


class PinLockout:
    """Counts wrong PINs, says how long the keypad must wait, and keeps both in `path` (None: memory only)."""

    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.time):
        self.path, self.clock = path, clock
        self.wrong_in_a_row = 0
        self.wait_ms = 0.0  # until the keypad takes another PIN (slowed, or locked)
        self._save_failed = False
        if path is not None:
            self._load()

    @property
    def locked(self) -> bool:
        return self.wait_ms > 0

    def wrong(self) -> None:
        """One more wrong PIN: slow the next try, or lock the keypad."""
        self.wrong_in_a_row += 1
        if self.wrong_in_a_row >= LOCK_AFTER:
            self.wait_ms = LOCKED_MS
            log.warning(
                "admin PIN: %d wrong in a row; keypad locked for %d minutes", self.wrong_in_a_row, LOCKED_MS // 60_000
            )
            self.wrong_in_a_row = FREE_TRIES  # after the lock, each wrong PIN waits again
        elif self.wrong_in_a_row > FREE_TRIES:
            self.wait_ms = WAIT_AFTER_WRONG_MS * 2 ** (self.wrong_in_a_row - FREE_TRIES - 1)
            log.warning("admin PIN: %d wrong in a row; next try in %d s", self.wrong_in_a_row, self.wait_ms // 1000)
        else:
            log.info("admin PIN: wrong (%d in a row)", self.wrong_in_a_row)
        self._save()

    def right(self) -> None:
        """The right PIN: the count starts again."""
        self.wrong_in_a_row, self.wait_ms = 0, 0.0
        self._save()

    def count_down(self, dt_ms: float) -> None:
        """Time passes (called every frame); no write: a restart measures the time since the last save."""
        if self.wait_ms > 0:
            self.wait_ms = max(0.0, self.wait_ms - dt_ms)

    def _save(self) -> None:
        state = {"wrong_in_a_row": self.wrong_in_a_row, "wait_ms": self.wait_ms, "saved_at": self.clock()}
        if self.path is None:
            return
        try:
            write_text_atomic(self.path, json.dumps(state) + "\n")
            self._save_failed = False
        except OSError as error:
            if not self._save_failed:  # once: a read-only card must not fill the log
                log.warning(
                    "admin PIN: cannot keep the count of wrong PINs in %s (%s); it holds until a restart",
                    self.path,
                    error,
                )
            self._save_failed = True

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as file:
                text = file.read(MAX_STATE_BYTES + 1)
            state = json.loads(text) if len(text) <= MAX_STATE_BYTES else None
            wrong, wait_ms, saved_at = state["wrong_in_a_row"], state["wait_ms"], state["saved_at"]
            if not _count(wrong) or not _number(wait_ms) or not _number(saved_at):
                raise ValueError("not a count, a wait and a time")
        except FileNotFoundError:
            return  # never a wrong PIN here yet
        except (OSError, ValueError, TypeError, KeyError, RecursionError) as error:
            # Not ours, or damaged: no free tries for whoever damaged it, and no lock for the grown-ups.
            log.warning(
                "admin PIN: the lockout file %s cannot be read (%s); counting as %d wrong PINs",
                self.path,
                error,
                FREE_TRIES,
            )
            self.wrong_in_a_row = FREE_TRIES
            return
        passed_ms = max(0.0, (self.clock() - saved_at) * 1000)  # a clock set back: nothing passed
        self.wrong_in_a_row = min(wrong, LOCK_AFTER)
        self.wait_ms = min(max(0.0, wait_ms - passed_ms), LOCKED_MS)
        if self.wrong_in_a_row or self.wait_ms:
            log.info(
                "admin PIN: %d wrong in a row before the restart; next try in %d s",
                self.wrong_in_a_row,
                self.wait_ms // 1000,
            )


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
