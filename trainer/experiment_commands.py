"""The trainer CLI's experiments whose results the docs cite: thin argparse wiring over their library modules.

digit-kiosk-trainer crossval [--folds 4] [--out /tmp/crossval] [--report-only]
digit-kiosk-trainer simulate-retraining [--base MODEL.onnx] [--drawings 500] [--seed 0] [--prank 1:7:50]
digit-kiosk-trainer unseen-writers [--model-dir DIR] [--drawn-dir DIR] [--letters-dir DIR]
digit-kiosk-trainer backwards-digits [--fit-sites ced] [--refit] [--gate-dir DIR | --without-gate] [--limit N]
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_to(commands) -> None:
    """Add each experiment's subparser; each sets `handler`, which main() calls with the parsed args."""
    crossval = commands.add_parser(
        "crossval", help="cross-validate the drawn-digit models by writer ([train], ~15 min)"
    )
    crossval.add_argument("--folds", type=int, default=4)
    crossval.add_argument("--out", type=Path, default=Path("/tmp/crossval"), help="the folds' answers (resumable)")
    crossval.add_argument("--report-only", action="store_true", help="only report on the folds already in --out")
    crossval.add_argument(
        "--gate-only", action="store_true", help="train the folds' gates again, keeping their CNNs' answers"
    )
    crossval.add_argument("--only", type=int, nargs="*", help="run just these folds")
    crossval.add_argument(
        "--base",
        type=Path,
        help="the MNIST-only CNN to fine-tune (a fine-tuned one is refused; default: cnn.onnx of the shipped models)",
    )
    crossval.set_defaults(handler=_crossval)
    _add_simulation(commands)

    unseen = commands.add_parser(
        "unseen-writers", help="the shipped kiosk's answers on the dev writers its models never trained on (~2 min)"
    )
    unseen.add_argument("--model-dir", type=Path, help="the models to measure (default: the kiosk's shipped ones)")
    unseen.add_argument("--drawn-dir", type=Path, help="the drawn-digits folder (default: $DRAWN_DIGITS_DIR)")
    unseen.add_argument("--letters-dir", type=Path, help="the drawn-letters folder (default: $DRAWN_LETTERS_DIR)")
    unseen.add_argument("--limit", type=int, help="measure only the first N digits and N letters (a quick look)")
    unseen.add_argument("--json", type=Path, help="also write the figures here")
    unseen.set_defaults(handler=_unseen_writers)
    _add_backwards(commands)


def _add_backwards(commands) -> None:
    backwards = commands.add_parser(
        "backwards-digits", help="backwards digits named, ordinary digits and letters called backwards (~1 min)"
    )
    backwards.add_argument("--fit-sites", nargs="+", default=["ced"], help="the sites the rule is fitted on")
    backwards.add_argument("--refit", action="store_true", help="report the rule fitted now, not the kiosk's")
    backwards.add_argument("--limit", type=int, help="about N digits and N letters (a quick look)")
    backwards.add_argument("--json", type=Path, help="also write the figures here")
    backwards.add_argument("--gate-dir", type=Path, help="where right_way_round.onnx is (default: the kiosk's)")
    backwards.add_argument("--without-gate", action="store_true", help="the rule on the digit model alone")
    backwards.add_argument("--with-strokes", action="store_true",
                           help="keep the stroke model, trained on every dev writer (a look, not a measurement)")
    backwards.set_defaults(handler=_backwards_digits)
    gate = commands.add_parser("build-backwards-gate", help="train the right-way-round gate ([train], ~3 min)")
    gate.add_argument("--out", type=Path, default=Path("exported_models"), help="the shipped-model folder")
    gate.add_argument("--epochs", type=int, default=4)
    gate.set_defaults(handler=_build_backwards_gate)


def _crossval(args: argparse.Namespace) -> int:
    from trainer.crossval import crossval

    crossval(args.folds, args.out, args.base, args.report_only, args.gate_only, args.only)
    return 0


def _add_simulation(commands) -> None:
    from trainer.retraining_simulation import Simulation

    default = Simulation()
    sim = commands.add_parser(
        "simulate-retraining",
        help="children teach half the writers' drawings; measure the nightly retrain on the other half",
    )
    sim.add_argument("--drawings", type=int, default=default.drawings, help="labelled drawings the kiosk collected")
    sim.add_argument("--kind", choices=("cnn", "mlp"), default=default.kind)
    sim.add_argument("--steps", type=int, default=default.steps)
    sim.add_argument("--seed", type=int, default=default.seed)
    sim.add_argument("--learning-rate", type=float, default=default.learning_rate)
    sim.add_argument(
        "--threads", type=int, default=default.threads, help="the retrain's BLAS threads (1 to measure one core)"
    )
    sim.add_argument(
        "--base",
        type=Path,
        help="the model the kiosk runs before teaching (default: the shipped one); only writers it and the "
        "shipped models never trained on teach and are measured",
    )
    sim.add_argument(
        "--noise", type=float, default=default.noise, help="share of the labels replaced by a random wrong one"
    )
    sim.add_argument("--prank", help="SRC:DST:N: N more drawings of SRC by the teaching writers, all labelled DST")
    sim.add_argument("--borderline", type=int, default=default.borderline,
                     help="labels of 7 a night on the 1s the model reads as 1 but gives 7 >= 2%% (copies when few)")
    sim.add_argument("--nights", type=int, default=default.nights,
                     help="consecutive nights, each night's model the next night's base")
    sim.add_argument("--strokes", type=Path, help="a stroke model none of the new writers trained (build-stroke-model "
                     "--only-writers-of): the kiosk answers fused, the night retrains it too, both are measured")
    sim.add_argument("--out", type=Path, default=Path("runs") / "simulate_retraining.json")
    sim.set_defaults(handler=_simulate_retraining)


def _simulate_retraining(args: argparse.Namespace) -> int:
    from trainer.retraining_simulation import Simulation, simulate_and_save

    sim = Simulation(
        args.drawings,
        args.kind,
        args.steps,
        args.seed,
        args.learning_rate,
        args.threads,
        args.base,
        args.noise,
        args.prank,
        args.borderline,
        args.nights,
        args.strokes,
    )
    simulate_and_save(sim, args.out)
    return 0


def _unseen_writers(args: argparse.Namespace) -> int:
    import json

    from kiosk.atomic_write import write_text_atomic
    from trainer.unseen_writers import report

    figures = report(args.model_dir, args.drawn_dir, args.letters_dir, args.limit)
    if args.json:
        write_text_atomic(args.json, json.dumps(figures, indent=2))
    return 0


def _backwards_digits(args: argparse.Namespace) -> int:
    import json

    from kiosk.atomic_write import write_text_atomic
    from trainer.backwards_digits import report

    figures = report(tuple(args.fit_sites), args.limit, args.refit, args.gate_dir, not args.without_gate,
                     args.with_strokes)
    if args.json:
        write_text_atomic(args.json, json.dumps(figures, indent=2))
    return 0


def _build_backwards_gate(args: argparse.Namespace) -> int:
    from trainer.backwards_gate import build

    build(args.out, args.epochs)
    return 0
