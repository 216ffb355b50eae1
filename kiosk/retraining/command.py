"""The device's commands: `digit-kiosk retrain [--status | --rollback]` and `digit-kiosk download-mnist`.

Thin wiring over nightly, promotion and status. The heavy imports (MNIST, the learning engine) happen only
when a retrain really runs, so `--status`, `--rollback` and `--help` stay quick on a Pi.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

RETRAIN_HELP = "fine-tune the kiosk's model on the drawings children labelled; promote it only if no worse"
DOWNLOAD_HELP = "fetch and verify the four MNIST files the nightly retraining learns beside (needs internet, once)"
MNIST_DIR_HELP = "MNIST folder (default: $MNIST_DIR or ~/.cache/digit-kiosk/mnist)"
EXIT_ERROR, EXIT_BUSY, EXIT_STOPPED = 2, 3, 130


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """The device's subcommands, added to a command line's subparsers."""
    retrain = commands.add_parser("retrain", help=RETRAIN_HELP, description=RETRAIN_HELP)
    add_retrain_arguments(retrain)
    retrain.set_defaults(run=run_retrain)
    download = commands.add_parser("download-mnist", help=DOWNLOAD_HELP, description=DOWNLOAD_HELP)
    download.add_argument("--data-dir", help=f"where to put them; {MNIST_DIR_HELP}")
    download.set_defaults(run=run_download)


def add_retrain_arguments(parser: argparse.ArgumentParser) -> None:
    """The retrain command's options (the trainer's `retrain` alias takes the same)."""
    # SUPPRESS: `digit-kiosk --config F retrain` keeps F (a subcommand's default would overwrite it)
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS,
                        help="the kiosk's settings file (for data_dir and model_dir)")
    parser.add_argument("--kind", choices=("cnn", "mlp"), default="cnn")
    parser.add_argument("--steps", type=int, default=300, help="training batches (default 300)")
    parser.add_argument("--learning-rate", type=float, default=5e-5,
                        help="small, so MNIST stays within the promotion gate (default 5e-5)")
    parser.add_argument("--min-drawings", type=int, default=20, help="refuse to retrain on fewer (default 20)")
    parser.add_argument("--threads", type=int, default=2,
                        help="BLAS threads (default 2; never more than the cores it may use, or they spin)")
    parser.add_argument("--data-dir", help=f"{MNIST_DIR_HELP}, for replay and the gate")
    parser.add_argument("--drawn-dir", help="drawn-digits folder, for the gate where available")
    parser.add_argument("--no-drawn", action="store_true", help="judge without the drawn digits")
    parser.add_argument("--rollback", action="store_true", help="put back the model before the current one, and stop")
    parser.add_argument("--status", action="store_true",
                        help="say what the kiosk runs and what retraining did, and stop")
    parser.add_argument("--quiet", action="store_true", help="no progress lines (for timers and logs)")


def run_retrain(args: argparse.Namespace) -> int:
    """Retrain, or say the status, or roll back; an exit code, and never a traceback for what can go wrong."""
    from kiosk.learning import stopping
    from kiosk.retraining.promotion import RetrainBusy

    stopping.install()
    _log_to_terminal()
    return _exit_code(lambda: _retrain(args), "Nothing was left half-written; free space or check the data dir "
                      "(data_dir in --config).", busy=RetrainBusy)


def _retrain(args: argparse.Namespace) -> str:
    from kiosk.config import KioskConfig
    from kiosk.retraining import promotion
    from kiosk.retraining.status import retrain_status

    config = KioskConfig.load(getattr(args, "config", None))
    if args.status:
        return retrain_status(config)
    if args.rollback:
        with promotion.retrain_lock(config.data_dir_path):
            return f"{args.kind}: {promotion.rollback(config.taught_model_dir, args.kind)}"
    from kiosk.retraining.nightly import RetrainOptions, retrain  # MNIST and the learning engine: only now

    options = RetrainOptions(kind=args.kind, steps=args.steps, learning_rate=args.learning_rate,
                             min_drawings=args.min_drawings, threads=args.threads)
    report = retrain(config, options, args.data_dir, args.drawn_dir, use_drawn=not args.no_drawn,
                     show_progress=not args.quiet)
    return summary(report)


def summary(report: dict) -> str:
    """What a night's retrain did, in three lines for the person looking after the kiosk."""
    before, after = report["before"], report["after"]
    lines = [f"{report['kind']}: {report['drawings']} drawings ({report['held_out']} held out), "
             f"{report['training_seconds']} s of training",
             f"  MNIST test {before['mnist_test']:.2%} -> {after['mnist_test']:.2%}; "
             f"held-out drawings {before['held_out']:.2%} -> {after['held_out']:.2%}"
             + (f"; drawn-digits-dev {before['drawn_dev']:.2%} -> {after['drawn_dev']:.2%}"
                if before["drawn_dev"] is not None else "")]
    if report["promoted"]:
        lines.append(f"  promoted: {report['promoted_to']} (the kiosk switches to it when nobody is drawing)")
    else:
        lines.append("  kept aside, not promoted: " + "; ".join(report["reasons"]) + f" ({report['set_aside']})")
    return "\n".join(lines)


def run_download(args: argparse.Namespace) -> int:
    """Fetch MNIST once, while online; an exit code."""
    from kiosk.learning import mnist

    _log_to_terminal()
    return _exit_code(lambda: f"MNIST is ready in {mnist.download(args.data_dir)}",
                      "Check that the MNIST folder is writable and has space.")


def _exit_code(action: Callable[[], str], disk_advice: str, busy: type[Exception] | tuple = ()) -> int:
    """Print what action says; an exit code, and one line instead of a traceback for what can go wrong."""
    try:
        print(action())
        return 0
    except busy as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BUSY
    except KioskError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:  # a full disk, a read-only folder
        print(f"error: {error}. {disk_advice}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return EXIT_STOPPED


def _log_to_terminal() -> None:
    """Progress as plain lines on stderr (a timer's journal keeps them)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
