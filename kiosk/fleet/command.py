"""`digit-kiosk fleet ...`: the fleet's commands, thin wiring over the modules beside this one.

On every machine: `sync` (the outbox, the health file, and taking a model the hub signed; `--every S` repeats,
for a user service), `id`, `setup`. On the hub: `keygen`, `pair`, `night` (the pooled retrain), `rollback`,
`report`. Heavy imports happen only in the command that needs them.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from kiosk.errors import KioskError

log = logging.getLogger(__name__)
FLEET_HELP = "many kiosks, one brain: share drawings with a hub over Syncthing and take its signed models"
# Syncthing keeps its config.xml in ~/.config/syncthing (Debian 12's 1.19), or ~/.local/state/syncthing (1.27 on)
SYNCTHING_HOMES = (Path.home() / ".config" / "syncthing", Path.home() / ".local" / "state" / "syncthing")
SYNCTHING_HOME = next((home for home in SYNCTHING_HOMES if (home / "config.xml").exists()), SYNCTHING_HOMES[0])


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """`fleet` and its subcommands, added to a command line's subparsers."""
    fleet = commands.add_parser("fleet", help=FLEET_HELP, description=FLEET_HELP)
    steps = fleet.add_subparsers(dest="fleet_command", required=True, metavar="{sync,id,setup,keygen,pair,night,"
                                 "rollback,report}")

    def step(name: str, run, text: str) -> argparse.ArgumentParser:
        parser = steps.add_parser(name, help=text, description=text)
        parser.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="the kiosk's settings file")
        parser.set_defaults(run=lambda args: _run(run, args))
        return parser

    sync = step("sync", run_sync, "mirror the labelled drawings to the outbox, write the health file, take a "
                "signed model the hub published")
    sync.add_argument("--every", type=float, default=0, help="repeat every this many seconds (0: once)")
    for name, run, text in (("id", run_id, "print this machine's Syncthing device ID (to pair it)"),
                            ("setup", run_setup, "configure the local Syncthing for this kiosk's fleet_role")):
        parser = step(name, run, text)
        parser.add_argument("--syncthing-home", type=Path, default=SYNCTHING_HOME,
                            help=f"Syncthing's config folder (default {SYNCTHING_HOME})")
        if name == "setup":
            parser.add_argument("--hub-id", help="on a kiosk: the hub's device ID (`digit-kiosk fleet id` there)")
    step("keygen", run_keygen, "on the hub, once: make the key that signs the fleet's models")
    pair = step("pair", run_pair, "on the hub: take a kiosk's drawings and send it the models")
    pair.add_argument("device_id", help="the kiosk's Syncthing device ID")
    pair.add_argument("name", help="the kiosk's name on the grown-ups' page, e.g. hall-2")
    pair.add_argument("--syncthing-home", type=Path, default=SYNCTHING_HOME)
    night = step("night", run_night, "on the hub: retrain on every kiosk's drawings, publish a promoted model")
    night.add_argument("--kind", choices=("cnn", "mlp"), default="cnn")
    night.add_argument("--steps", type=int, default=300, help="training batches (default 300)")
    night.add_argument("--min-drawings", type=int, default=20, help="refuse to retrain on fewer (default 20)")
    night.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DIR or ~/.cache/digit-kiosk/mnist)")
    night.add_argument("--no-drawn", action="store_true", help="judge without the drawn digits")
    rollback = step("rollback", run_rollback, "on the hub: put back the model before, on every kiosk")
    rollback.add_argument("--kind", choices=("cnn", "mlp"), default="cnn")
    step("report", run_report, "on the hub: write the grown-ups' page now")


def _run(run, args: argparse.Namespace) -> int:
    from kiosk.config import KioskConfig
    from kiosk.retraining.promotion import RetrainBusy

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        print(run(KioskConfig.load(getattr(args, "config", None)), args))
        return 0
    except KioskError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except RetrainBusy as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    except OSError as error:
        print(f"error: {error}; check the data dir (data_dir) has space and is writable", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def sync_once(config) -> list[str]:
    """One fleet pass on a kiosk (or the hub, which is a kiosk too)."""
    from kiosk.fleet.health import write_health
    from kiosk.fleet.outbox import mirror
    from kiosk.fleet.paths import FleetPaths
    from kiosk.fleet.receive import receive

    if config.fleet_role == "off":
        return ["fleet_role is \"off\": this kiosk learns alone (docs/fleet.md)"]
    mirrored = mirror(config.feedback_dir, FleetPaths.of(config).outbox_drawings)
    taken = receive(config)
    write_health(config)  # after receive: the health file names the model just taken
    return [f"outbox: {mirrored.added} added, {mirrored.removed} removed"] + taken


def run_sync(config, args) -> str:
    while args.every > 0:
        sync_once(config)
        time.sleep(args.every)
    return "\n".join(sync_once(config))


def run_id(config, args) -> str:
    from kiosk.fleet.syncthing import Syncthing

    return Syncthing.from_home(args.syncthing_home).my_id()


def run_setup(config, args) -> str:
    from kiosk.fleet.paths import FleetPaths
    from kiosk.fleet.syncthing import Syncthing, set_up_hub, set_up_member

    sync, paths = Syncthing.from_home(args.syncthing_home), FleetPaths.of(config)
    if config.fleet_role == "hub":
        return f"hub ready; give each kiosk this ID: {set_up_hub(sync, paths)}"
    if config.fleet_role == "member" and args.hub_id:
        me = set_up_member(sync, paths, args.hub_id)
        return f"kiosk ready; on the hub run: digit-kiosk fleet pair {me} NAME"
    raise KioskError("set fleet_role to \"hub\" or \"member\" first, and give a kiosk --hub-id")


def run_keygen(config, args) -> str:
    from kiosk.fleet.paths import FleetPaths
    from kiosk.fleet.signing import load_key, new_key, public_hex

    path = FleetPaths.of(config).signing_key
    public = public_hex(load_key(path)) if path.exists() else new_key(path)
    return f'signing key: {path} (keep it; never copy it)\nput in every kiosk\'s settings: fleet_hub_key = "{public}"'


def run_pair(config, args) -> str:
    from kiosk.fleet.paths import FleetPaths
    from kiosk.fleet.syncthing import Syncthing, pair_member

    pair_member(Syncthing.from_home(args.syncthing_home), FleetPaths.of(config), args.device_id, args.name)
    return f"paired {args.name}: its drawings arrive in the fleet's kiosks/{args.name}/"


def run_night(config, args) -> str:
    from kiosk.fleet.hub import night
    from kiosk.fleet.report import write_report
    from kiosk.retraining.nightly import RetrainOptions

    options = RetrainOptions(kind=args.kind, steps=args.steps, min_drawings=args.min_drawings)
    entry = night(config, options, args.data_dir, use_drawn=not args.no_drawn, show_progress=True)
    page = write_report(config)
    verdict = f"published as number {entry['sequence']}" if entry.get("promoted") else "not promoted: " + "; ".join(
        entry.get("reasons") or [])
    return f"{args.kind}: {entry.get('drawings', 0)} drawings from {len(entry['kiosks'])} kiosks; {verdict}\n{page}"


def run_rollback(config, args) -> str:
    from kiosk.fleet.hub import rollback
    from kiosk.fleet.report import write_report

    said = rollback(config, args.kind)
    write_report(config)
    return f"{args.kind}: {said}"


def run_report(config, args) -> str:
    from kiosk.fleet.report import write_report

    return f"the grown-ups' page: {write_report(config)}"
