"""What the Learn view inside the network costs: one view update (a stroke ends: preprocess, every layer's
lights, the votes, what mattered) and the frames while its story animates, for the shipped MLP and CNN and a
visitor's own brain of each kind (the live training's shapes, kiosk/learning/live_learner.py).

Targets (issue 25): an update <= 10 ms and frames <= 16 ms p99 on one core here (<= 33 ms on a Pi 4). Run it on
one core (`taskset -c 1`), and once without, as the kiosk runs; the report says how loaded the machine was (load
average, cores) because the development machine is shared. The frames are the Learn screen's update() and
draw() on an off-screen surface of the given size (no flip: benchmarks frames measures the App's whole loop).

Usage: python -m benchmarks insight [--size 800x480] [--digits 60] [--out runs/bench_insight.json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.report import emit

FRAME_MS = 1000 / 60
STORY_S = 20.0  # longer than either story (kiosk/insight/story.py): every beat, then the still view


def percentiles(times_s: list[tuple[float, float]]) -> dict:
    """p50 / p99 / max of (wall, CPU) seconds: the wall clock, and the process's CPU time (what it cost one core,
    whatever else the shared machine was doing)."""
    out = {"count": len(times_s)}
    for column, name in ((0, "wall"), (1, "cpu")):
        ms = np.array([t[column] for t in times_s]) * 1000
        out[name] = {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p99_ms": round(float(np.percentile(ms, 99)), 2),
                     "max_ms": round(float(ms.max()), 2)}
    return out


def timed(action) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def visitors_brains(folder: Path) -> dict[str, Path]:
    """A visitor's brain of each kind, as the live training writes one (its shapes; fresh weights cost the same)."""
    from kiosk.learning import network
    from kiosk.learning.live_learner import CNN_CHANNELS, CNN_FC, MLP_HIDDEN
    from kiosk.learning.onnx_io import to_onnx_bytes
    from kiosk.recognition import model_contract as contract
    from kiosk.recognition.preprocess import PREPROCESSING_VERSION

    rng = np.random.default_rng(0)
    made = {"my mlp": network.mlp(MLP_HIDDEN, 0.2, rng),
            "my cnn": network.small_cnn(0.2, rng, channels=CNN_CHANNELS, fc_units=CNN_FC)}
    paths = {}
    for name, net in made.items():
        metadata = {contract.META_CONTRACT_VERSION: contract.CONTRACT_VERSION, contract.META_MODEL_KIND: net.kind,
                    contract.META_PREPROCESSING_VERSION: PREPROCESSING_VERSION,
                    contract.META_SETTINGS: json.dumps({"model": net.kind, "dropout_rate": 0.2})}
        paths[name] = folder / f"{name.replace(' ', '-')}.onnx"
        paths[name].write_bytes(to_onnx_bytes(net, metadata))
    return paths


def screen_for(path: Path, size: tuple[int, int]):
    import pygame

    from kiosk.language.phrases import Phrases
    from kiosk.recognition.recognizer import Recognizer
    from kiosk.screens.frame import lay_out_frame
    from kiosk.screens.learn import LearnScreen
    from kiosk.ui.theme import Theme

    pygame.display.init()
    pygame.font.init()
    theme, phrases = Theme(*size), Phrases("en")
    return LearnScreen([Recognizer(path)], theme, lay_out_frame(theme, phrases).nav, phrases)


def measure(path: Path, drawings: list, size: tuple[int, int]) -> dict:
    """Update times over the drawings (each as a child's own strokes), then the frames of one whole story."""
    import pygame

    screen = screen_for(path, size)
    screen.enter(drawings[0])
    screen.wait_for_brain()  # the first file read imports onnx: once, beside the loop, not what a stroke costs
    assert screen.look is not None, f"no look inside {path}"
    surface = pygame.Surface(size)
    screen.draw(surface)  # fonts and first pictures made once, as on arrival
    updates = []
    for strokes in drawings:
        screen.strokes = [np.asarray(s, np.float64) for s in strokes]
        updates.append(timed(screen.see))
    screen.enter(drawings[1])
    screen.wait_for_brain()
    frames = []
    for _ in range(int(STORY_S * 1000 / FRAME_MS)):
        frames.append(timed(lambda: (screen.update(FRAME_MS), screen.draw(surface))))
    return {"kind": screen.brain.kind, "lights": [list(layer.values.shape) for layer in screen.look.layers],
            "update": percentiles(updates), "frames_while_animating": percentiles(frames)}


def run(size: tuple[int, int], digits: int) -> dict:
    from kiosk.config import KioskConfig
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load()
    picked = np.random.default_rng(25).choice(len(drawn), digits, replace=False)
    drawings = [drawn.strokes[i] for i in picked]
    models = KioskConfig.load(None).model_dir_path
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        paths = {"mlp": models / "mlp.onnx", "cnn": models / "cnn.onnx", **visitors_brains(Path(folder))}
        results = {name: measure(path, drawings, size) for name, path in paths.items()}
    return {
        "size": f"{size[0]}x{size[1]}",
        "digits": digits,
        "cores_allowed": len(os.sched_getaffinity(0)),
        "cores": os.cpu_count(),
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)},
        "models": results,
    }


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="800x480", help="the screen size, WIDTHxHEIGHT")
    parser.add_argument("--digits", type=int, default=60, help="real drawn digits to update the view on")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    width, height = (int(v) for v in args.size.lower().split("x"))
    return emit(run((width, height), max(2, args.digits)), args.out)
