"""A model rebuilt from its ONNX file (the start of a fine-tune in the trainer) answers exactly like the file."""
import numpy as np
import pytest
import torch

from conftest import PROJECT_ROOT
from trainer.export import WithSoftmax
from trainer.from_onnx import load_onnx_model

SHIPPED = PROJECT_ROOT / "exported_models"


@pytest.mark.parametrize("name", ["cnn", "mlp", "cnn-dropout0", "mlp128"])
def test_the_model_rebuilt_from_onnx_answers_exactly_like_the_file(name):
    from kiosk.recognition.runtime import ort

    model, settings, _ = load_onnx_model(SHIPPED / f"{name}.onnx")
    images = np.random.default_rng(0).random((32, 1, 28, 28), dtype=np.float32)
    with torch.no_grad():
        mine = WithSoftmax(model).eval()(torch.from_numpy(images)).numpy()
    theirs = ort.InferenceSession(str(SHIPPED / f"{name}.onnx")).run(None, {"image": images})[0]
    assert settings.model == name[:3] and np.abs(mine - theirs).max() < 1e-5
