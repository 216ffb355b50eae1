"""Simulate a kiosk population teaching the computer, then measure the retrained model on new children.

drawn-digits-dev is split by writer: the drawings of half the writers play the children's feedback
(labelled drawings in a temporary data dir), the other half play new children the model has never
seen. `python -m trainer retrain` then runs as on a Pi (its own process, niced), and is timed and its
peak memory read. This is the one place dev drawings are trained on; the retrained model stays in a
temporary folder and is never shipped.

The shipped CNN has seen every dev writer (it was fine-tuned on them), so new children must be measured
from a model that has not: --base takes the MNIST-only CNN (from git history, see the README), and a
base that was fine-tuned on the drawings is refused. --noise mixes in random wrong labels; --prank adds
drawings of one digit all labelled as another (a child playing).

Usage: python scripts/simulate_retraining.py --base MNIST_ONLY.onnx [--drawings 500] [--kind cnn] [--steps 300]
       [--seed 0] [--noise 0.1] [--prank 1:7:50]
"""
from __future__ import annotations

import argparse
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

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from kiosk.teaching.feedback_store import FeedbackStore  # noqa: E402
from kiosk.recognition.recognizer import Recognizer  # noqa: E402
from kiosk.learning import drawn_digits, mnist  # noqa: E402
from trainer.evaluate import drawn_images, evaluate, onnx_predictor  # noqa: E402


def accuracy_of(model_path: Path, images: np.ndarray, labels: np.ndarray) -> float:
    return evaluate(onnx_predictor(model_path)[0], images, labels).accuracy


