"""Simulate a kiosk population teaching the computer, then measure the retrained model on new children.

drawn-digits-dev is split by writer: the drawings of half the writers play the children's feedback
(labelled drawings in a temporary data dir), the other half play new children the model has never
seen. `digit-kiosk retrain` then runs as on a Pi (its own process), and is timed and its peak memory
read. This is the one place dev drawings are trained on; the retrained model stays in a temporary
folder and is never shipped.

The shipped CNN has seen every dev writer (it was fine-tuned on them), so new children must be measured
from a model that has not: --base takes the MNIST-only CNN (`digit-kiosk-trainer build-shipped cnn`, or
git history), and a base that was fine-tuned on the drawings is refused. --noise mixes in random wrong
labels; --prank adds drawings of one digit all labelled as another (a child playing).

Usage: digit-kiosk-trainer simulate-retraining --base MNIST_ONLY.onnx [--drawings 500] [--kind cnn] [--steps 300]
       [--seed 0] [--noise 0.1] [--prank 1:7:50] [--out runs/simulate_retraining.json]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kiosk.config import shipped_dir
from kiosk.learning import drawn_digits, mnist
from kiosk.recognition.recognizer import Recognizer
from kiosk.teaching.feedback_store import FeedbackStore
from trainer.errors import DataError
from trainer.evaluate import drawn_images, evaluate, onnx_predictor


@dataclasses.dataclass(frozen=True)
class Simulation:
    """What the simulated kiosks collect and how the nightly retrain runs on it."""

    drawings: int = 500  # labelled drawings the kiosk collected
    kind: str = "cnn"
    steps: int = 300
    seed: int = 0
    learning_rate: float = 5e-5
    threads: int = 2  # the retrain's BLAS threads (1 to measure one core)
    base: Path | None = None  # the model the kiosk runs before teaching (default: the shipped one)
    noise: float = 0.0  # share of the collected labels replaced by a random wrong one
    prank: str | None = None  # SRC:DST:N: N more drawings of SRC by the teaching writers, all labelled DST


def accuracy_of(model_path: Path, images: np.ndarray, labels: np.ndarray) -> float:
    return evaluate(onnx_predictor(model_path)[0], images, labels).accuracy


def per_digit_of(model_path: Path, images: np.ndarray, labels: np.ndarray) -> list[float]:
    return [float(v) for v in evaluate(onnx_predictor(model_path)[0], images, labels).per_class_accuracy]


def simulate(sim: Simulation, work: Path) -> dict:
    """Collect, retrain in its own process, and measure on the writers who taught nothing; the result as JSON."""
    drawn = drawn_digits.load()
    rng = np.random.default_rng(sim.seed)
    writers = np.unique(drawn.writers)
    teachers = set(rng.permutation(writers)[: len(writers) // 2])
    teaching = np.flatnonzero([w in teachers for w in drawn.writers])
    new_children = np.flatnonzero([w not in teachers for w in drawn.writers])
    shipped = _model_folder(sim, work / "models")
    picked, noisy = _collect(sim, drawn, teaching, rng, shipped, work / "data" / "feedback")
    command, seconds, peak_mb = _retrain(sim, work, work / "models")
    report = json.loads((work / "data" / "retrain_report.json").read_text())
    retrained = Path(report.get("promoted_to") or report["set_aside"])
    new_images = drawn_images(
        drawn_digits.DrawnDigits(
            [drawn.strokes[i] for i in new_children], drawn.labels[new_children], drawn.writers[new_children]
        )
    )
    new_labels, test = drawn.labels[new_children], mnist.load()
    return {
        "kind": sim.kind,
        "writers_teaching": len(teachers),
        "writers_new": len(writers) - len(teachers),
        "drawings_collected": int(len(picked)),
        "new_children_drawings": int(len(new_children)),
        "promoted": report["promoted"],
        "reasons": report["reasons"],
        "retrain_seconds_wall": round(seconds, 1),
        "retrain_peak_rss_mb": round(peak_mb, 1),
        "new_children_before": accuracy_of(shipped, new_images, new_labels),
        "new_children_after": accuracy_of(retrained, new_images, new_labels),
        "new_children_per_digit_before": per_digit_of(shipped, new_images, new_labels),
        "new_children_per_digit_after": per_digit_of(retrained, new_images, new_labels),
        "noise": sim.noise,
        "noisy_labels": noisy,
        "prank": sim.prank,
        "doubted": report.get("doubted"),
        "mnist_before": accuracy_of(shipped, test.test_images, test.test_labels),
        "mnist_after": accuracy_of(retrained, test.test_images, test.test_labels),
        "held_out_before": report["before"]["held_out"],
        "held_out_after": report["after"]["held_out"],
        "command": " ".join(command[1:]),
    }


def _model_folder(sim: Simulation, models: Path) -> Path:
    """The kiosk's model folder before teaching; DataError if the base was fine-tuned on these very writers."""
    models.mkdir(parents=True)
    for kind in ("cnn", "mlp"):
        shutil.copy(shipped_dir("models") / f"{kind}.onnx", models / f"{kind}.onnx")
    if sim.base:
        shutil.copy(sim.base, models / f"{sim.kind}.onnx")
    shipped = models / f"{sim.kind}.onnx"
    if "fine_tuned_on_drawings" in onnx_predictor(shipped)[1]:
        raise DataError(f"{shipped.name} was fine-tuned on these very writers: pass --base with the MNIST-only CNN")
    return shipped


