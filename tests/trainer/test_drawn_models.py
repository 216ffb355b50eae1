"""digit-kiosk-trainer build-drawn-models: never trains on top of a CNN that was already fine-tuned."""

import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT


@pytest.mark.slow  # a real run: torch loads the base
def test_a_fine_tuned_base_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / "models"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "trainer",
            "build-drawn-models",
            "--out",
            str(out),
            "--base",
            str(PROJECT_ROOT / "exported_models" / "cnn.onnx"),
        ],  # the shipped one: fine-tuned
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert done.returncode == 2 and "already fine-tuned" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not out.exists()
