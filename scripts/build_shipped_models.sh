#!/usr/bin/env bash
# Re-create every file in exported_models/ with the exact commands that produced the shipped ones.
# Needs the [train] extra and MNIST (MNIST_DIR, default ../shared/data/mnist); about 40 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DATA=(--data-dir "${MNIST_DIR:-../shared/data/mnist}")
OUT=(--out exported_models)
train() { "$PY" -m trainer train "${DATA[@]}" "${OUT[@]}" "$@"; }

# CNN: the shipped model (15 epochs); its snapshots after 1 and 4 epochs are the Max Epochs axis.
train --model cnn --dropout 0.3 --learning-rate 0.001 --max-epochs 15 --snapshot-epochs 1,4
# CNN: Dropout Rate and Learning Rate axes around (dropout 0.3, learning rate 0.001, 4 epochs).
train --model cnn --dropout 0.0 --learning-rate 0.001 --max-epochs 4 --name cnn-dropout0
train --model cnn --dropout 0.85 --learning-rate 0.001 --max-epochs 4 --name cnn-dropout0.85
train --model cnn --dropout 0.3 --learning-rate 0.00002 --max-epochs 4 --name cnn-lr0.00002
train --model cnn --dropout 0.3 --learning-rate 1.0 --max-epochs 4 --name cnn-lr1