def _collect(sim: Simulation, drawn, teaching: np.ndarray, rng, model: Path, feedback: Path) -> tuple[np.ndarray, int]:
    """Store what the kiosks would have stored: each child's strokes and label (some wrong, some a prank)."""
    picked = rng.choice(teaching, min(sim.drawings, len(teaching)), replace=False)
    labels = drawn.labels[picked].copy()
    noisy = rng.random(len(picked)) < sim.noise
    labels[noisy] = (labels[noisy] + rng.integers(1, 10, noisy.sum())) % 10  # a random wrong digit
    collected = list(zip(picked.tolist(), labels.tolist()))
    if sim.prank:
        source, target, count = (int(v) for v in sim.prank.split(":"))
        candidates = [i for i in teaching if drawn.labels[i] == source and i not in set(picked)]
        collected += [(i, target) for i in rng.choice(candidates, min(count, len(candidates)), replace=False)]
    store, recognizer = FeedbackStore(feedback, max_records=100_000), Recognizer(model)
    # Each drawing's time is fixed by its place in the set, so the retrain's holdout (a hash that includes
    # the time) holds out the same drawings on every run, and runs can be compared.
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for i, label in collected:
        answer = recognizer.recognize(drawn.strokes[i])
        store.append(
            drawn.strokes[i],
            300,
            answer.image,
            int(label),
            answer.digit,
            sim.kind,
            recognizer.version,
            created=epoch + dt.timedelta(seconds=int(i)),
        )
    return picked, int(noisy.sum())


def _retrain(sim: Simulation, work: Path, models: Path) -> tuple[list[str], float, float]:
    """`digit-kiosk retrain` in its own process, as the nightly unit runs it; (command, wall seconds, peak MB)."""
    config_file = work / "kiosk.toml"
    config_file.write_text(f'data_dir = "{work / "data"}"\nmodel_dir = "{models}"\n')
    command = [
        sys.executable,
        "-m",
        "kiosk",
        "retrain",
        "--config",
        str(config_file),
        "--kind",
        sim.kind,
        "--steps",
        str(sim.steps),
        "--learning-rate",
        str(sim.learning_rate),
        "--threads",
        str(sim.threads),
        "--no-drawn",
        "--quiet",
    ]
    started = time.monotonic()
    # as the systemd unit runs it (deploy/digit-kiosk-retrain.service): two malloc arenas
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "MALLOC_ARENA_MAX": "2"})
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise DataError(f"the retrain failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return command, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def summary(result: dict) -> str:
    """The result in a few lines, for people."""
    r, errors = result, (1 - result["new_children_before"], 1 - result["new_children_after"])
    lines = [
        f"{r['kind']}, {r['drawings_collected']} drawings from {r['writers_teaching']} writers taught; "
        f"measured on {r['new_children_drawings']} drawings of {r['writers_new']} other writers",
        f"  new children : {r['new_children_before']:.2%} -> {r['new_children_after']:.2%}",
        f"  held out     : {r['held_out_before']:.2%} -> {r['held_out_after']:.2%}",
        f"  MNIST test   : {r['mnist_before']:.2%} -> {r['mnist_after']:.2%}",
        f"  promoted     : {r['promoted']} {'; '.join(r['reasons'])}",
        f"  labels       : {r['noisy_labels']} random wrong ones, prank {r['prank'] or 'none'}; "
        f"{r['doubted']} doubted by the retrain",
    ]
    if r["prank"]:
        source = int(r["prank"].split(":")[0])
        was, now = r["new_children_per_digit_before"][source], r["new_children_per_digit_after"][source]
        lines.append(f"  new children's {source}s: {was:.2%} -> {now:.2%} ({100 * (now - was):+.2f} points)")
    lines.append(
        f"  error on new children: {errors[0]:.2%} -> {errors[1]:.2%} "
        f"({100 * (errors[0] - errors[1]) / max(errors[0], 1e-9):.0f}% fewer)"
    )
    lines.append(
        f"  retrain      : {r['retrain_seconds_wall']:.0f} s wall, peak RSS {r['retrain_peak_rss_mb']:.0f} MB "
        "(targets: <= 120 s on one core here, <= 300 MB)"
    )
    return "\n".join(lines)


def simulate_and_save(sim: Simulation, out: Path) -> dict:
    """simulate() in a temporary folder, the result written to out as JSON and summarised on stdout."""
    with tempfile.TemporaryDirectory(prefix="retrain-sim-") as work:
        result = simulate(sim, Path(work))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(summary(result))
    return result
