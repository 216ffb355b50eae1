"""The trainer CLI's builder subcommands: thin argparse wiring over the library modules that build what ships.

Each command is `digit-kiosk-trainer NAME` (or `python -m trainer NAME`); its work lives in a module of
its own, which tests call directly. Heavy imports wait until a command runs, so --help stays instant.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _shipped(name: str) -> Path:
    from kiosk.config import shipped_dir

    return shipped_dir(name)


def add_to(commands) -> None:
    """Add every builder's subparser; each sets `handler`, which main() calls with the parsed args."""
    models_table = commands.add_parser("models-table", help="the shipped models as a Markdown table (for the docs)")
    models_table.add_argument("manifest", nargs="?", type=Path, help="default: MANIFEST.json of the shipped models")
    models_table.set_defaults(handler=_models_table)

    shipped = commands.add_parser("evaluate-shipped", help="every shipped model on MNIST test and the drawn digits")
    shipped.add_argument("--model-dir", type=Path, help="default: the shipped models (exported_models/ in a checkout)")
    shipped.add_argument("--data-dir", help="MNIST folder; only the two t10k test files are read (default: $MNIST_DIR)")
    shipped.add_argument("--drawn-dir", help="drawn-digits folder (default: $DRAWN_DIGITS_DIR or ../shared/...)")
    shipped.add_argument("--no-drawn", action="store_true", help="go on without the drawn digits")
    shipped.set_defaults(handler=_evaluate_shipped)

    translations = commands.add_parser(
        "compile-translations", help="compile the kiosk's .po catalogs into the .mo files it loads"
    )
    translations.add_argument("--check", action="store_true", help="only report .mo files that are out of date")
    translations.set_defaults(handler=_compile_translations)
    live = commands.add_parser("build-live-data", help="the MNIST subset the kiosk carries for live training")
    live.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DIR or ~/.cache/digit-kiosk/mnist)")
    live.add_argument("--check", action="store_true", help="only check that the shipped file is what this builds")
    live.set_defaults(handler=lambda args: _module("mnist_subset").build_or_check(args.data_dir, args.check))
    _add_voice_cache(commands)

    drawn = commands.add_parser(
        "build-drawn-models", help="fine-tune the CNN on the drawn digits and train the gate ([train])"
    )
    drawn.add_argument("--base", type=Path, help="the MNIST-only CNN (default: cnn.onnx of the shipped models)")
    drawn.add_argument("--out", type=Path, help="default: the shipped models (exported_models/ in a checkout)")
    drawn.add_argument("--crossval", type=Path, help="a `crossval` folder: its figures go into the metadata")
    drawn.set_defaults(handler=_build_drawn_models)

    _add_strokes(commands)
    from trainer.shipped_recipes import RECIPES

    shipped = commands.add_parser(
        "build-shipped", help="re-create every shipped model with its recipe ([train], ~35 min)"
    )
    shipped.add_argument(
        "steps",
        nargs="*",
        type=_step,
        metavar="STEP",
        help=f"any of {', '.join(RECIPES)} (default: all, in that order)",
    )
    shipped.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DIR or ~/.cache/digit-kiosk/mnist)")
    shipped.add_argument("--out", type=Path, help="default: the shipped models (exported_models/ in a checkout)")
    shipped.add_argument("--dry-run", action="store_true", help="print the commands, run none")
    shipped.set_defaults(
        handler=lambda args: _module("shipped_recipes").build_shipped(
            args.steps or list(RECIPES), args.out or _shipped("models"), args.data_dir, args.dry_run
        )
    )


def _add_strokes(commands) -> None:
    strokes = commands.add_parser("build-stroke-model", help="train the stroke model on every writer ([train])")
    strokes.add_argument("--out", type=Path, help="default: the shipped models (exported_models/ in a checkout)")
    strokes.add_argument("--crossval", type=Path, help="a stroke-crossval folder (filled first if empty): the "
                         "rule it calibrates and its figures go into the metadata")
    strokes.add_argument("--weights", type=Path, help="export this saved state dict instead of training")
    strokes.add_argument("--only-writers-of", type=Path, help="a model folder: train only on the dev writers its "
                         "image models learned from, with the shipped rule (the retraining simulation's stroke model)")
    _stroke_arguments(strokes)
    strokes.set_defaults(handler=_build_stroke_model)
    crossval = commands.add_parser("stroke-crossval", help="the stroke model and the fused answer, cross-validated "
                                   "by writer and by site ([train])")
    crossval.add_argument("--out", type=Path, required=True, help="folder for the held-out answers and summary.json")
    crossval.add_argument("--folds", type=int, default=5, help="writer folds (the site folds are one per site)")
    crossval.add_argument("--model-dir", type=Path, help="the image CNN and gate (default: the shipped models)")
    crossval.add_argument("--report-only", action="store_true", help="only report the answers already in --out")
    _stroke_arguments(crossval)
    crossval.set_defaults(handler=_stroke_crossval)


