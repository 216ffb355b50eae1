"""Frame times of the kiosk's own loop while a finger draws 2,000 points, while the answer animates in,
and in the attract loop: what decides whether a Pi keeps 30 fps (33 ms a frame).

Runs the real App (input translation, screen update and draw, flip) in this process, headless
unless DISPLAY is set (then on that X display, e.g. an Xvfb). "whole" redraws the ink from scratch
every frame, as the kiosk did before its ink became incremental, for comparison.

Usage: python -m benchmarks frames [--size 800x480] [--points 2000] [--out runs/bench_frames.json]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import pygame

from kiosk.app import App, LaunchOptions
from kiosk.config import KioskConfig
from kiosk.ui import widgets
from benchmarks.report import emit

PROJECT_ROOT = Path(__file__).resolve().parent.parent

FRAME_MS = 1000 / 60


def percentiles(times_s: list[float]) -> dict:
    ms = np.array(times_s) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(ms.max()), 2),
        "frames": len(ms),
    }


def finger(app: App, kind: int, x: float, y: float) -> None:
    width, height = app.surface.get_size()
    pygame.event.post(
        pygame.event.Event(kind, x=x / width, y=y / height, dx=0.0, dy=0.0, finger_id=0, touch_id=0, pressure=1.0)
    )


def timed_frame(app: App, times: list[float]) -> None:
    started = time.perf_counter()
    app.frame(FRAME_MS)
    times.append(time.perf_counter() - started)


def drawing(app: App, points: int) -> list[float]:
    """A finger drawing a long looping line, 10 points a frame (600 points a second, a fast child)."""
    c = app.screens["draw"].canvas
    t = np.linspace(0, 14 * np.pi, points)
    xs = c.centerx + c.width * 0.4 * np.sin(t) * np.cos(t / 7)
    ys = c.centery + c.height * 0.4 * np.cos(1.3 * t)
    times: list[float] = []
    finger(app, pygame.FINGERDOWN, xs[0], ys[0])
    for start in range(1, points, 10):
        for x, y in zip(xs[start : start + 10], ys[start : start + 10]):
            finger(app, pygame.FINGERMOTION, x, y)
        timed_frame(app, times)
    finger(app, pygame.FINGERUP, xs[-1], ys[-1])
    return times


def answering(app: App) -> list[float]:
    """The frames from Go to the end of the answer's entrance (digit pop, bars, dots)."""
    draw = app.screens["draw"]
    draw.press("clear")
    draw.ink.begin(draw.canvas.width * 0.5, draw.canvas.height * 0.15)
    draw.ink.extend(draw.canvas.width * 0.5, draw.canvas.height * 0.85)
    draw.ink.end()
    draw.press("recognize")
    times: list[float] = []
    for _ in range(int(1500 / FRAME_MS)):
        timed_frame(app, times)
    return times


def attract(app: App) -> list[float]:
    app.screens["draw"].start_attract()
    app.screen = app.screens["draw"]
    times: list[float] = []
    for _ in range(int(6000 / FRAME_MS)):
        timed_frame(app, times)
    return times


def run(size: tuple[int, int], points: int, whole: bool) -> dict:
    original = widgets.InkLayer.update
    if whole:  # the old way: every frame renders all the ink again
        widgets.InkLayer.update = lambda self, strokes: widgets.render_ink(strokes, self.size, self.pen_px)
    try:
        with tempfile.TemporaryDirectory() as work:
            config = KioskConfig(data_dir=work, log_dir=str(Path(work) / "logs"), muted=True, collect_feedback=True)
            app = App(
                config,
                LaunchOptions(
                    headless=not os.environ.get("DISPLAY"), windowed=bool(os.environ.get("DISPLAY")), size=size
                ),
            )
            for _ in range(5):
                app.frame(FRAME_MS)
            result = {"drawing": percentiles(drawing(app, points))}
            if not whole:
                result["answer_animation"] = percentiles(answering(app))
                result["attract"] = percentiles(attract(app))
            app.speaker.close()
            pygame.quit()
            return result
    finally:
        widgets.InkLayer.update = original


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):  # headless unless an X display is given
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    size = tuple(int(v) for v in args.size.split("x"))
    report = {
        "size": args.size,
        "points": args.points,
        "driver": "x11" if os.environ.get("DISPLAY") else "dummy",
        "incremental": run(size, args.points, whole=False),
        "whole": run(size, args.points, whole=True),
    }
    return emit(report, args.out)


if __name__ == "__main__":
    sys.exit(main())
