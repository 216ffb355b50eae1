"""The live learner's model file, written without onnx: the very bytes onnx itself writes for the same graph,
and a learner that never imports onnx."""
import subprocess
import sys

import numpy as np
import pytest

from kiosk.learning import network, onnx_bytes, onnx_io


@pytest.mark.slow  # importing onnx, the oracle, takes a second
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_the_bytes_are_those_onnx_writes(kind):
    rng = np.random.default_rng(0)
    net = network.mlp(16, 0.2, rng) if kind == "mlp" else network.small_cnn(0.2, rng, channels=(2, 3), fc_units=8)
    metadata = {"model_kind": kind, "settings": '{"dropout_rate": 0.2}', "trained_by": "a visitor"}
    assert onnx_bytes.model_bytes(net, metadata) == onnx_io.to_onnx_bytes(net, metadata)


@pytest.mark.slow
def test_a_training_that_writes_its_model_never_imports_onnx(tmp_path):
    code = f"""
import sys, threading
import numpy as np
from kiosk.learning import live_data
from kiosk.learning.live_learner import learn
from kiosk.learning.live_protocol import LiveJob
from kiosk.learning.live_settings import LiveSettings
data = live_data.load()
path = {str(tmp_path / "few.npz")!r}
np.savez(path, train_images=data.train_images[:64], train_labels=data.train_labels[:64],
         test_images=data.test_images[:50], test_labels=data.test_labels[:50])
said = []
learn(LiveJob(LiveSettings(max_epochs=1), {str(tmp_path / "live.onnx")!r}, "test", path), said.append,
      threading.Event())
print(said[-1].model_path is not None, "onnx" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"], "the model is written, and onnx was never loaded"
