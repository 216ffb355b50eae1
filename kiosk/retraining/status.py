"""What the kiosk runs and what the nightly retraining did, for the person looking after it.

Needs no torch: `--status` works on a kiosk-only install.
"""
from __future__ import annotations

import math
import shutil
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.teaching.feedback_store import FeedbackStore


def current_model_path(config: KioskConfig, kind: str) -> Path:
    """What the kiosk runs: the taught model if there is one, else the shipped one."""
    taught = config.taught_model_dir / f"{kind}.onnx"
    return taught if taught.exists() else config.model_dir_path / f"{kind}.onnx"


REPORT_ROOM = 1_000_000  # bytes for the report, temp files and the file system's own needs


def free_bytes(folder: Path) -> int:
    """Space free for this user where folder is (or would be made)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def space_needed(model: Path) -> int:
    """What a retrain writes at most at once: the new model beside a kept copy of the old one, and the report."""
    try:
        size = model.stat().st_size
    except OSError:
        size = 0
    return 2 * size + REPORT_ROOM


def retrain_status(config: KioskConfig) -> str:
    """For the person looking after the kiosk: which model each kind runs, what is kept, what the last night did."""
    from kiosk.recognition.model_files import MODEL_KINDS
    from kiosk.recognition.recognizer import model_version
    from kiosk.retraining.promotion import versions
    from kiosk.teaching.status import read_report

    taught = config.taught_model_dir
    lines = [f"data dir: {config.data_dir_path}",
             f"labelled drawings: {FeedbackStore(config.feedback_dir).count()}"]
    for kind in MODEL_KINDS:
        path = current_model_path(config, kind)
        origin = "retrained" if path.parent == taught else "shipped"
        # the very files --rollback and pruning see (by their order number, whatever the clock said)
        kept = (f"{len(versions(taught / 'versions', kind))} earlier version(s) kept for --rollback, "
                f"{len(versions(taught / 'rejected', kind))} rejected")
        if not path.exists():
            lines.append(f"{kind}: no model file at {path}: the kiosk cannot run this kind (set model_dir); {kept}")
            continue
        lines.append(f"{kind}: runs the {origin} model {path} (version {model_version(path.read_bytes())}); {kept}")
    report = read_report(config.data_dir_path)
    lines.append("last retrain: none yet" if report is None else _last_retrain(report, config))
    needed = max(space_needed(current_model_path(config, kind)) for kind in MODEL_KINDS)
    free = free_bytes(config.data_dir_path)
    if free < needed:
        lines.append(f"warning: the data dir has {free / 1e6:.1f} MB free; a retrain needs {needed / 1e6:.1f} MB "
                     "and stops at once until there is space")
    return "\n".join(lines)


def _last_retrain(report: dict, config: KioskConfig) -> str:
    """The last night in one line: what it learned from, how the numbers moved, and what became of the model."""
    from kiosk.recognition.recognizer import model_version

    reasons = report.get("reasons")
    reasons = "; ".join(str(r) for r in reasons) if isinstance(reasons, list) else "?"
    said = f"last retrain ({report.get('kind')}, {report.get('finished')})"
    if report.get("stopped"):
        return f"{said}: stopped early: {reasons}"
    current = current_model_path(config, str(report.get("kind")))
    if report.get("promoted") is True:
        verdict = "promoted"
    elif report.get("promoting") and current.is_file() and model_version(current.read_bytes()) == report.get(
            "model_version"):
        verdict = "promoted (it stopped before its report was finished)"
    else:
        verdict = "kept aside: " + reasons
    before, after = report.get("before"), report.get("after")
    return (f"{said}: {report.get('drawings')} drawings, "
            f"held-out {_share(before, 'held_out')} -> {_share(after, 'held_out')}, "
            f"MNIST {_share(before, 'mnist_test')} -> {_share(after, 'mnist_test')}; {verdict}"
            + (f"; {report['skipped']} damaged record(s) skipped" if report.get("skipped") else ""))


def _share(measures, key: str) -> str:
    """A report's accuracy as a percentage, or "?" when the report (damaged, or from elsewhere) has none."""
    value = measures.get(key) if isinstance(measures, dict) else None
    return f"{value:.2%}" if type(value) in (int, float) and math.isfinite(value) and 0 <= value <= 1 else "?"
