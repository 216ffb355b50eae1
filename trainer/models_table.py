"""The shipped models as a Markdown table, from exported_models/MANIFEST.json (for the docs).

digit-kiosk-trainer models-table [exported_models/MANIFEST.json]
"""

from __future__ import annotations

import json
from pathlib import Path

HEADER = (
    "| file | model | hidden | dropout | learning rate | max epochs | best epoch | MNIST test | drawn dev "
    "| train time | size |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def percent(value) -> str:
    return f"{100 * value:.2f}%" if isinstance(value, (int, float)) else "n/a"


def models_table(manifest_path: Path) -> str:
    """One row per model in the manifest, then the count and total size."""
    models = json.loads(Path(manifest_path).read_text())["models"]
    total_bytes = sum(entry["bytes"] for entry in models.values())
    rows = [HEADER]
    for name, entry in models.items():
        meta = entry["metadata"]
        if "train_settings" not in meta or meta.get("model_kind") == "stroke":  # the gate, the stroke model
            rows.append(other_row(name, entry))
            continue
        settings = meta["train_settings"]
        hidden = settings["hidden_units"] if settings["model"] == "mlp" else "-"
        rows.append(
            f"| {name} | {settings['model']} | {hidden} | {settings['dropout_rate']} | {settings['learning_rate']} "
            f"| {settings['max_epochs']} | {meta['best_epoch']} | {percent(meta['mnist_test_accuracy'])} "
            f"| {percent(meta['drawn_dev_accuracy'])} | {meta['training_seconds']:.0f} s "
            f"| {entry['bytes'] / 1e6:.2f} MB |"
        )
    return "\n".join(rows) + f"\n\n{len(models)} files, {total_bytes / 1e6:.2f} MB in all."


def other_row(name: str, entry: dict) -> str:
    """A model that is not a digit model (the gate): its kind, and how many MNIST test digits it turns away."""
    meta = entry["metadata"]
    rejected = next((v for k, v in meta.items() if k.startswith("mnist_test") and "not_a_number" in k), None)
    mnist = f"{percent(rejected)} called not a number" if rejected is not None else "n/a"
    by_site = (meta.get("crossval") or {}).get("site") if isinstance(meta.get("crossval"), dict) else None
    drawn = f"{percent(by_site['right'])} right with the CNN, sites held out" if by_site else "-"
    return (
        f"| {name} | {meta.get('model_kind', '?')} | - | - | - | - | - | {mnist} | {drawn} | - "
        f"| {entry['bytes'] / 1e6:.2f} MB |"
    )
