"""A time limit on one onnxruntime run: a model that hangs is cut off, not waited for.

onnxruntime checks RunOptions.terminate between the graph's nodes (inside loops too), so one
daemon thread that sets it at the deadline stops a run that would take 40 s after the limit.
"""
from __future__ import annotations

import itertools
import threading
import time
from typing import Callable

from kiosk.errors import ModelRunError
from kiosk.recognition.runtime import ort


class _Watchdog:
    """One daemon thread for every model: it sleeps until the earliest deadline of the runs in progress."""

    def __init__(self):
        self._wake = threading.Condition()
        self._runs: dict[int, tuple[float, ort.RunOptions]] = {}  # token -> (deadline, the run's options)
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None
        self._wakes_at = 0.0  # when the thread wakes by itself (inf: only when woken)

    def arm(self, options: ort.RunOptions, limit_s: float) -> int:
        with self._wake:
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="model-run-limit", daemon=True)
                self._thread.start()
            token = next(self._tokens)
            deadline = time.monotonic() + limit_s
            self._runs[token] = (deadline, options)
            if deadline < self._wakes_at:  # else it wakes before this deadline anyway (saves a thread switch)
                self._wake.notify()
            return token

    def disarm(self, token: int) -> None:
        with self._wake:
            self._runs.pop(token, None)  # no notify: the thread wakes at its deadline and finds nothing due

    def _watch(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                for token, (deadline, options) in list(self._runs.items()):
                    if deadline <= now:
                        options.terminate = True
                        del self._runs[token]
                self._wakes_at = min((deadline for deadline, _ in self._runs.values()), default=float("inf"))
                self._wake.wait(self._wakes_at - now if self._runs else None)


_WATCHDOG = _Watchdog()


def run_within(run: Callable[[ort.RunOptions], list], limit_s: float, what: str) -> list:
    """run(options) cut off after limit_s: ModelRunError naming what (the model's file) if it was."""
    options = ort.RunOptions()
    options.log_severity_level = 4  # the cut is reported once, by the caller, not as an onnxruntime error too
    token = _WATCHDOG.arm(options, limit_s)
    try:
        return run(options)
    except Exception as error:  # onnxruntime's own pybind classes
        if options.terminate:
            raise ModelRunError(f"{what} was stopped after {limit_s * 1000:.0f} ms without an answer") from error
        raise ModelRunError(f"{what} failed on a drawing ({error})") from error
    finally:
        _WATCHDOG.disarm(token)
