#!/usr/bin/env bash
# Evaluate the shipped models on the MNIST test set and the drawn digits (kiosk preprocessing):
# a full report (per digit, confusion) for cnn.onnx and mlp.onnx, then one line for every file.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c "import onnxruntime, cv2" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -e .  # evaluation runs on the kiosk's runtime: no torch
fi
export MNIST_DIR="${MNIST_DIR:-$(cd .. && pwd)/shared/data/mnist}"
export DRAWN_DIGITS_DIR="${DRAWN_DIGITS_DIR:-$(cd .. && pwd)/shared/data/drawn-digits-dev}"
.venv/bin/python -m trainer evaluate exported_models/cnn.onnx exported_models/mlp.onnx
echo
echo "Every shipped file:"
.venv/bin/python -m trainer evaluate --brief exported_models/*.onnx
