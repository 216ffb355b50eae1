"""The trainer CLI's experiments whose results the docs cite: thin argparse wiring over their library modules.

    digit-kiosk-trainer crossval [--folds 4] [--out /tmp/crossval] [--report-only]
"""
from __future__ import annotations

import argparse
from pathlib import Path


def add_to(commands) -> None:
    """Add each experiment's subparser; each sets `handler`, which main() calls with the parsed args."""
    crossval = commands.add_parser("crossval", help="cross-validate the drawn-digit models by writer ([train], ~15 min)")
    crossval.add_argument("--folds", type=int, default=4)
    crossval.add_argument("--out", type=Path, default=Path("/tmp/crossval"), help="the folds' answers (resumable)")
    crossval.add_argument("--report-only", action="store_true", help="only report on the folds already in --out")
    crossval.add_argument("--gate-only", action="store_true", help="train the folds' gates again, keeping their CNNs' answers")
    crossval.add_argument("--only", type=int, nargs="*", help="run just these folds")
    crossval.add_argument("--base", type=Path, help="the MNIST-only CNN to fine-tune (a fine-tuned one is refused; "
                                                    "default: cnn.onnx of the shipped models)")
    crossval.set_defaults(handler=_crossval)


def _crossval(args: argparse.Namespace) -> int:
    from trainer.crossval import crossval

    crossval(args.folds, args.out, args.base, args.report_only, args.gate_only, args.only)
    return 0
