"""The trainer's commands, run as a user would: real MNIST, a few batches, a real ONNX file out."""

import json
import subprocess
import sys

import pytest

from kiosk.recognition.runtime import ort

from conftest import PROJECT_ROOT
from kiosk.recognition import model_contract as contract

pytestmark = pytest.mark.slow  # each test starts the trainer (torch) in a subprocess


def run_trainer(*args, env_extra=None):
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600
    )


def test_train_smoke_run_exports_a_verified_model_then_evaluate_reports_it(tmp_path, mnist_dir, drawn_dir):
    out = tmp_path / "models"
    result = run_trainer(
        "train",
        "--model",
        "mlp",
        "--hidden-units",
        "32",
        "--max-epochs",
        "2",
        "--limit-batches",
        "5",
        "--snapshot-epochs",
        "1",
        "--data-dir",
        str(mnist_dir),
        "--drawn-dir",
        str(drawn_dir),
        "--out",
        str(out),
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
    from kiosk.learning import drawn_digits

    drawn_count = len(drawn_digits.load(drawn_dir))
    assert "Drawn digits (dev, kiosk preprocessing): accuracy" in report.stdout
    assert f"on {drawn_count} images" in report.stdout, "every drawn digit is scored"
    assert "confusion (rows: true digit, columns: answer)" in report.stdout


def test_bad_setting_is_refused_with_its_name(tmp_path):
    result = run_trainer("train", "--dropout", "1.5", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "dropout_rate=1.5 is not allowed" in result.stderr and "Traceback" not in result.stderr


def test_missing_data_says_what_to_do(tmp_path):
    result = run_trainer("train", "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path))
    assert result.returncode == 2
    assert "digit-kiosk download-mnist" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_refuses_a_corrupt_model(tmp_path, mnist_dir):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    result = run_trainer("evaluate", str(bad), "--data-dir", str(mnist_dir))
    assert result.returncode == 2 and "bad.onnx" in result.stderr and "Traceback" not in result.stderr


def test_the_trainer_explains_itself():
    from kiosk import version

    assert not version().startswith("unknown")  # the package metadata of the installed checkout
    done = run_trainer("--version")
    assert done.returncode == 0 and version() in done.stdout
    top = run_trainer("--help").stdout
    assert all(command in top for command in ("download", "train", "evaluate", "retrain"))
    train = run_trainer("train", "--help").stdout
    for flag, default in (
        ("--dropout", "0.3"),
        ("--learning-rate", "0.001"),
        ("--max-epochs", "12"),
        ("--model", "cnn"),
        ("--limit-batches", "None"),
    ):
        assert flag in train and f"(default: {default})" in train, (flag, train)
    assert "passes over the training set" in train  # the dataclass's why-comment, not a copy of it
    retrain = run_trainer("retrain", "--help").stdout
    assert "default 300" in retrain and "default 5e-5" in retrain


def test_training_without_torch_names_the_extra_that_brings_it(tmp_path):
    blocker = tmp_path / "sitecustomize.py"  # as a kiosk-only install: importing torch fails
    blocker.write_text("import sys\nsys.modules['torch'] = None\n")
    done = subprocess.run(
        [sys.executable, "-m", "trainer", "train", "--limit-batches", "1"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path}:{PROJECT_ROOT}", "HOME": str(tmp_path)},
    )
    assert done.returncode == 2 and "[train]" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_evaluate_needs_only_the_test_files(tmp_path, mnist_dir):
    test_only = tmp_path / "mnist"
    test_only.mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (test_only / name).symlink_to(mnist_dir / name)
    done = run_trainer(
        "evaluate",
        "--brief",
        "--no-drawn",
        "--data-dir",
        str(test_only),
        str(PROJECT_ROOT / "exported_models" / "mlp.onnx"),
    )
    assert done.returncode == 0, done.stderr
    assert "mlp.onnx" in done.stdout and "MNIST test" in done.stdout
