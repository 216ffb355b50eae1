#!/usr/bin/env python3
"""Benchmark training: seconds until MNIST test accuracy passes a target, and peak memory.

Each model trains in its own process (so peak memory is its own), with the settings given, and is
scored on the full MNIST test set after every epoch; scoring time is not counted as training time.
Prints JSON (and a table on stderr) and writes it to --out.

    python -m benchmarks training --data-dir ../shared/data/mnist --out runs/bench_training.json
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# model -> (target test accuracy, time budget in seconds, settings): the targets, measured
# with the shipped models' settings (digit-kiosk-trainer build-shipped), cut short after the budget.
CASES = {
    "cnn": (0.993, 180.0, {"model": "cnn", "dropout_rate": 0.3, "learning_rate": 0.001, "max_epochs": 5}),
    "mlp": (
        0.980,
        60.0,
        {
            "model": "mlp",
            "hidden_units": 800,
            "dropout_rate": 0.1,
            "learning_rate": 0.002,
            "lr_decay": 0.9,
            "max_epochs": 10,
        },
    ),
}


def run_case(name: str, data_dir: str | None) -> dict:
    """Train one case in this process and return its measurements."""
    import numpy as np

    from kiosk.learning import mnist
    from trainer.dataset import split
    from trainer.models import build_model
    from trainer.settings import TrainSettings
    from trainer.train import accuracy, fit, seed_everything

    target, budget_s, values = CASES[name]
    settings = TrainSettings(**values)
    prepare_started = time.perf_counter()
    data = mnist.load(data_dir)
    train_data = split(data, settings)
    prepare_s = time.perf_counter() - prepare_started
    seed_everything(settings)
    model = build_model(settings)
    test_labels = data.test_labels.astype(np.int64)
    epochs = []

    def score(report, current, history):
        test_accuracy = accuracy(current, data.test_images, test_labels)
        epochs.append({"epoch": report.epoch, "seconds": round(report.seconds, 1), "test_accuracy": test_accuracy})
        print(f"  {name} epoch {report.epoch}: {report.seconds:.0f}s, test {100 * test_accuracy:.2f}%", file=sys.stderr)

    fit(model, train_data, settings, score)
    reached = next((e for e in epochs if e["test_accuracy"] >= target), None)
    return {
        "model": name,
        "settings": settings.to_dict(),
        "target_accuracy": target,
        "budget_seconds": budget_s,
        "seconds_to_target": reached["seconds"] if reached else None,
        "met": bool(reached and reached["seconds"] <= budget_s),
        "data_preparation_seconds": round(prepare_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "epochs": epochs,
    }


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DIR)")
    parser.add_argument("--out", default="runs/bench_training.json")
    parser.add_argument("--models", default="cnn,mlp")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case in this process
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, args.data_dir)))
        return 0

    results = []
    for name in args.models.split(","):
        command = [sys.executable, "-m", "benchmarks", "training", "--case", name] + (
            ["--data-dir", args.data_dir] if args.data_dir else []
        )
        completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True, cwd=PROJECT_ROOT)
        results.append(json.loads(completed.stdout.strip().splitlines()[-1]))

    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}",
        file=sys.stderr,
    )
    print(f"{'model':<6}{'target':>9}{'budget':>9}{'reached at':>12}{'met':>6}{'peak RSS':>11}", file=sys.stderr)
    for r in results:
        reached = f"{r['seconds_to_target']:.0f} s" if r["seconds_to_target"] is not None else "never"
        print(
            f"{r['model']:<6}{100 * r['target_accuracy']:>8.1f}%{r['budget_seconds']:>8.0f}s{reached:>12}"
            f"{'yes' if r['met'] else 'NO':>6}{r['peak_rss_mb']:>8.0f} MB",
            file=sys.stderr,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"machine": platform.platform(), "results": results}, indent=2)
    out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
