"""Bad but parseable files: valid JSON of the wrong shape in the model manifest, the voice manifest
or the retrain report costs the part that reads it (the explorer, a clip, a status line), never the
kiosk. Each of these stopped the kiosk (rc 1, a restart loop) or --status before."""
import json
import shutil

import pytest

from kiosk.recognition import explorer_grid
from kiosk.voice.clips import VoiceClips
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.reliability
SHIPPED = PROJECT_ROOT / "exported_models"
WRONG_SHAPES = [
    [1, 2, 3],
    {"models": ["cnn.onnx"]},
    {"models": {"cnn.onnx": "a string"}},
    {"models": {"cnn.onnx": {"metadata": {"model_kind": "cnn", "train_settings": [1], "history": "x"}}}},
    {"models": {"a.onnx": {"metadata": {"model_kind": "cnn", "train_settings": {"dropout_rate": "high"}}},
                "b.onnx": {"metadata": {"model_kind": "cnn", "train_settings": {"dropout_rate": 0.3},
                                        "history": [{"val_accuracy": "x"}], "mnist_test_accuracy": "99%"}}}},
]


@pytest.mark.parametrize("manifest", WRONG_SHAPES)
def test_a_wrong_shaped_model_manifest_costs_only_the_explorer(tmp_path, manifest):
    (tmp_path / "MANIFEST.json").write_text(json.dumps(manifest))
    grids = explorer_grid.load(tmp_path)
    assert isinstance(grids, dict)
    for grid in grids.values():
        for model in (m for values in grid.axes.values() for m in values.values()):
            assert model.mnist_accuracy is None or isinstance(model.mnist_accuracy, float)


@pytest.mark.parametrize("manifest", [
    [1, 2], {"format": 1, "clips": {"a": 1}}, {"format": 1, "clips": [{"id": ["x"], "lang": "en"}, 7, None]},
    {"format": 1, "clips": [{"id": "result.7", "lang": "en", "text": "x", "file": 3, "sha256": None}]},
])
def test_a_wrong_shaped_voice_manifest_means_live_speech(tmp_path, manifest):
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert VoiceClips(tmp_path).path("result.7", "en", "x") is None


def test_the_kiosk_starts_and_answers_with_every_manifest_wrong(tmp_path, app_factory):
    models, voices = tmp_path / "models", tmp_path / "voices"
    shutil.copytree(SHIPPED, models)
    (models / "MANIFEST.json").write_text(json.dumps({"models": ["nonsense"]}))
    voices.mkdir()
    (voices / "manifest.json").write_text(json.dumps({"format": 1, "clips": [[1, 2]]}))
    app = app_factory(model_dir=str(models), voice_dir=str(voices))
    draw = app.screens["draw"]
    c = draw.canvas
    draw.ink.begin(c.centerx, c.y + 20)
    draw.ink.extend(c.centerx, c.bottom - 20)
    draw.ink.end()
    draw.press("recognize")
    for _ in range(5):
        app.frame(16)
    assert draw.prediction is not None and draw.prediction.best == 1


def test_status_survives_a_report_of_the_wrong_shape(tmp_path):
    from kiosk.config import KioskConfig
    from kiosk.retraining.status import retrain_status

    config = KioskConfig(data_dir=str(tmp_path))
    for report in ([1, 2], {"before": [1], "after": "x", "promoted": True}, {"before": {"held_out": "x"}}):
        (tmp_path / "retrain_report.json").write_text(json.dumps(report))
        text = retrain_status(config)
        assert "last retrain" in text
