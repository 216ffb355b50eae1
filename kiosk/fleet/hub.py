"""The hub's night: pool every kiosk's drawings, retrain as one kiosk does (the same gate and doubt), and
publish a promoted model signed with the hub's key; fleet-wide rollback publishes the model before it.

The hub's own retrain lives in fleet/hub/ as a data dir of its own (feedback/ = the pool, models/ with its kept
versions, retrain_report.json), so a hub that is a kiosk too keeps its own store and takes the fleet's model
like any other kiosk, verified.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging

from kiosk.config import KioskConfig
from kiosk.errors import LearningError
from kiosk.fleet.paths import FleetPaths
from kiosk.fleet.signing import SUFFIX, load_key, publish, sign
from kiosk.retraining import promotion
from kiosk.retraining.status import current_model_path

log = logging.getLogger(__name__)


def hub_config(config: KioskConfig) -> KioskConfig:
    """The settings of the hub's own retrain: the same models and limits, its data dir in fleet/hub/."""
    return dataclasses.replace(config, data_dir=str(FleetPaths.of(config).hub), fleet_role="off")


def night(config: KioskConfig, options, mnist_dir: str | None = None, drawn_dir: str | None = None,
          use_drawn: bool = True, show_progress: bool = False) -> dict:
    """Pool, retrain, publish if promoted; the night's line in the history (returned)."""
    from kiosk.fleet.pool import make_pool
    from kiosk.retraining.nightly import retrain

    hub, paths = hub_config(config), FleetPaths.of(config)
    load_key(paths.signing_key)  # no key, no night: say so before an hour's work
    model = str(current_model_path(hub, options.kind))
    # one night at a time: a second would remake the pool under the first one's retrain
    with promotion.retrain_lock(paths.hub / "night"):
        per_kiosk = make_pool(config, hub.feedback_dir, model)
        entry = {"finished": _now(), "kind": options.kind, "kiosks": per_kiosk}
        try:
            report = retrain(hub, options, mnist_dir, drawn_dir, use_drawn=use_drawn, show_progress=show_progress)
        except LearningError as error:
            entry.update(promoted=False, reasons=[str(error)])
            log.warning("the fleet's night did not retrain: %s", error)
            return _remember(config, entry)
        entry.update({k: report.get(k) for k in ("drawings", "trained_on", "held_out", "doubted", "before", "after",
                                                 "promoted", "reasons", "model_version", "training_seconds")})
        if report["promoted"]:
            entry["sequence"] = publish_current(config, options.kind, "promoted")
        return _remember(config, entry)


def publish_current(config: KioskConfig, kind: str, note: str) -> int:
    """Sign the hub's current model of this kind (its retrained one, else the shipped one) and publish it."""
    paths = FleetPaths.of(config)
    model = current_model_path(hub_config(config), kind).read_bytes()
    sequence = next_sequence(paths, kind)
    publish(paths.published, sign(model, kind, sequence, load_key(paths.signing_key), note), kind)
    _write_sequence(paths, kind, sequence)
    log.info("published the fleet's %s model number %d (%s)", kind, sequence, note)
    return sequence


def rollback(config: KioskConfig, kind: str) -> str:
    """Fleet-wide: the hub puts back the model before its current one and publishes it (a newer number, so
    every kiosk takes it)."""
    hub = hub_config(config)
    with promotion.retrain_lock(hub.data_dir_path):
        said = promotion.rollback(hub.taught_model_dir, kind)
    if said.startswith("nothing to roll back"):
        return said
    sequence = publish_current(config, kind, "rolled back")
    _remember(config, {"finished": _now(), "kind": kind, "rolled_back": said, "promoted": False,
                       "sequence": sequence, "reasons": ["rolled back from the hub"]})
    return f"{said}; published as number {sequence} to every kiosk"


def next_sequence(paths: FleetPaths, kind: str) -> int:
    """One more than any number this hub published for this kind (its record, and the bundle in published/)."""
    try:
        recorded = json.loads((paths.hub / "sequence.json").read_text()).get(kind, 0)
    except (OSError, ValueError, AttributeError):
        recorded = 0
    try:
        with open(paths.published / f"{kind}{SUFFIX}", "rb") as file:
            published = int(json.loads(file.readline(4096))["sequence"])
    except (OSError, ValueError, KeyError, TypeError):
        published = 0
    return max(int(recorded), published) + 1


def _write_sequence(paths: FleetPaths, kind: str, sequence: int) -> None:
    from kiosk.atomic_write import write_text_atomic

    path = paths.hub / "sequence.json"
    try:
        numbers = json.loads(path.read_text())
    except (OSError, ValueError):
        numbers = {}
    write_text_atomic(path, json.dumps({**numbers, kind: sequence}) + "\n")


def history(paths: FleetPaths) -> list[dict]:
    """Every night and rollback the hub remembers, oldest first (a damaged line is skipped)."""
    entries = []
    try:
        lines = paths.history.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def _remember(config: KioskConfig, entry: dict) -> dict:
    """Append the entry to history.jsonl (appended whole with one write; a torn last line is skipped on read)."""
    paths = FleetPaths.of(config)
    paths.hub.mkdir(parents=True, exist_ok=True)
    with open(paths.history, "a", encoding="utf-8") as file:
        file.write(json.dumps(entry) + "\n")
    return entry


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
