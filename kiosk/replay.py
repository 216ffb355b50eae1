"""Replay files: JSON lines {"t": s, "type": down|move|up|clear|recognize, "x": 0..1, "y": 0..1}.

x and y are relative to the drawing canvas. The app turns them into real pygame touch events, so a
replay takes exactly the path a finger does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError

REPLAY_TYPES = ("down", "move", "up", "clear", "recognize")


@dataclass(frozen=True)
class ReplayEvent:
    """One scripted input, t seconds after the start."""

    t: float
    type: str
    x: float = 0.0
    y: float = 0.0


def load(path: str | Path) -> list[ReplayEvent]:
    """Parse a replay file, sorted by time; KioskError naming the file and line when a line is bad."""
    events = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise KioskError(f"cannot read replay file {path}: {error}") from error
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            event = ReplayEvent(float(raw["t"]), str(raw["type"]), float(raw.get("x", 0.0)), float(raw.get("y", 0.0)))
        except (ValueError, KeyError, TypeError) as error:
            raise KioskError(f"{path}:{number}: not a replay event ({error})") from error
        if event.type not in REPLAY_TYPES or not all(math.isfinite(v) for v in (event.t, event.x, event.y)):
            raise KioskError(f"{path}:{number}: type must be one of {REPLAY_TYPES} with finite t, x, y")
        events.append(event)
    return sorted(events, key=lambda e: e.t)


def from_strokes(
    strokes, canvas_size: float, start_s: float = 0.0, point_interval_s: float = 0.005
) -> list[ReplayEvent]:
    """Replay events that draw strokes given in canvas pixels (canvas_size pixels square), then recognize."""
    events, t = [], start_s
    for stroke in strokes:
        for i, (x, y) in enumerate(stroke):
            kind = "down" if i == 0 else "move"
            events.append(ReplayEvent(t, kind, float(x) / canvas_size, float(y) / canvas_size))
            t += point_interval_s
        last_x, last_y = stroke[-1]
        events.append(ReplayEvent(t, "up", float(last_x) / canvas_size, float(last_y) / canvas_size))
        t += 0.05
    events.append(ReplayEvent(t, "recognize"))
    events.append(ReplayEvent(t + 0.05, "clear"))
    return events


def dump(events: list[ReplayEvent]) -> str:
    """JSON lines for a list of events."""
    return "".join(json.dumps(e.__dict__) + "\n" for e in events)
