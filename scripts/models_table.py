#!/usr/bin/env python3
"""Print the shipped models as a Markdown table (from exported_models/MANIFEST.json), for the README.

    python3 scripts/models_table.py [exported_models/MANIFEST.json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "exported_models" / "MANIFEST.json"


def percent(value) -> str:
    return f"{100 * value:.2f}%" if isinstance(value, (int, float)) else "n/a"


def main() -> int:
    manifest_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MANIFEST
    models = json.loads(manifest_path.read_text())["models"]
    total_bytes = sum(entry["bytes"] for entry in models.values())
    print("| file | model | hidden | dropout | learning rate | max epochs | best epoch | MNIST test | drawn dev | train time | size |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, entry in models.items():
        meta = entry["metadata"]
        settings = meta["train_settings"]
        hidden = settings["hidden_units"] if settings["model"] == "mlp" else "-"
        print(
            f"| {name} | {settings['model']} | {hidden} | {settings['dropout_rate']} | {settings['learning_rate']} "
            f"| {settings['max_epochs']} | {meta['best_epoch']} | {percent(meta['mnist_test_accuracy'])} "
            f"| {percent(meta['drawn_dev_accuracy'])} | {meta['training_seconds']:.0f} s | {entry['bytes'] / 1e6:.2f} MB |"
        )
    print(f"\n{len(models)} files, {total_bytes / 1e6:.2f} MB in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
