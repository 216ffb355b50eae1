"""What the kiosk runs and what the nightly retraining did, for the person looking after it.

Needs no torch: `--status` works on a kiosk-only install.
"""
from __future__ import annotations

from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.teaching.feedback_store import FeedbackStore


def current_model_path(config: KioskConfig, kind: str) -> Path:
    """What the kiosk runs: the taught model if there is one, else the shipped one."""
    taught = config.taught_model_dir / f"{kind}.onnx"
    return taught if taught.exists() else config.model_dir_path / f"{kind}.onnx"


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
    if report is None:
        lines.append("last retrain: none yet")
    else:
        before, after = report.get("before"), report.get("after")
        reasons = report.get("reasons")
        reasons = "; ".join(str(r) for r in reasons) if isinstance(reasons, list) else "?"
        verdict = "promoted" if report.get("promoted") is True else "kept aside: " + reasons
        lines.append(f"last retrain ({report.get('kind')}, {report.get('finished')}): "
                     f"{report.get('drawings')} drawings, "
                     f"held-out {_share(before, 'held_out')} -> {_share(after, 'held_out')}, "
                     f"MNIST {_share(before, 'mnist_test')} -> {_share(after, 'mnist_test')}; {verdict}")
    return "\n".join(lines)


def _share(measures, key: str) -> str:
    """A report's accuracy as a percentage, or "?" when the report (damaged, or from elsewhere) has none."""
    value = measures.get(key) if isinstance(measures, dict) else None
    return f"{value:.2%}" if type(value) in (int, float) else "?"
