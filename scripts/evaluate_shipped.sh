#!/usr/bin/env bash
# Evaluate every shipped model on the MNIST test set and the drawn digits (kiosk preprocessing).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".[train]"
fi
export MNIST_DIR="${MNIST_DIR:-$(cd .. && pwd)/shared/data/mnist}"
export DRAWN_DIGITS_DIR="${DRAWN_DIGITS_DIR:-$(cd .. && pwd)/shared/data/drawn-digits-dev}"
for model in exported_models/cnn.onnx exported_models/mlp.onnx; do
  .venv/bin/python -m trainer evaluate "$model"
  echo
done