def _stroke_arguments(parser) -> None:
    parser.add_argument("--device", default="cpu", help="torch device for training (cuda trains in seconds)")
    parser.add_argument("--workers", type=int, default=1, help="processes rendering the stroke channels")
    parser.add_argument("--epochs", type=int, help="default: StrokeSettings.epochs")
    parser.add_argument("--limit", type=int, help="CI: a few drawings of three writers per site only")


def _stroke_settings(args: argparse.Namespace):
    from dataclasses import replace

    from trainer.stroke_training import StrokeSettings

    settings = replace(StrokeSettings(), workers=args.workers)
    if args.epochs is not None:
        settings = replace(settings, epochs=args.epochs)
    if args.limit is not None:
        settings = replace(settings, digit_copies=2, letter_copies=1)
    return settings


def _build_stroke_model(args: argparse.Namespace) -> int:
    import shlex
    import sys

    command = shlex.join(["digit-kiosk-trainer", *sys.argv[1:]])
    _module("stroke_models").build_stroke_model(args.out or _shipped("models"), args.crossval,
                                                _stroke_settings(args), args.device, command, args.limit,
                                                args.weights, args.only_writers_of)
    return 0


def _stroke_crossval(args: argparse.Namespace) -> int:
    model_dir = args.model_dir or _shipped("models")
    if not args.report_only:
        _module("stroke_crossval").run(args.out, model_dir, args.folds, _stroke_settings(args), args.device,
                                       args.limit)
    _module("stroke_report").report(args.out, model_dir)
    return 0


def _add_voice_cache(commands) -> None:
    from kiosk.language.phrases import LANGUAGES
    from kiosk.voice.engines import ENGINES

    voice = commands.add_parser("build-voice-cache", help="render every spoken phrase to a clip (the [voice] extra)")
    voice.add_argument(
        "--engine",
        choices=("auto", "gtts", "offline", *ENGINES),
        default="auto",
        help="auto: gTTS if reachable, else the best offline engine (default); gtts: fail rather than "
        "fall back; offline: Pico, else espeak-ng, else pyttsx3; or one engine only",
    )
    voice.add_argument(
        "--spanish",
        choices=("spain", "latin-america"),
        default="spain",
        help="the Spanish accent where the engine has both (gTTS, espeak-ng; Pico speaks Castilian)",
    )
    voice.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    voice.add_argument("--out", type=Path, help="default: the shipped clips (voice_cache/ in a checkout)")
    voice.add_argument("--force", action="store_true", help="render every clip again")
    voice.set_defaults(handler=_build_voice_cache)


def _models_table(args: argparse.Namespace) -> int:
    from trainer.models_table import models_table

    print(models_table(args.manifest or _shipped("models") / "MANIFEST.json"))
    return 0


def _evaluate_shipped(args: argparse.Namespace) -> int:
    from trainer.shipped_evaluation import evaluate_shipped

    print(evaluate_shipped(args.model_dir or _shipped("models"), args.data_dir, args.drawn_dir, not args.no_drawn))
    return 0


def _compile_translations(args: argparse.Namespace) -> int:
    from trainer.translations import compile_catalogs

    stale = compile_catalogs(args.check)
    if args.check and stale:
        print("out of date: " + ", ".join(str(p) for p in stale) + "; run digit-kiosk-trainer compile-translations")
        return 1
    return 0


def _build_voice_cache(args: argparse.Namespace) -> int:
    from trainer.voice_cache import build_and_report

    return build_and_report(args.out or _shipped("voice"), args.languages, args.engine, args.spanish, args.force)


def _module(name: str):
    """A builder's library module, imported when its command runs (some need an extra)."""
    import importlib

    return importlib.import_module(f"trainer.{name}")


def _build_drawn_models(args: argparse.Namespace) -> int:
    import shlex

    out = args.out or _shipped("models")
    given = [
        (flag, value)
        for flag, value in (("--base", args.base), ("--out", args.out), ("--crossval", args.crossval))
        if value
    ]
    command = shlex.join(["digit-kiosk-trainer", "build-drawn-models", *[str(part) for pair in given for part in pair]])
    _module("drawn_models").build_drawn_models(args.base or out / "cnn.onnx", out, args.crossval, command)
    return 0


def _step(name: str) -> str:
    from trainer.shipped_recipes import RECIPES

    if name not in RECIPES:
        raise argparse.ArgumentTypeError(f"no step {name!r}; the steps are {', '.join(RECIPES)}")
    return name
