#!/usr/bin/env python3
"""Build what the kiosk ships for real drawings: the digit CNN fine-tuned on MNIST and every drawn-digits
writer, and the gate ("is it a number at all?") trained on digits against letters, shapes and doodles.

The base must be the MNIST-only CNN (scripts/build_shipped_models.sh cnn makes it); a CNN that was
already fine-tuned is refused, so running this twice never trains on top of itself. Accuracies on the
drawings come from scripts/crossval_drawings.py (writers held out), never from these models, which
have seen every dev writer.

    .venv/bin/python scripts/build_drawn_models.py [--base exported_models/cnn.onnx] [--crossval /tmp/crossval]
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from kiosk.errors import KioskError  # noqa: E402
from kiosk.learning import mnist  # noqa: E402
from kiosk.recognition import model_contract as contract  # noqa: E402
from kiosk.recognition.preprocess import to_model_input  # noqa: E402
from trainer import drawings, drawn_training  # noqa: E402
from trainer.errors import TrainerError  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, default=PROJECT_ROOT / "exported_models" / "cnn.onnx")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "exported_models")
    parser.add_argument("--crossval", type=Path, help="a crossval_drawings.py folder: its figures go into the metadata")
    args = parser.parse_args()
    import hashlib

    from trainer.export import PARITY_TOLERANCE, build_metadata, export_onnx, read_manifest, update_manifest
    from trainer.train import History
    from kiosk.atomic_write import write_bytes_atomic

    try:
        model, train_settings, base_meta, base_bytes = drawn_training.mnist_only_base(args.base)
        digits, letters, data = drawings.load_digits(), drawings.load_letters(), mnist.load()
    except (OSError, TrainerError, KioskError) as error:
        print(f"build_drawn_models: {error}", file=sys.stderr)
        return 2
    settings = drawn_training.DrawnSettings()
    writers = sorted(set(digits.writers.tolist()))
    print(f"fine-tuning {args.base.name} on MNIST and {len(digits)} drawn digits by {len(writers)} writers", flush=True)
    from kiosk.learning.styles import styled_copies

    styled = styled_copies(data.train_images, data.train_labels, seed=0)
    cnn = drawn_training.finetune_cnn(model, data.train_images, data.train_labels.astype(np.int64), digits, settings,
                                      styled_images=styled)
    mnist_accuracy = float((drawn_training.probabilities(cnn, data.test_images).argmax(1) == data.test_labels).mean())
    crossval = json.loads((args.crossval / "summary.json").read_text()) if args.crossval else {}
    history = History()
    metadata = build_metadata(train_settings, history, {"mnist_test_accuracy": mnist_accuracy}, json.loads(base_meta.get(
        contract.META_DATA_CHECKSUMS, "{}")))
    for key in (contract.META_EPOCHS_RUN, contract.META_HISTORY, "best_epoch", "interrupted"):
        metadata[key] = base_meta.get(key, metadata[key])  # the MNIST training's own story stays
    metadata[drawn_training.FINE_TUNED_KEY] = json.dumps({"settings": settings.__dict__, "writers": writers,
                                           "base_sha256": hashlib.sha256(base_bytes).hexdigest(),
                                           "crossval": crossval.get("kiosk")})
    check = to_model_input(data.test_images[:1000])
    command = "python scripts/build_drawn_models.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    export_onnx(cnn, args.out / "cnn.onnx", metadata, check, command=command)
    print(f"cnn.onnx: MNIST test {100 * mnist_accuracy:.2f}%", flush=True)

    print(f"training the gate on digits against {len(drawn_training.gate_negatives(letters))} letters, shapes and doodles", flush=True)
    gate = drawn_training.train_gate(data.train_images, digits, letters, settings, styled_images=styled)
    from kiosk.config import KioskConfig

    threshold = KioskConfig.load(None).max_not_a_number  # what the kiosk will use
    mnist_rejected = float((drawn_training.probabilities(gate, data.test_images)[:, 1] >= threshold).mean())
    gate_bytes = drawn_training.gate_to_onnx_bytes(gate, drawn_training.gate_metadata(settings, writers, {
        f"mnist_test_not_a_number_at_{threshold}": f"{mnist_rejected:.6f}", "crossval": json.dumps(crossval.get("gate"))}))
    difference = drawn_training.check_gate_parity(gate, gate_bytes, check)
    write_bytes_atomic(args.out / contract.GATE_FILE, gate_bytes)
    read_manifest(args.out / "MANIFEST.json")
    update_manifest(args.out / "MANIFEST.json", contract.GATE_FILE, {
        "sha256": hashlib.sha256(gate_bytes).hexdigest(), "bytes": len(gate_bytes), "parity_max_abs_diff": difference,
        "parity_images": len(check), "command": command,
        "metadata": {"model_kind": contract.GATE_KIND, f"mnist_test_not_a_number_at_{threshold}": mnist_rejected}})
    print(f"{contract.GATE_FILE}: calls {100 * mnist_rejected:.2f}% of MNIST test digits not a number at {threshold} "
          f"(parity {difference:.1e} <= {PARITY_TOLERANCE:.0e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
