"""Replay files: JSON lines of a child's inputs, t seconds after the start.

    {"t": s, "type": "down"|"move"|"up", "x": 0..1, "y": 0..1}   a finger on the canvas (x, y relative to it)
    {"t": s, "type": "clear"|"recognize"}                         the Clear and Go buttons
    {"t": s, "type": "teach", "digit": N}                         "Did I get it right?" No, then N on the keypad
    {"t": s, "type": "yes"}                                       "Did I get it right?" Yes

The app turns them into real pygame touch events on where those buttons are, so a replay takes exactly the
path a finger does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError

REPLAY_TYPES = ("down", "move", "up", "clear", "recognize", "teach", "yes")
ON_THE_CANVAS = ("down", "move", "up")


@dataclass(frozen=True)
class ReplayEvent:
    """One scripted input, t seconds after the start."""

    t: float
    type: str
    x: float = 0.0
    y: float = 0.0
    digit: int | None = None  # "teach": the digit the child taps on the keypad


def _event(raw: dict) -> ReplayEvent:
    if not isinstance(raw, dict):
        raise TypeError("a replay line is a JSON object")
    digit = raw.get("digit")
    if raw["type"] == "teach" and (type(digit) is not int or digit not in range(10)):
        raise ValueError(f"a teach event needs a digit 0-9, not {digit!r}")
    return ReplayEvent(
        float(raw["t"]),
        str(raw["type"]),
        float(raw.get("x", 0.0)),
        float(raw.get("y", 0.0)),
        digit if raw["type"] == "teach" else None,
    )


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
            event = _event(json.loads(line))
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


def as_json(event: ReplayEvent) -> dict:
    """The event as a replay line holds it (x, y only on the canvas, digit only when teaching)."""
    line: dict = {"t": event.t, "type": event.type}
    if event.type in ON_THE_CANVAS:
        line.update(x=event.x, y=event.y)
    if event.type == "teach":
        line["digit"] = event.digit
    return line


def dump(events: list[ReplayEvent]) -> str:
    """JSON lines for a list of events."""
    return "".join(json.dumps(as_json(e)) + "\n" for e in events)
