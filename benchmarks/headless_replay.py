"""Real drawn digits replayed through the headless kiosk, as the turn-taking benchmarks (drawing-session, turns)
do it: a child's strokes placed as replay events, the kiosk's event log read back, each digit's answers
found in it, and their shared options."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from kiosk.app import App, LaunchOptions
from kiosk.config import KioskConfig
from kiosk.learning import drawn_digits
from kiosk.replay import ReplayEvent

FPS = 30  # the replay's frame rate: an answer lands on a frame, within 33 ms of its time
POINT_INTERVAL_S = 0.01  # a child's finger: 100 points a second
PAUSE_S = (0.2, 1.5)  # between two strokes of one digit, as a thinking child's


def draw(strokes, t: float, rng, events: list[ReplayEvent]) -> tuple[float, float]:
    """Append one digit's strokes (canvas fractions) from time t; returns (its first touch, its last lift)."""
    start = t
    for k, stroke in enumerate(strokes):
        if k:
            t += rng.uniform(*PAUSE_S)
        for i, (x, y) in enumerate(stroke):
            events.append(ReplayEvent(t, "down" if i == 0 else "move", float(x), float(y)))
            t += POINT_INTERVAL_S
        events.append(ReplayEvent(t, "up", float(stroke[-1][0]), float(stroke[-1][1])))
    return start, t


def play(events: list[ReplayEvent], **settings) -> list[dict]:
    """The events the headless kiosk logged while playing the replay: muted, keeping nothing, never idle;
    settings are KioskConfig fields (fps_active is FPS unless given)."""
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "events.jsonl"
        config = KioskConfig(**{"fps_active": FPS, **settings}, collect_feedback=False, data_dir=work,
                             idle_timeout_s=600, muted=True)
        App(config, LaunchOptions(headless=True, replay=events, events_out=out, exit_when_done=True)).run()
        return [json.loads(line) for line in out.read_text().splitlines()]


def answers_to(answers: list[dict], digits: list[dict], index: int) -> tuple[float, bool, list[dict]]:
    """The answers while digit index was the last one begun (from its first touch to the next digit's):
    (the next digit's first touch, whether one came before its last stroke, the ones after its last stroke)."""
    digit = digits[index]
    end = digits[index + 1]["start"] if index + 1 < len(digits) else float("inf")
    mine = [a for a in answers if digit["start"] <= a["t"] < end]
    return end, any(a["t"] < digit["last_up"] for a in mine), [a for a in mine if a["t"] >= digit["last_up"]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options both benchmarks take: --seed, --drawn-dir, --out."""
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--drawn-dir")
    parser.add_argument("--out", type=Path)


def load_drawn(args: argparse.Namespace):
    """The drawn digits named by --drawn-dir (or $DRAWN_DIGITS_DIR), with SDL set up for the headless kiosk."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    return drawn_digits.load(args.drawn_dir)
