"""Evaluate the shipped models on the MNIST test set and the drawn digits (kiosk preprocessing):
a full report (per digit, confusion) for cnn.onnx and mlp.onnx, then one line for every file.

    digit-kiosk-trainer evaluate-shipped [--model-dir exported_models] [--data-dir MNIST] [--drawn-dir DIR]

It runs on the kiosk's runtime (onnxruntime), no torch.
"""
from __future__ import annotations

from pathlib import Path

from trainer.evaluate import evaluate_files

FULL_REPORT = ("cnn.onnx", "mlp.onnx")  # the two the kiosk answers with


def evaluate_shipped(model_dir: Path, data_dir: str | None, drawn_dir: str | None, drawn_required: bool = True) -> str:
    """The full report for the kiosk's two models, then one line per shipped file."""
    model_dir = Path(model_dir)
    full = evaluate_files([model_dir / name for name in FULL_REPORT], data_dir, drawn_dir, drawn_required)
    every = evaluate_files(sorted(model_dir.glob("*.onnx")), data_dir, drawn_dir, drawn_required, brief=True)
    return f"{full}\n\nEvery shipped file:\n{every}"
