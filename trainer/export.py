"""Export a trained model to the ONNX file the kiosk loads: softmax head, metadata, checks, atomic write."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import warnings
from pathlib import Path

import numpy as np
import onnx
from kiosk.recognition.runtime import ort
import torch
from torch import nn

from kiosk import version
from kiosk.recognition import model_contract as contract
from kiosk.atomic_write import write_bytes_atomic, write_text_atomic
from kiosk.recognition.preprocess import PREPROCESSING_VERSION
from trainer.errors import ExportError
from trainer.settings import TrainSettings
from trainer.train import History

PARITY_TOLERANCE = 1e-5  # max |torch - onnxruntime| over the check batch, per probability
MANIFEST_NAME = "MANIFEST.json"


class WithSoftmax(nn.Module):
    """The trained model with a softmax on top: the kiosk receives probabilities, not logits."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.model(image), dim=1)


def build_metadata(
    settings: TrainSettings, history: History, metrics: dict[str, float], data_checksums: dict[str, str]
) -> dict[str, str]:
    """Everything the artifact should say about itself, as ONNX metadata strings."""
    return {
        contract.META_CONTRACT_VERSION: contract.CONTRACT_VERSION,
        contract.META_MODEL_KIND: settings.model,
        contract.META_SETTINGS: json.dumps(settings.to_dict()),
        contract.META_EPOCHS_RUN: str(len(history.epochs)),
        "best_epoch": str(history.best_epoch),
        "interrupted": json.dumps(history.interrupted),
        contract.META_HISTORY: json.dumps(history.to_list()),
        contract.META_MNIST_TEST_ACCURACY: _number(metrics.get("mnist_test_accuracy")),
        contract.META_DRAWN_DEV_ACCURACY: _number(metrics.get("drawn_dev_accuracy")),
        contract.META_TRAINING_SECONDS: f"{history.seconds:.1f}",
        contract.META_CREATED: datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        contract.META_DATA_CHECKSUMS: json.dumps(data_checksums, sort_keys=True),
        contract.META_PREPROCESSING_VERSION: PREPROCESSING_VERSION,
        contract.META_TRAINER_VERSION: version(),  # the package's, as the nightly retrain writes
    }


def _number(value: float | None) -> str:
    return "" if value is None or np.isnan(value) else f"{value:.6f}"


def to_onnx_bytes(model: nn.Module, metadata: dict[str, str]) -> bytes:
    """Serialise model (with softmax) to one self-contained ONNX file carrying metadata; checked."""
    return softmax_onnx_bytes(
        model,
        contract.OUTPUT_NAME,
        metadata,
        "Handwritten digit model for the digit kiosk: image (N,1,28,28) in [0,1] -> probabilities (N,10)",
    )


def softmax_onnx_bytes(model: nn.Module, output_name: str, metadata: dict[str, str], doc: str,
                       input_name: str = contract.INPUT_NAME, input_shape=contract.INPUT_SHAPE) -> bytes:
    """Any of the kiosk's models (the digit models, the gates, the stroke model): its input in, softmax of its
    logits out as output_name, with metadata; checked by onnx.checker."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            WithSoftmax(model).eval(),
            (torch.zeros(1, *input_shape),),
            buffer,
            input_names=[input_name],
            output_names=[output_name],
            dynamic_axes={input_name: {0: "N"}, output_name: {0: "N"}},
            opset_version=contract.OPSET,
            dynamo=False,
        )
    proto = onnx.load_from_string(buffer.getvalue())
    del proto.metadata_props[:]
    for key, value in metadata.items():
        proto.metadata_props.add(key=key, value=value)
    proto.doc_string = doc
    try:
        onnx.checker.check_model(proto, full_check=True)
    except onnx.checker.ValidationError as error:
        raise ExportError(f"onnx.checker rejected the exported model: {error}") from error
    return proto.SerializeToString()


def check_parity(model: nn.Module, onnx_bytes: bytes, images: np.ndarray) -> float:
    """Run the same float32 batch (N, 1, 28, 28) through torch and onnxruntime; return the max difference.

    Raises ExportError when they differ by more than PARITY_TOLERANCE.
    """
    with torch.no_grad():
        expected = WithSoftmax(model).eval()(torch.from_numpy(images)).numpy()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
    actual = session.run([contract.OUTPUT_NAME], {contract.INPUT_NAME: images})[0]
    if actual.shape != expected.shape:
        raise ExportError(f"onnxruntime output shape {actual.shape} != torch {expected.shape}")
    difference = float(np.abs(actual - expected).max())
    if not difference <= PARITY_TOLERANCE:
        raise ExportError(
            f"onnxruntime and torch disagree by {difference:.2e} (> {PARITY_TOLERANCE:.0e}); not published"
        )
    return difference


def export_onnx(
    model: nn.Module,
    path: str | Path,
    metadata: dict[str, str],
    check_images: np.ndarray,
    command: str | None = None,
) -> dict:
    """Verify, then publish model at path (atomically) and record it in the folder's manifest.

    check_images: float32 (N, 1, 28, 28), the batch torch and onnxruntime must agree on.
    Returns the manifest entry.
    """
    path = Path(path)
    manifest_path = path.parent / MANIFEST_NAME
    read_manifest(manifest_path)  # a broken manifest stops us before the model file is replaced
    onnx_bytes = to_onnx_bytes(model, metadata)
    difference = check_parity(model, onnx_bytes, check_images)
    write_bytes_atomic(path, onnx_bytes)
    entry = {
        "sha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "bytes": len(onnx_bytes),
        "parity_max_abs_diff": difference,
        "parity_images": int(len(check_images)),
        "command": command,
        "metadata": decode_metadata(metadata),
    }
    update_manifest(manifest_path, path.name, entry)
    return entry


def decode_metadata(metadata: dict[str, str]) -> dict:
    """Metadata with JSON-valued keys parsed and numeric ones as numbers, for the manifest."""
    decoded = {}
    for key, value in metadata.items():
        if key in contract.JSON_METADATA or key in ("best_epoch", "epochs_run", "interrupted"):
            decoded[key] = json.loads(value)
        elif key in (
            contract.META_MNIST_TEST_ACCURACY,
            contract.META_DRAWN_DEV_ACCURACY,
            contract.META_TRAINING_SECONDS,
        ):
            decoded[key] = float(value) if value else None
        else:
            decoded[key] = value
    return decoded


def read_manifest(manifest_path: Path) -> dict:
    """The folder's manifest, or an empty one; ExportError if it exists but is not valid JSON."""
    if not manifest_path.is_file():
        return {"models": {}}
    try:
        return json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ExportError(
            f"{manifest_path} is not valid JSON ({error}); fix or delete it, then export again"
        ) from error


def update_manifest(manifest_path: Path, file_name: str, entry: dict) -> None:
    """Put entry under file_name in the manifest (atomically), keeping the other files' entries.

    Not locked: run one export into a folder at a time (the build script runs them in sequence).
    """
    manifest = read_manifest(manifest_path)
    manifest.setdefault("models", {})[file_name] = entry
    manifest["models"] = dict(sorted(manifest["models"].items()))
    write_text_atomic(manifest_path, json.dumps(manifest, indent=2) + "\n")
