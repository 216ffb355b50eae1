"""Ctrl-C (SIGINT) always stops a long run.

Python turns SIGINT into KeyboardInterrupt at the next bytecode, but an interrupt that lands inside
a finalizer or a callback is printed as "Exception ignored" and lost, and the run goes on. The
handler here also sets a flag that the training loops check at every step, so a stop is never lost.
"""
from __future__ import annotations

import signal
import threading

_asked = threading.Event()


def _on_signal(signum, frame) -> None:
    _asked.set()
    raise KeyboardInterrupt


def install() -> None:
    """Route SIGINT here (call once, from the command line's main thread)."""
    _asked.clear()
    signal.signal(signal.SIGINT, _on_signal)


def check() -> None:
    """Raise KeyboardInterrupt if a stop was asked, even if the first one was swallowed."""
    if _asked.is_set():
        raise KeyboardInterrupt
