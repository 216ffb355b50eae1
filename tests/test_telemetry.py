"""Offline means offline: whatever the project starts onnxruntime from, no telemetry files appear
(onnxruntime 1.32 keeps a device id and an event queue under $XDG_CACHE_HOME/Microsoft otherwise)."""
import os
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT
from kiosk import replay
from kiosk.recognition.example_digits import EXAMPLES

MODEL = PROJECT_ROOT / "exported_models" / "mlp.onnx"


# onnxruntime keeps quiet by itself where it sees a CI variable (found when this test passed locally and
# failed in CI): drop them, so both tests see what a kiosk in a museum sees.
NOT_A_KIOSK = ("ORT_DISABLE_TELEMETRY", "CI", "GITHUB_ACTIONS", "CONTINUOUS_INTEGRATION", "BUILD_NUMBER", "TF_BUILD")


def clean_env(home):
    env = {k: v for k, v in os.environ.items() if k not in NOT_A_KIOSK}  # as a user's shell has it
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return env


def telemetry_files(home):
    return [str(p.relative_to(home)) for p in home.rglob("*") if "Microsoft" in p.parts or "onnxruntime" in p.name]


def test_a_bare_onnxruntime_would_write_telemetry_here(tmp_path):
    """The check below can fail: without the project's setting, onnxruntime writes its files."""
    code = ("import onnxruntime as ort, numpy as np; s = ort.InferenceSession(%r, providers=['CPUExecutionProvider']); "
            "s.run(None, {s.get_inputs()[0].name: np.zeros((1, 1, 28, 28), np.float32)})" % str(MODEL))
    subprocess.run([sys.executable, "-c", code], env=clean_env(tmp_path), check=True, timeout=120, cwd=tmp_path)
    assert telemetry_files(tmp_path), "onnxruntime no longer writes telemetry here: this test proves nothing now"


@pytest.mark.slow
def test_the_kiosk_and_the_trainer_write_no_telemetry(tmp_path, mnist_dir):
    events = replay.from_strokes([[(60 + 280 * x, 60 + 280 * y) for x, y in s] for s in EXAMPLES[1][0]], 400.0)
    (tmp_path / "one.jsonl").write_text(replay.dump(events))
    env = clean_env(tmp_path)
    kiosk = subprocess.run([sys.executable, "-m", "kiosk", "--headless", "--replay", "one.jsonl", "--exit-when-done"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert kiosk.returncode == 0, kiosk.stderr
    trainer = subprocess.run([sys.executable, "-m", "trainer", "evaluate", "--brief", "--no-drawn", "--data-dir",
                              str(mnist_dir), str(MODEL)], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                             timeout=300)
    assert trainer.returncode == 0, trainer.stderr
    assert telemetry_files(tmp_path) == []
