#!/usr/bin/env python3
"""Print the shipped models as a Markdown table (from exported_models/MANIFEST.json), for the README.

    python3 scripts/models_table.py [exported_models/MANIFEST.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_MANIFEST = Path(__file__).resolve().parent.parent / "exported_models" / "MANIFEST.json"


def percent(value) -> str:
    return f"{100 * value:.2f}%" if isinstance(value, (int, float)) else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", nargs="?", type=Path, default=DEFAULT_MANIFEST, help="default: %(default)s")
    manifest_path = parser.parse_args(argv).manifest
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


def exit_quietly_on_a_closed_pipe() -> None:
    """`models_table.py | head` closes the pipe early: that is the reader's choice, not an error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit; let that go nowhere


if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        exit_quietly_on_a_closed_pipe()
        code = 0
    sys.exit(code)
