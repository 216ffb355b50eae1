"""Taking a model from the fleet: verify everything, then hand it to promotion; refuse anything else.

A signed bundle in published/ is installed only if (1) the hub's key (fleet_hub_key) signed exactly these bytes,
(2) it is newer than the one installed (its sequence; an old bundle replayed is refused), (3) it fits the model
contract and loads in onnxruntime, and (4) onnxruntime answers like the learning engine on the example digits.
Then promotion.promote keeps the previous model and swaps atomically, and the kiosk's model watcher hot-swaps it
when nobody is drawing (after proving it on the example digits once more). A refusal is one log line, once per
bundle; the model in use stays.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from kiosk.atomic_write import write_bytes_atomic, write_text_atomic
from kiosk.config import KioskConfig
from kiosk.errors import KioskError
from kiosk.fleet.paths import FleetPaths
from kiosk.fleet.signing import SUFFIX, Refused, SignedModel, open_bundle, trusted_key
from kiosk.recognition.model_files import MODEL_KINDS
from kiosk.recognition.recognizer import Recognizer
from kiosk.retraining.promotion import RetrainBusy

log = logging.getLogger(__name__)


def read_state(paths: FleetPaths) -> dict:
    """What this kiosk took from the fleet: {"applied": {kind: {...}}, "seen": [bundle sha256...], "refused"}."""
    try:
        state = json.loads(paths.applied.read_text())
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def receive(config: KioskConfig) -> list[str]:
    """One look at published/: install what verifies; returns what happened, one line per bundle looked at."""
    paths = FleetPaths.of(config)
    state = read_state(paths)
    said = []
    for kind in MODEL_KINDS:
        bundle = paths.published / f"{kind}{SUFFIX}"
        try:
            data = bundle.read_bytes()
        except OSError:
            continue  # nothing published (yet) for this kind
        # taken or refused already: one log line per bundle, not one a pass (a new trusted key looks again)
        digest = hashlib.sha256(config.fleet_hub_key.encode() + data).hexdigest()
        if digest in state.get("seen", []):
            continue
        try:
            signed = verify_bundle(config, kind, data, state)
            said.append(_install(config, signed))
        except Refused as error:
            line = f"refused the fleet's {kind} model ({bundle}): {error}; the kiosk keeps the model it runs"
            log.error(line)
            said.append(line)
            state["refused"] = {"kind": kind, "why": str(error),
                                "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        except OSError as error:  # a full disk: not marked seen, so it is tried again next pass
            log.error("cannot install the fleet's %s model (%s); trying again later", kind, error.strerror or error)
            said.append(f"{kind}: not installed, {error}")
            continue
        except RetrainBusy:  # a retrain or rollback is changing the models: next pass
            said.append(f"{kind}: not installed yet, a retrain or rollback holds the models; trying again later")
            continue
        else:
            state.setdefault("applied", {})[kind] = {"sequence": signed.sequence, "sha256": signed.sha256,
                                                     "published": signed.published, "note": signed.note}
        state["seen"] = (state.get("seen", []) + [digest])[-20:]
        _save_state(paths, state)
    return said


def verify_bundle(config: KioskConfig, kind: str, data: bytes, state: dict) -> SignedModel:
    """The model in a bundle after every check passed; Refused naming the first that failed."""
    if not config.fleet_hub_key:
        raise Refused("no fleet_hub_key is set, so no model from the fleet is trusted")
    signed = open_bundle(data, trusted_key(config.fleet_hub_key), config.max_model_mb * 1_000_000 + 4096)
    if signed.kind != kind:
        raise Refused(f"it says it is a {signed.kind!r} model, in the {kind} file")
    installed = state.get("applied", {}).get(kind, {}).get("sequence", -1)
    if signed.sequence <= installed:
        raise Refused(f"it is number {signed.sequence}, not newer than the {installed} installed (an old file again)")
    check_model(config, signed.model)
    return signed


def check_model(config: KioskConfig, model: bytes) -> None:
    """The model contract in onnxruntime, then onnxruntime against the learning engine on the example digits."""
    from kiosk.learning.onnx_io import check_parity, read_onnx
    from kiosk.recognition.example_digits import example_images
    from kiosk.recognition.preprocess import to_model_input

    trial = FleetPaths.of(config).root / ".incoming.onnx"
    write_bytes_atomic(trial, model)
    try:
        Recognizer(trial)
        network, _, _ = read_onnx(model)
        check_parity(network, model, to_model_input(example_images()[0]))
    except KioskError as error:
        raise Refused(str(error).replace(str(trial), "the model")) from None
    finally:
        trial.unlink(missing_ok=True)


def _install(config: KioskConfig, signed: SignedModel) -> str:
    from kiosk.retraining import promotion

    with promotion.retrain_lock(config.data_dir_path):
        promotion.promote(signed.model, config.taught_model_dir, signed.kind)
    line = (f"took the fleet's {signed.kind} model number {signed.sequence} ({signed.note}, {signed.sha256[:16]}); "
            "the kiosk switches to it when nobody is drawing")
    log.info(line)
    return line


def _save_state(paths: FleetPaths, state: dict) -> None:
    try:
        write_text_atomic(paths.applied, json.dumps(state, indent=1) + "\n")
    except OSError as error:
        log.error("cannot write %s (%s)", paths.applied, error.strerror or error)


def installed_sequence(paths: FleetPaths, kind: str) -> int | None:
    """The sequence number of the fleet model this kiosk runs, if any."""
    return read_state(paths).get("applied", {}).get(kind, {}).get("sequence")


