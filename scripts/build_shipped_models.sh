#!/usr/bin/env bash
# Re-create every file in exported_models/ with the exact commands that produced the shipped ones.
# Needs the [train] extra and MNIST ($MNIST_DIR, default ../shared/data/mnist); ~35 minutes on 2 cores.
# Usage: scripts/build_shipped_models.sh [cnn] [cnn-grid] [mlp] [mlp-grid] [drawn]   (default: all five)
# "drawn" fine-tunes the CNN from "cnn" on the drawn digits and trains the gate (drawn-digits-dev and
# drawn-letters-dev beside MNIST; their cross-validated figures: scripts/crossval_drawings.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
train() { "$PY" -m trainer train --data-dir "${MNIST_DIR:-../shared/data/mnist}" --out exported_models "$@"; }

cnn() {
  # The shipped CNN (15 epochs); its best models after 1 and 4 epochs are the explorer's Max Epochs axis.
  train --model cnn --dropout 0.3 --learning-rate 0.001 --max-epochs 15 --snapshot-epochs 1,4
}
cnn_grid() {
  # Explorer: Dropout Rate and Learning Rate around (dropout 0.3, learning rate 0.001, 4 epochs).
  train --model cnn --dropout 0.0 --learning-rate 0.001 --max-epochs 4 --name cnn-dropout0
  train --model cnn --dropout 0.85 --learning-rate 0.001 --max-epochs 4 --name cnn-dropout0.85
  train --model cnn --dropout 0.3 --learning-rate 0.00001 --max-epochs 4 --name cnn-lr0.00001
  train --model cnn --dropout 0.3 --learning-rate 1.0 --max-epochs 4 --name cnn-lr1
}
mlp() {
  # The shipped MLP: 800 hidden units (Simard et al. 2003's size), light dropout, 25 epochs.
  train --model mlp --hidden-units 800 --dropout 0.1 --learning-rate 0.002 --lr-decay 0.9 --max-epochs 25
}
mlp_grid() {
  # Explorer MLP: 128 hidden units so seven of them fit the size budget; axes around
  # (dropout 0.1, learning rate 0.002, 5 epochs); its 1- and 5-epoch snapshots are the Max Epochs axis.
  local common=(--model mlp --hidden-units 128 --lr-decay 0.9)
  train "${common[@]}" --dropout 0.1 --learning-rate 0.002 --max-epochs 25 --snapshot-epochs 1,5 --name mlp128
  train "${common[@]}" --dropout 0.0 --learning-rate 0.002 --max-epochs 5 --name mlp128-dropout0
  train "${common[@]}" --dropout 0.8 --learning-rate 0.002 --max-epochs 5 --name mlp128-dropout0.8
  train "${common[@]}" --dropout 0.1 --learning-rate 0.00002 --max-epochs 5 --name mlp128-lr0.00002
  train "${common[@]}" --dropout 0.1 --learning-rate 1.0 --max-epochs 5 --name mlp128-lr1
}

drawn() {
  "$PY" scripts/build_drawn_models.py
}

for step in "${@:-cnn cnn-grid mlp mlp-grid drawn}"; do
  for name in $step; do "${name//-/_}"; done
done
