"""Build what the kiosk ships for real drawings: the digit CNN fine-tuned on MNIST and every drawn-digits
writer, and the gate ("is it a number at all?") trained on digits against letters, shapes and doodles.

The base must be the MNIST-only CNN (`digit-kiosk-trainer build-shipped cnn` makes it); a CNN that was
already fine-tuned is refused, so running this twice never trains on top of itself. Accuracies on the
drawings come from `digit-kiosk-trainer crossval` (writers held out), never from these models, which
have seen every dev writer.

    digit-kiosk-trainer build-drawn-models [--base exported_models/cnn.onnx] [--crossval /tmp/crossval]
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from kiosk.learning import mnist
from kiosk.recognition import model_contract as contract
from kiosk.recognition.preprocess import to_model_input
from trainer import drawings, drawn_training


def build_drawn_models(base: Path, out: Path, crossval_dir: Path | None, command: str) -> None:
    """Fine-tune the CNN from base and train the gate; both land in out with the manifest updated."""
    from kiosk.learning.styles import styled_copies

    model, train_settings, base_meta, base_bytes = drawn_training.mnist_only_base(base)
    digits, letters, data = drawings.load_digits(), drawings.load_letters(), mnist.load()
    settings = drawn_training.DrawnSettings()
    writers = sorted(set(digits.writers.tolist()))
    crossval = json.loads((crossval_dir / "summary.json").read_text()) if crossval_dir else {}
    print(f"fine-tuning {base.name} on MNIST and {len(digits)} drawn digits by {len(writers)} writers", flush=True)
    styled = styled_copies(data.train_images, data.train_labels, seed=0)
    check = to_model_input(data.test_images[:1000])
    cnn = drawn_training.finetune_cnn(
        model, data.train_images, data.train_labels.astype(np.int64), digits, settings, styled_images=styled
    )
    _export_cnn(cnn, data, out, train_settings, base_meta, base_bytes, settings, writers, crossval, check, command)
    print(
        f"training the gate on digits against {len(drawn_training.gate_negatives(letters))} letters, shapes, doodles",
        flush=True,
    )
    gate = drawn_training.train_gate(data.train_images, digits, letters, settings, styled_images=styled)
    _export_gate(gate, data, out, settings, writers, crossval, check, command)


def _export_cnn(
    cnn, data, out, train_settings, base_meta, base_bytes, settings, writers, crossval, check, command
) -> None:
    from trainer.export import build_metadata, export_onnx
    from trainer.train import History

    mnist_accuracy = float((drawn_training.probabilities(cnn, data.test_images).argmax(1) == data.test_labels).mean())
    metadata = build_metadata(
        train_settings,
        History(),
        {"mnist_test_accuracy": mnist_accuracy},
        json.loads(base_meta.get(contract.META_DATA_CHECKSUMS, "{}")),
    )
    for key in (contract.META_EPOCHS_RUN, contract.META_HISTORY, "best_epoch", "interrupted"):
        metadata[key] = base_meta.get(key, metadata[key])  # the MNIST training's own story stays
    metadata[drawn_training.FINE_TUNED_KEY] = json.dumps(
        {
            "settings": settings.__dict__,
            "writers": writers,
            "base_sha256": hashlib.sha256(base_bytes).hexdigest(),
            "crossval": crossval.get("kiosk"),
        }
    )
    export_onnx(cnn, out / "cnn.onnx", metadata, check, command=command)
    print(f"cnn.onnx: MNIST test {100 * mnist_accuracy:.2f}%", flush=True)


def _export_gate(gate, data, out, settings, writers, crossval, check, command) -> None:
    from kiosk.atomic_write import write_bytes_atomic
    from kiosk.config import KioskConfig
    from trainer.export import PARITY_TOLERANCE, read_manifest, update_manifest

    threshold = KioskConfig.load(None).max_not_a_number  # what the kiosk will use
    mnist_rejected = float((drawn_training.probabilities(gate, data.test_images)[:, 1] >= threshold).mean())
    gate_bytes = drawn_training.gate_to_onnx_bytes(
        gate,
        drawn_training.gate_metadata(
            settings,
            writers,
            {
                f"mnist_test_not_a_number_at_{threshold}": f"{mnist_rejected:.6f}",
                "crossval": json.dumps(crossval.get("gate")),
            },
        ),
    )
    difference = drawn_training.check_gate_parity(gate, gate_bytes, check)
    write_bytes_atomic(out / contract.GATE_FILE, gate_bytes)
    read_manifest(out / "MANIFEST.json")
    update_manifest(
        out / "MANIFEST.json",
        contract.GATE_FILE,
        {
            "sha256": hashlib.sha256(gate_bytes).hexdigest(),
            "bytes": len(gate_bytes),
            "parity_max_abs_diff": difference,
            "parity_images": len(check),
            "command": command,
            "metadata": {"model_kind": contract.GATE_KIND, f"mnist_test_not_a_number_at_{threshold}": mnist_rejected},
        },
    )
    print(
        f"{contract.GATE_FILE}: calls {100 * mnist_rejected:.2f}% of MNIST test digits not a number at {threshold} "
        f"(parity {difference:.1e} <= {PARITY_TOLERANCE:.0e})"
    )
