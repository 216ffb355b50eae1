import json

import numpy as np
import onnx
from kiosk.recognition.runtime import ort
import pytest
import torch

from kiosk.recognition import model_contract as contract
from trainer import export
from trainer.errors import ExportError
from trainer.models import build_model
from trainer.settings import TrainSettings
from trainer.train import EpochReport, History


@pytest.fixture
def trained():
    settings = TrainSettings(model="cnn", max_epochs=2)
    model = build_model(settings).eval()
    history = History(
        [EpochReport(1, 0.5, 0.8, 0.9, 0.002, 10.0), EpochReport(2, 0.3, 0.9, 0.95, 0.0016, 20.0)], best_epoch=2
    )
    metadata = export.build_metadata(
        settings, history, {"mnist_test_accuracy": 0.99, "drawn_dev_accuracy": 0.9}, {"f": "abc"}
    )
    images = np.random.default_rng(0).random((64, 1, 28, 28), dtype=np.float32)
    return model, settings, metadata, images


def test_exported_model_matches_torch_and_carries_metadata(tmp_path, trained):
    model, settings, metadata, images = trained
    entry = export.export_onnx(model, tmp_path / "cnn.onnx", metadata, images, command="python -m trainer train")
    proto = onnx.load(tmp_path / "cnn.onnx")
    onnx.checker.check_model(proto, full_check=True)
    assert [i.name for i in proto.graph.input] == [contract.INPUT_NAME]
    assert [o.name for o in proto.graph.output] == [contract.OUTPUT_NAME]
    assert proto.opset_import[0].version == contract.OPSET
    assert not list(tmp_path.glob("*.data"))  # self-contained: no external weights file

    session = ort.InferenceSession(str(tmp_path / "cnn.onnx"), providers=["CPUExecutionProvider"])
    batch = images[:7]  # a batch size the export never saw: the batch axis is dynamic
    probabilities = session.run(None, {contract.INPUT_NAME: batch})[0]
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy(batch)), 1).numpy()
    assert probabilities.shape == (7, 10)
    np.testing.assert_allclose(probabilities.sum(1), 1, atol=1e-5)
    assert np.abs(probabilities - expected).max() <= export.PARITY_TOLERANCE

    meta = session.get_modelmeta().custom_metadata_map
    assert meta[contract.META_MODEL_KIND] == "cnn"
    assert TrainSettings.from_dict(json.loads(meta[contract.META_SETTINGS])) == settings
    assert [e["val_accuracy"] for e in json.loads(meta[contract.META_HISTORY])] == [0.9, 0.95]
    assert float(meta[contract.META_MNIST_TEST_ACCURACY]) == 0.99
    from kiosk import version

    assert meta[contract.META_TRAINER_VERSION] == version(), "one version for the package, from its metadata"

    manifest = json.loads((tmp_path / export.MANIFEST_NAME).read_text())
    assert manifest["models"]["cnn.onnx"]["sha256"] == entry["sha256"]
    assert manifest["models"]["cnn.onnx"]["command"] == "python -m trainer train"


def test_disagreeing_runtimes_block_publication(tmp_path, trained, monkeypatch):
    model, settings, metadata, images = trained
    other = export.to_onnx_bytes(build_model(settings).eval(), metadata)  # different random weights
    monkeypatch.setattr(export, "to_onnx_bytes", lambda *args: other)
    with pytest.raises(ExportError, match="disagree"):
        export.export_onnx(model, tmp_path / "cnn.onnx", metadata, images)
    assert list(tmp_path.iterdir()) == []


def test_manifest_keeps_other_entries(tmp_path, trained):
    model, _, metadata, images = trained
    export.export_onnx(model, tmp_path / "a.onnx", metadata, images)
    export.export_onnx(model, tmp_path / "b.onnx", metadata, images)
    assert set(json.loads((tmp_path / export.MANIFEST_NAME).read_text())["models"]) == {"a.onnx", "b.onnx"}
