"""Command line: python -m trainer (or digit-kiosk-trainer) {download, train, evaluate, retrain} and the builders.

Thin wiring over the library functions. train needs the [train] extra (torch); evaluate the [evaluate] extra
(scikit-learn, no torch); download only the kiosk's runtime.
retrain is an alias of `digit-kiosk retrain` for one release: the nightly
retraining is the device's, in kiosk/retraining. The builders of what ships (models-table, ...) are wired
in trainer/build_commands.py, the experiments the docs cite (crossval, ...) in trainer/experiment_commands.py.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import shlex
import sys
from pathlib import Path


from kiosk.errors import KioskError
from kiosk.learning import stopping
from trainer.errors import TrainerError

log = logging.getLogger("trainer")


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    # One flag per TrainSettings field; the defaults and their why live in the dataclass, not here.
    from trainer.settings import AUGMENTATIONS, MODEL_KINDS, TrainSettings, field_help

    why, default = field_help(), TrainSettings()

    def add(flags, name, **kwargs):
        help_text = f"{why.get(name, '')} (default: {getattr(default, name)})"
        parser.add_argument(*flags, dest=name, help=help_text, **kwargs)

    add(["--model"], "model", choices=MODEL_KINDS)
    add(["--dropout", "--dropout-rate"], "dropout_rate", type=float)
    add(["--learning-rate", "--lr"], "learning_rate", type=float)
    add(["--max-epochs"], "max_epochs", type=int)
    add(["--batch-size"], "batch_size", type=int)
    add(["--lr-decay"], "lr_decay", type=float)
    add(["--hidden-units"], "hidden_units", type=int)
    add(["--augment"], "augment", choices=AUGMENTATIONS)
    add(["--val-size"], "val_size", type=int)
    add(["--seed"], "seed", type=int)
    add(["--threads"], "threads", type=int)
    add(["--limit-batches"], "limit_batches", type=int)


def _prog() -> str:
    return "python -m trainer" if sys.argv[0].endswith("__main__.py") else "digit-kiosk-trainer"


def build_parser() -> argparse.ArgumentParser:
    from kiosk import version

    parser = argparse.ArgumentParser(
        prog=_prog(), description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (debug level)")
    # Not required=True: argparse would then complain of the missing command and never name an unknown flag.
    commands = parser.add_subparsers(dest="command")

    download = commands.add_parser("download", help="fetch and verify the four MNIST files (needs internet)")
    download.add_argument("--data-dir", help="where to put them (default: $MNIST_DIR or ~/.cache/digit-kiosk/mnist)")

    train = commands.add_parser("train", help="train a model and export it as verified ONNX")
    _settings_arguments(train)
    train.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DIR or ~/.cache/digit-kiosk/mnist)")
    train.add_argument("--drawn-dir", help="drawn-digits folder (default: $DRAWN_DIGITS_DIR or ../shared/...)")
    train.add_argument("--out", default="runs", help="folder for the .onnx and MANIFEST.json (default: runs)")
    train.add_argument("--name", help="file name without .onnx (default: the model kind)")
    train.add_argument("--snapshot-epochs", type=_epoch_list, default=[],
                       help="also export the best model after these epochs, e.g. 1,3")
    train.add_argument("--no-drawn", action="store_true", help="go on without the drawn digits (no drawn accuracy)")

    evaluate = commands.add_parser("evaluate", help="accuracy of an ONNX model on MNIST test and drawn digits")
    evaluate.add_argument("model_paths", metavar="MODEL.onnx", nargs="+", type=Path)
    evaluate.add_argument("--data-dir",
                          help="MNIST folder; only the two t10k test files are read (default: $MNIST_DIR)")
    evaluate.add_argument("--drawn-dir", help="drawn-digits folder (default: $DRAWN_DIGITS_DIR or ../shared/...)")
    evaluate.add_argument("--no-drawn", action="store_true", help="go on without the drawn digits")
    evaluate.add_argument("--brief", action="store_true", help="one line per model")

    from kiosk.retraining import command as retraining_command

    retrain = commands.add_parser("retrain",
                                  help="moved to `digit-kiosk retrain` (this alias goes in the next release)")
    retraining_command.add_retrain_arguments(retrain)
    from trainer import build_commands, experiment_commands

    build_commands.add_to(commands)
    experiment_commands.add_to(commands)
    return parser


def _retrain(args) -> int:
    """The alias of one release: say where the command went, then do the same."""
    from kiosk.retraining.command import run_retrain

    print("`python -m trainer retrain` moved to `digit-kiosk retrain` (the same options); running that",
          file=sys.stderr)
    return run_retrain(args)


def main(argv: list[str] | None = None) -> int:
    argv_given = argv is not None
    argv = sys.argv[1:] if argv is None else argv
    args = parse(build_parser(), argv)
    stopping.install()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(message)s")
    try:
        code = _run(args, argv)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
        return code
    except (TrainerError, KioskError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `... evaluate | head`: the reader stopped reading, not an error (an OSError too: first)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:  # a full disk, a read-only --out or data dir
        where = "pick another --out" if args.command == "train" else "check the data dir (data_dir in --config)"
        print(f"error: {error}. Nothing was left half-written; free space or {where}.", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        message = _missing_extra(error, args.command)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        if argv_given:
            return 130
        # An interrupt that passed through code torch runs for us can leave CPython set to end the
        # process with -SIGINT even though it was handled here; say 130, as documented, and go.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    """One command; its exit code."""
    if getattr(args, "handler", None):  # a builder or an experiment
        return args.handler(args)
    if args.command == "download":
        from kiosk.learning import mnist

        print(f"MNIST is ready in {mnist.download(args.data_dir)}")
    elif args.command == "train":
        from trainer.run import train_and_export

        settings_values = {f.name: getattr(args, f.name) for f in _settings_fields()
                           if getattr(args, f.name, None) is not None}
        command = "python -m trainer " + shlex.join(argv)
        train_and_export(
            settings_values, Path(args.out), args.name, args.snapshot_epochs, args.data_dir, args.drawn_dir,
            command, drawn_required=not args.no_drawn,
        )
    elif args.command == "retrain":
        return _retrain(args)
    elif args.command == "evaluate":
        from trainer.evaluate import evaluate_files

        print(evaluate_files(args.model_paths, args.data_dir, args.drawn_dir, not args.no_drawn, args.brief))
    return 0


# A module a command needs that an extra brings: module -> the extra.
EXTRAS = {"torch": "train", "tqdm": "train", "sklearn": "train", "gtts": "voice", "soundfile": "voice", "babel": "dev"}


def _missing_extra(error: ModuleNotFoundError, command: str) -> str | None:
    """What to install when a command's module is missing (None: not one an extra brings)."""
    missing = (error.name or "").split(".")[0]
    if missing == "sklearn" and command != "train":  # evaluating needs scikit-learn, not torch
        return (f"error: '{command}' needs scikit-learn, which comes with the [evaluate] extra (no torch): "
                "pip install 'digit-kiosk[evaluate]'")
    if missing not in EXTRAS:
        return None
    extra = EXTRAS[missing]
    then = " (first the CPU-only torch: docs/training.md in the source)" if extra == "train" else ""
    return (f"error: '{command}' needs {error.name}, which comes with the [{extra}] extra: "
            f"pip install 'digit-kiosk[{extra}]'{then}")


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """parse_args that names an unknown flag even when the command is missing too."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        parser.error("choose a command (the list is above; --help says what each does)")
    return args


def _epoch_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected epochs like 1,4 — got {text!r}") from None


def _settings_fields():
    from trainer.settings import TrainSettings

    return dataclasses.fields(TrainSettings)


if __name__ == "__main__":
    sys.exit(main())
