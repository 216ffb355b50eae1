"""The trainer's commands, run as a user would: real MNIST, a few batches, a real ONNX file out."""
import json
import subprocess
import sys

import onnxruntime as ort

from conftest import PROJECT_ROOT
from kiosk.recognition import model_contract as contract


def run_trainer(*args, env_extra=None):
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600
    )


def test_train_smoke_run_exports_a_verified_model_then_evaluate_reports_it(tmp_path, mnist_dir, drawn_dir):
    out = tmp_path / "models"
    result = run_trainer(
        "train", "--model", "mlp", "--hidden-units", "32", "--max-epochs", "2", "--limit-batches", "5",
        "--snapshot-epochs", "1", "--data-dir", str(mnist_dir), "--drawn-dir", str(drawn_dir), "--out", str(out),
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["MANIFEST.json", "mlp-e1.onnx", "mlp.onnx"]
    manifest = json.loads((out / "MANIFEST.json").read_text())
    final = manifest["models"]["mlp.onnx"]
    assert final["metadata"]["epochs_run"] == 2 and manifest["models"]["mlp-e1.onnx"]["metadata"]["epochs_run"] == 1
    assert final["metadata"]["train_settings"]["max_epochs"] == 2
    assert 0.0 < final["metadata"]["drawn_dev_accuracy"] <= 1.0
    assert final["command"].startswith("python -m trainer train --model mlp")
    session = ort.InferenceSession(str(out / "mlp.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_modelmeta().custom_metadata_map[contract.META_MODEL_KIND] == "mlp"

    report = run_trainer("evaluate", str(out / "mlp.onnx"), "--data-dir", str(mnist_dir), "--drawn-dir", str(drawn_dir))
    assert report.returncode == 0, report.stderr
    assert "MNIST test: accuracy" in report.stdout and "on 10000 images" in report.stdout
    assert "Drawn digits (dev, kiosk preprocessing): accuracy" in report.stdout and "on 1991 images" in report.stdout
    assert "confusion (rows: true digit, columns: answer)" in report.stdout


def test_bad_setting_is_refused_with_its_name(tmp_path):
    result = run_trainer("train", "--dropout", "1.5", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "dropout_rate=1.5 is not allowed" in result.stderr and "Traceback" not in result.stderr


def test_missing_data_says_what_to_do(tmp_path):
    result = run_trainer("train", "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path))
    assert result.returncode == 2
    assert "python -m trainer download" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_refuses_a_corrupt_model(tmp_path, mnist_dir):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    result = run_trainer("evaluate", str(bad), "--data-dir", str(mnist_dir))
    assert result.returncode == 2 and "bad.onnx" in result.stderr and "Traceback" not in result.stderr
