#!/usr/bin/env python3
"""Which augmentation do the drawn digits justify? Train the same model with each, compare.

Trains one model per --augment value (same seed, same epochs) and prints MNIST test and
drawn-digits accuracy (kiosk preprocessing) for each. Writes JSON.

    .venv/bin/python scripts/ablate_augmentation.py --model cnn --max-epochs 2 --out runs/ablation.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.learning import mnist  # noqa: E402
from trainer.dataset import split  # noqa: E402
from trainer.models import build_model  # noqa: E402
from trainer.run import load_drawn, measure, torch_predictor  # noqa: E402
from trainer.settings import AUGMENTATIONS, TrainSettings  # noqa: E402
from trainer.train import fit, seed_everything  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="cnn")
    parser.add_argument("--max-epochs", type=int, default=2)
    parser.add_argument("--augment", default=",".join(AUGMENTATIONS))
    parser.add_argument("--data-dir")
    parser.add_argument("--drawn-dir")
    parser.add_argument("--out", default="runs/ablation.json")
    args = parser.parse_args()

    data = mnist.load(args.data_dir)
    drawn = load_drawn(args.drawn_dir)
    rows = []
    for augment in args.augment.split(","):
        settings = TrainSettings(model=args.model, max_epochs=args.max_epochs, augment=augment)
        seed_everything(settings)
        model = build_model(settings)
        history = fit(model, split(data, settings), settings)
        metrics = measure(torch_predictor(model), data, drawn)
        rows.append({"augment": augment, "training_seconds": round(history.seconds, 1), **metrics})
        print(f"{augment:<8} MNIST test {100 * metrics['mnist_test_accuracy']:.2f}%  "
              f"drawn {100 * metrics.get('drawn_dev_accuracy', float('nan')):.2f}%  ({history.seconds:.0f} s)", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"model": args.model, "max_epochs": args.max_epochs, "results": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
