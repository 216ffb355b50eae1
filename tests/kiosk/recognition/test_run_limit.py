"""The time limit on one onnxruntime run: a hang is cut off at its own limit, a quick run is untouched."""
import time

import numpy as np
import pytest

from bad_models import build, looping
from kiosk.errors import ModelRunError
from kiosk.recognition.run_limit import run_within
from kiosk.recognition.runtime import ort

PICTURE = np.zeros((1, 1, 28, 28), np.float32)


@pytest.fixture(scope="module")
def hanging(tmp_path_factory):
    path = build(tmp_path_factory.mktemp("models") / "hang.onnx", "mlp.onnx", lambda m: looping(m, trips=10**9))
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_a_quick_run_is_not_cut(tmp_path):
    path = build(tmp_path / "quick.onnx", "mlp.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = run_within(lambda options: session.run(None, {"image": PICTURE}, options), 0.5, "quick.onnx")
    assert out[0].shape == (1, 10)


def test_a_hang_is_cut_at_its_own_limit_even_after_a_longer_limit(hanging):
    run_within(lambda options: [time.sleep(0.01)], 30.0, "a long batch")  # the watchdog now sleeps toward 30 s
    started = time.monotonic()
    with pytest.raises(ModelRunError, match=r"hang.onnx was stopped after 200 ms"):
        run_within(lambda options: hanging.run(None, {"image": PICTURE}, options), 0.2, "hang.onnx")
    assert time.monotonic() - started < 1.5
