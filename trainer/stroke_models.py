"""Build the stroke model the kiosk ships: trained on every dev writer's digits and "not a number" letters, with
the fused answer's rule calibrated by the cross-validation (stroke_crossval, stroke_report) in its metadata.

The cross-validation runs first when its folder has no results yet (`--crossval DIR`); its figures, not this
model's, are the ones to quote: this model has seen every dev writer.

    digit-kiosk-trainer build-stroke-model [--out exported_models] [--crossval build/stroke-crossval]
        [--device cuda] [--workers 16]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from kiosk.recognition import model_contract as contract
from trainer import drawings, stroke_training
from trainer.stroke_training import StrokeSettings


def build_stroke_model(out: Path, crossval_dir: Path | None, settings: StrokeSettings, device: str, command: str,
                       limit: int | None = None, weights: Path | None = None,
                       only_writers_of: Path | None = None) -> Path:
    """Train on every writer, export strokes.onnx into out (parity checked) and add it to the manifest.

    weights: a state dict this command saved before (beside the cross-validation): export it, train nothing.
    only_writers_of: a model folder; train only on the dev writers its image models learned from, with the
    shipped stroke model's rule (for the retraining simulation: every other writer stays new to it)."""
    import torch

    from kiosk.atomic_write import write_bytes_atomic
    from kiosk.config import shipped_dir
    from trainer import stroke_crossval, stroke_report
    from trainer.export import PARITY_TOLERANCE, update_manifest

    summary = {}
    if crossval_dir is not None:
        if not (crossval_dir / stroke_crossval.RESULTS).exists():
            print(f"cross-validating first, into {crossval_dir}", flush=True)
            stroke_crossval.run(crossval_dir, shipped_dir("models"), 5, settings, device, limit)
        summary = stroke_report.report(crossval_dir, shipped_dir("models"))
    digits, letters = _training_drawings(limit, only_writers_of)
    if only_writers_of is not None:
        summary = {"rule": _shipped_rule()}
    writers = sorted(set(digits.writers.tolist()) | set(letters.writers.tolist()))
    print(f"training the stroke model on {len(digits)} digits and the letters of {len(writers)} writers", flush=True)
    if weights is not None:
        x = stroke_training.render(digits.subset(np.arange(len(digits)) < 1000), 1, settings.seed)  # parity only
        model = stroke_training.StrokeCNN()
        model.load_state_dict(torch.load(weights, map_location="cpu"))
        model.eval()
    else:
        x, y = stroke_training.training_set(digits, letters, settings)
        model = stroke_training.fit(x, y, settings, device)
        if crossval_dir is not None:
            torch.save(model.state_dict(), crossval_dir / "stroke_model.pt")
    rule = summary.get("rule") or {}
    crossval = {scheme: {k: summary[scheme][k] for k in ("digits", "right", "not_sure", "wrong", "letters",
                                                         "letters_answered")} for scheme in ("writer", "site")
                if scheme in summary}
    metadata = stroke_training.metadata(replace(settings, workers=1), writers, rule,
                                        {"crossval": json.dumps(crossval)})
    data = stroke_training.to_onnx_bytes(model, metadata)
    check = x[np.random.default_rng(0).choice(len(x), min(1000, len(x)), replace=False)]
    difference = stroke_training.check_parity(model, data, check)
    out.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out / contract.STROKE_FILE, data)
    update_manifest(out / "MANIFEST.json", contract.STROKE_FILE, {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "parity_max_abs_diff": difference,
        "parity_images": len(check),
        "command": command,
        "metadata": {"model_kind": contract.STROKE_KIND, "decision": rule, "crossval": crossval,
                     "train_settings": asdict(replace(settings, workers=1)), "trained_on_writers": len(writers)},
    })
    print(f"{contract.STROKE_FILE}: {len(data) / 1e6:.2f} MB, parity {difference:.1e} <= {PARITY_TOLERANCE:.0e}; "
          f"rule {rule or 'the default'}")
    return out / contract.STROKE_FILE


def _training_drawings(limit: int | None, only_writers_of: Path | None) -> tuple[drawings.Drawings, drawings.Drawings]:
    """The dev digits and letters to train on: every writer's, or only those the models in only_writers_of
    learned from; about limit of each for a quick look."""
    from trainer import stroke_crossval

    digits, letters = drawings.load_digits(), drawings.load_letters()
    if only_writers_of is not None:
        from trainer.unseen_writers import trained_writers

        chosen = list(trained_writers(only_writers_of))
        digits = digits.subset(np.isin(digits.writers, chosen))
        letters = letters.subset(np.isin(letters.writers, chosen))
    if limit is not None:
        digits, letters = stroke_crossval._small(digits, limit), stroke_crossval._small(letters, limit)
    return digits, letters


def _shipped_rule() -> dict:
    """The fused answer's rule in the shipped stroke model's metadata."""
    import onnxruntime as ort

    from kiosk.config import shipped_dir

    session = ort.InferenceSession(str(shipped_dir("models") / contract.STROKE_FILE),
                                   providers=["CPUExecutionProvider"])
    return json.loads(session.get_modelmeta().custom_metadata_map.get(contract.META_DECISION, "{}"))
