"""python -m kiosk: parse the command line, load the config, build the App, run it.

The only place that catches every exception: an unattended kiosk logs it and exits calmly, with
a one-line message, never a traceback (a service manager restarts it).
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import signal
import sys
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.log_file import QuietLogFile
from kiosk.fleet import command as fleet_command
from kiosk.retraining import command as retraining_command

KIOSK_ONLY_FLAGS = ("--windowed", "--headless", "--size", "--replay", "--events-out", "--exit-when-done")

log = logging.getLogger("kiosk")


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT like 800x480, got {text!r}") from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"{text} is outside 320x240 .. 7680x4320")
    return width, height


def build_parser() -> argparse.ArgumentParser:
    from kiosk import version

    prog = "python -m kiosk" if sys.argv[0].endswith("__main__.py") else "digit-kiosk"
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The digit kiosk: fullscreen on the touchscreen by default.",
        epilog="Settings: every key has a default; `python -m kiosk.config --markdown` lists them all "
        "(docs/configuration.md in the source). Grown-ups leave by holding the bottom-left corner for 3 s and "
        "typing the PIN.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("--config", type=Path, help="TOML settings file (default: none, every key has a default)")
    parser.add_argument(
        "--windowed", action="store_true", help="a window that fits the screen instead of fullscreen; Esc quits"
    )
    parser.add_argument("--headless", action="store_true", help="no display or audio device needed (simulated time)")
    parser.add_argument(
        "--size", type=_size, help="window or headless size, e.g. 800x480 (default: the screen's, or 800x480 headless)"
    )
    parser.add_argument("--replay", type=Path, help="JSON lines of scripted touches to play through the kiosk")
    parser.add_argument("--events-out", type=Path, help="write what happened as JSON lines")
    parser.add_argument("--exit-when-done", action="store_true", help="quit once the replay has been played")
    commands = parser.add_subparsers(
        dest="command", title="device commands (without one, the kiosk runs)", metavar="{retrain,download-mnist,fleet}"
    )
    retraining_command.add_parsers(commands)
    fleet_command.add_parsers(commands)
    return parser


def setup_logging(log_dir: Path, max_bytes: int, backups: int) -> None:
    """Log to stderr, and to a size-capped rotating file when its folder is writable."""
    console = logging.StreamHandler()
    console.addFilter(lambda record: getattr(record, "console", True))  # main() prints its own one-line reason
    handlers: list[logging.Handler] = [console]
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(QuietLogFile(log_dir / "kiosk.log", max_bytes, backups))
    except OSError as error:
        print(f"kiosk: not logging to {log_dir} ({error}); logging to the terminal only", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=handlers)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command:
        kiosk_only = [flag for flag in KIOSK_ONLY_FLAGS if getattr(args, flag.lstrip("-").replace("-", "_"))]
        if kiosk_only:
            parser.error(f"{', '.join(kiosk_only)}: for running the kiosk, not with '{args.command}'")
        return args.run(args)
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # keep the terminal and logs quiet
    try:
        from kiosk import replay
        from kiosk.app import App, LaunchOptions
        from kiosk.config import KioskConfig
        from kiosk.service import check_runtime

        config = KioskConfig.load(args.config)
        setup_logging(config.log_dir_path, config.log_max_bytes, config.log_backups)
        log.info("runtime ok: onnxruntime %s", check_runtime(args.config, devices=not args.headless))
        options = LaunchOptions(
            windowed=args.windowed,
            headless=args.headless,
            size=args.size,
            replay=replay.load(args.replay) if args.replay else None,
            events_out=args.events_out,
            exit_when_done=args.exit_when_done,
            config_path=args.config,
        )
        app = App(config, options)
        # `systemctl --user reload`-style: new settings, no restart
        signal.signal(signal.SIGHUP, app.ask_reload_settings)
        # systemd stop: finish the frame, exit 0
        signal.signal(signal.SIGTERM, lambda *_: setattr(app, "running", False))
        return app.run()
    except KioskError as error:
        # Without handlers logging is not set up yet (a bad settings file): Python would print it bare.
        if logging.getLogger().handlers:
            log.error("%s", error, extra={"console": False})  # the log file keeps it; the terminal gets one line
        print(f"kiosk: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:  # the last line of defence for an unattended kiosk
        log.exception("the kiosk stopped because of an unexpected error")
        print("kiosk: stopped because of an unexpected error; see the log", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
