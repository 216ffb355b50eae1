"""The recipes of every file in exported_models/: the exact trainer commands that produced the shipped models.

    digit-kiosk-trainer build-shipped [cnn] [cnn-grid] [mlp] [mlp-grid] [drawn] [strokes] [backwards]
    (default: all; --dry-run)

Needs the [train] extra and MNIST (--data-dir or $MNIST_DIR); ~35 minutes on 2 cores. "drawn" fine-tunes
the CNN from "cnn" on the drawn digits and trains the gate (drawn-digits-dev and drawn-letters-dev beside
MNIST; their cross-validated figures: `digit-kiosk-trainer crossval`).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

_CNN_GRID = ("--model", "cnn", "--max-epochs", "4")
_MLP128 = ("--model", "mlp", "--hidden-units", "128", "--lr-decay", "0.9")

# step -> the trainer commands it runs, in order (each a `python -m trainer` argv).
RECIPES: dict[str, list[tuple[str, ...]]] = {
    # The shipped CNN (15 epochs); its best models after 1 and 4 epochs are the explorer's Max Epochs axis.
    "cnn": [
        (
            "train",
            "--model",
            "cnn",
            "--dropout",
            "0.3",
            "--learning-rate",
            "0.001",
            "--max-epochs",
            "15",
            "--snapshot-epochs",
            "1,4",
        )
    ],
    # Explorer: Dropout Rate and Learning Rate around (dropout 0.3, learning rate 0.001, 4 epochs).
    "cnn-grid": [
        ("train", *_CNN_GRID, "--dropout", "0.0", "--learning-rate", "0.001", "--name", "cnn-dropout0"),
        ("train", *_CNN_GRID, "--dropout", "0.85", "--learning-rate", "0.001", "--name", "cnn-dropout0.85"),
        ("train", *_CNN_GRID, "--dropout", "0.3", "--learning-rate", "0.00001", "--name", "cnn-lr0.00001"),
        ("train", *_CNN_GRID, "--dropout", "0.3", "--learning-rate", "1.0", "--name", "cnn-lr1"),
    ],
    # The shipped MLP: 800 hidden units (Simard et al. 2003's size), light dropout, 25 epochs.
    "mlp": [
        (
            "train",
            "--model",
            "mlp",
            "--hidden-units",
            "800",
            "--dropout",
            "0.1",
            "--learning-rate",
            "0.002",
            "--lr-decay",
            "0.9",
            "--max-epochs",
            "25",
        )
    ],
    # Explorer MLP: 128 hidden units so seven of them fit the size budget; axes around
    # (dropout 0.1, learning rate 0.002, 5 epochs); its 1- and 5-epoch snapshots are the Max Epochs axis.
    "mlp-grid": [
        (
            "train",
            *_MLP128,
            "--dropout",
            "0.1",
            "--learning-rate",
            "0.002",
            "--max-epochs",
            "25",
            "--snapshot-epochs",
            "1,5",
            "--name",
            "mlp128",
        ),
        (
            "train",
            *_MLP128,
            "--dropout",
            "0.0",
            "--learning-rate",
            "0.002",
            "--max-epochs",
            "5",
            "--name",
            "mlp128-dropout0",
        ),
        (
            "train",
            *_MLP128,
            "--dropout",
            "0.8",
            "--learning-rate",
            "0.002",
            "--max-epochs",
            "5",
            "--name",
            "mlp128-dropout0.8",
        ),
        (
            "train",
            *_MLP128,
            "--dropout",
            "0.1",
            "--learning-rate",
            "0.00002",
            "--max-epochs",
            "5",
            "--name",
            "mlp128-lr0.00002",
        ),
        ("train", *_MLP128, "--dropout", "0.1", "--learning-rate", "1.0", "--max-epochs", "5", "--name", "mlp128-lr1"),
    ],
    "drawn": [("build-drawn-models",)],
    # The stroke model (every dev writer), its fused rule calibrated by the writer- and site-held-out folds
    # (run first into build/stroke-crossval when that folder is empty; minutes with --device cuda).
    "strokes": [("build-stroke-model", "--crossval", "build/stroke-crossval")],
    # The right-way-round gate that tells a backwards digit from a letter (issue 24; ~3 min).
    "backwards": [("build-backwards-gate",)],
}


def commands(steps: list[str], out: Path, data_dir: str | None) -> list[list[str]]:
    """The trainer argvs for these steps, writing into out (train also reads MNIST from data_dir when given)."""
    argvs = []
    for step in steps:
        for recipe in RECIPES[step]:
            extra = ["--out", str(out)] + (["--data-dir", data_dir] if data_dir and recipe[0] == "train" else [])
            argvs.append([*recipe, *extra])
    return argvs


def build_shipped(steps: list[str], out: Path, data_dir: str | None, dry_run: bool = False) -> int:
    """Run each step's commands in its own process, in order; stop at the first that fails (its exit code)."""
    for argv in commands(steps, out, data_dir):
        print(f"$ digit-kiosk-trainer {shlex.join(argv)}", flush=True)
        if not dry_run:
            code = subprocess.run([sys.executable, "-m", "trainer", *argv]).returncode
            if code:
                return code
    return 0