def per_digit_of(model_path: Path, images: np.ndarray, labels: np.ndarray) -> list[float]:
    return [float(v) for v in evaluate(onnx_predictor(model_path)[0], images, labels).per_class_accuracy]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawings", type=int, default=500, help="labelled drawings the kiosk collected")
    parser.add_argument("--kind", choices=("cnn", "mlp"), default="cnn")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--threads", type=int, default=2, help="the retrain's BLAS threads (1 to measure one core)")
    parser.add_argument("--base", type=Path, help="the model the kiosk runs before teaching (default: the shipped one)")
    parser.add_argument("--noise", type=float, default=0.0, help="share of the collected labels replaced by a random wrong one")
    parser.add_argument("--prank", help="SRC:DST:N: N more drawings of SRC by the teaching writers, all labelled DST")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "simulate_retraining.json")
    args = parser.parse_args()

    drawn = drawn_digits.load()
    writers = np.unique(drawn.writers)
    rng = np.random.default_rng(args.seed)
    teachers = set(rng.permutation(writers)[: len(writers) // 2])
    teaching = np.flatnonzero([w in teachers for w in drawn.writers])
    new_children = np.flatnonzero([w not in teachers for w in drawn.writers])
    picked = rng.choice(teaching, min(args.drawings, len(teaching)), replace=False)

    work = Path(tempfile.mkdtemp(prefix="retrain-sim-"))
    models = work / "models"
    models.mkdir()
    for kind in ("cnn", "mlp"):
        shutil.copy(PROJECT_ROOT / "exported_models" / f"{kind}.onnx", models / f"{kind}.onnx")
    if args.base:
        shutil.copy(args.base, models / f"{args.kind}.onnx")
    shipped = models / f"{args.kind}.onnx"
    meta = onnx_predictor(shipped)[1]
    if "fine_tuned_on_drawings" in meta:
        print(f"{shipped.name} was fine-tuned on these very writers: pass --base with the MNIST-only CNN", file=sys.stderr)
        return 2
    store, recognizer = FeedbackStore(work / "data" / "feedback", max_records=100_000), Recognizer(shipped)
    labels = drawn.labels[picked].copy()
    noisy = rng.random(len(picked)) < args.noise
    labels[noisy] = (labels[noisy] + rng.integers(1, 10, noisy.sum())) % 10  # a random wrong digit
    collected = list(zip(picked.tolist(), labels.tolist()))
    prank = None
    if args.prank:
        source, target, count = (int(v) for v in args.prank.split(":"))
        candidates = [i for i in teaching if drawn.labels[i] == source and i not in set(picked)]
        collected += [(i, target) for i in rng.choice(candidates, min(count, len(candidates)), replace=False)]
        prank = (source, target, count)
    # Each drawing's time is fixed by its place in the set, so the retrain's holdout (a hash that includes
    # the time) holds out the same drawings on every run, and runs can be compared.
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for i, label in collected:  # what the kiosk would have stored: the child's strokes and the child's label
        strokes = drawn.strokes[i]
        answer = recognizer.recognize(strokes)
        store.append(strokes, 300, answer.image, int(label), answer.digit, args.kind, recognizer.version,
                     created=epoch + dt.timedelta(seconds=int(i)))
    config_file = work / "kiosk.toml"
    config_file.write_text(f'data_dir = "{work / "data"}"\nmodel_dir = "{models}"\n')

    command = [sys.executable, "-m", "trainer", "retrain", "--config", str(config_file), "--kind", args.kind,
               "--steps", str(args.steps), "--learning-rate", str(args.learning_rate), "--threads", str(args.threads),
               "--no-drawn", "--quiet"]
    started = time.monotonic()
    # as the systemd unit runs it (deploy/digit-kiosk-retrain.service): two malloc arenas
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          env={**os.environ, "MALLOC_ARENA_MAX": "2"})
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        return done.returncode
    report = json.loads((work / "data" / "retrain_report.json").read_text())
    retrained = Path(report.get("promoted_to") or report["set_aside"])

    test = mnist.load()
    new_images, new_labels = drawn_images(drawn_digits.DrawnDigits(
        [drawn.strokes[i] for i in new_children], drawn.labels[new_children], drawn.writers[new_children])), drawn.labels[new_children]
    result = {
        "kind": args.kind,
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
        "noise": args.noise, "noisy_labels": int(noisy.sum()), "prank": args.prank, "doubted": report.get("doubted"),
        "mnist_before": accuracy_of(shipped, test.test_images, test.test_labels),
        "mnist_after": accuracy_of(retrained, test.test_images, test.test_labels),
        "held_out_before": report["before"]["held_out"],
        "held_out_after": report["after"]["held_out"],
        "command": " ".join(command[1:]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{args.kind}, {result['drawings_collected']} drawings from {result['writers_teaching']} writers taught; "
          f"measured on {result['new_children_drawings']} drawings of {result['writers_new']} other writers")
    print(f"  new children : {result['new_children_before']:.2%} -> {result['new_children_after']:.2%}")
    print(f"  held out     : {result['held_out_before']:.2%} -> {result['held_out_after']:.2%}")
    print(f"  MNIST test   : {result['mnist_before']:.2%} -> {result['mnist_after']:.2%}")
    print(f"  promoted     : {result['promoted']} {'; '.join(result['reasons'])}")
    print(f"  labels       : {result['noisy_labels']} random wrong ones, prank {args.prank or 'none'}; "
          f"{result['doubted']} doubted by the retrain")
    if prank:
        was, now = result["new_children_per_digit_before"][prank[0]], result["new_children_per_digit_after"][prank[0]]
        print(f"  new children's {prank[0]}s: {was:.2%} -> {now:.2%} ({100 * (now - was):+.2f} points)")
    errors = (1 - result["new_children_before"], 1 - result["new_children_after"])
    print(f"  error on new children: {errors[0]:.2%} -> {errors[1]:.2%} ({100 * (errors[0] - errors[1]) / max(errors[0], 1e-9):.0f}% fewer)")
    print(f"  retrain      : {seconds:.0f} s wall, peak RSS {peak_mb:.0f} MB (targets: <= 120 s on one core here, <= 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
