"""Live training ("train it yourself"): how fast each kind reaches 90/95/97% on the 1,000 held-out digits,
the learner's memory, and the kiosk's frame times while it learns beside the render loop.

The learner is the kiosk's own (kiosk/learning/live_learner.py: a spawned, niced process with one BLAS thread);
the frames are the real App's (headless unless DISPLAY is set), drawn while the learner runs.
Targets (the "watch it learn" issue): MLP >= 95% in <= 10 s and CNN >= 97% in <= 60 s here, frame p99
<= 33 ms while training, <= 100 MB extra memory.

Usage: python -m benchmarks live-training [--out runs/bench_live_training.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kiosk.learning.live import LiveTraining
from kiosk.learning.live_protocol import FINAL, Progress, Stopped
from kiosk.learning.live_settings import LiveSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

MARKS = (0.90, 0.95, 0.97)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def learn(settings: LiveSettings, frame=None) -> dict:
    """One run; frame(), if given, is called in between polls and timed (the kiosk drawing while it learns)."""
    started = time.monotonic()
    training = LiveTraining(settings).start()
    reached, peak, frames, curve, done = {}, 0.0, [], [], None
    while not training.finished:
        for message in training.poll():
            if isinstance(message, Progress):
                curve.append((message.seconds, message.accuracy))
                for mark in MARKS:
                    if message.accuracy >= mark and mark not in reached:
                        reached[mark] = message.seconds
            elif isinstance(message, FINAL):
                done = message.last if isinstance(message, Stopped) else message
        peak = max(peak, rss_mb(training.pid) if training.pid else 0.0)
        if frame is not None:  # paced at 60 fps, as the kiosk's clock paces its loop
            t = time.perf_counter()
            frame()
            frames.append(time.perf_counter() - t)
            time.sleep(max(0.0, 1 / 60 - (time.perf_counter() - t)))
        else:
            time.sleep(0.02)
    result = {
        "settings": settings.__dict__,
        "final_accuracy": getattr(done, "accuracy", None),
        "learning_seconds": getattr(done, "seconds", None),
        "wall_seconds": round(time.monotonic() - started, 2),
        "seconds_to": {f"{m:.0%}": reached.get(m) for m in MARKS},
        "learner_peak_rss_mb": round(peak, 1),
        "curve_points": len(curve),
    }
    if frames:
        ms = np.array(frames) * 1000
        result["frames_while_learning"] = {
            "p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2),
            "frames": len(ms),
        }
    return result


def kiosk_frame():
    """A real App's frame function (the draw screen with a drawing on it)."""
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.app import App, LaunchOptions
    from kiosk.config import KioskConfig

    work = tempfile.mkdtemp()
    app = App(
        KioskConfig(data_dir=work, log_dir=str(Path(work) / "logs"), muted=True),
        LaunchOptions(
            headless=not os.environ.get("DISPLAY"), windowed=bool(os.environ.get("DISPLAY")), size=(800, 480)
        ),
    )
    draw = app.screens["draw"]
    draw.ink.begin(draw.canvas.width * 0.5, draw.canvas.height * 0.15)
    draw.ink.extend(draw.canvas.width * 0.5, draw.canvas.height * 0.85)
    draw.ink.end()
    draw.press("recognize")
    return lambda: app.frame(1000 / 60)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    frame = kiosk_frame()
    report = {
        "driver": "x11" if os.environ.get("DISPLAY") else "dummy",
        "cpus": os.cpu_count(),
        "runs": [
            learn(LiveSettings(kind="mlp"), frame),
            learn(LiveSettings(kind="cnn"), frame),
            learn(LiveSettings(kind="mlp", learning_rate=1.0, max_epochs=2)),
            learn(LiveSettings(kind="mlp", learning_rate=0.00001, max_epochs=2)),
            learn(LiveSettings(kind="mlp", dropout_rate=0.8)),
            learn(LiveSettings(kind="mlp", max_epochs=20)),
        ],
    }
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
