"""LaunchOptions: how this run of the kiosk was started (the command line's choices)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.replay import ReplayEvent


@dataclass(frozen=True)
class LaunchOptions:
    """How this run of the kiosk was started."""

    windowed: bool = False
    headless: bool = False
    size: tuple[int, int] | None = None
    replay: list[ReplayEvent] | None = None
    events_out: Path | None = None
    exit_when_done: bool = False
    config_path: Path | None = None  # re-read on SIGHUP
