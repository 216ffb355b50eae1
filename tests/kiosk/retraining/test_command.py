"""`digit-kiosk retrain`, `retrain --status`, `retrain --rollback` and `download-mnist`, run as a person
on the Pi would run them (a subprocess), and `digit-kiosk` without a subcommand still the kiosk."""
import os
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT
from kiosk.__main__ import build_parser
from kiosk.config import KioskConfig
from kiosk.retraining import promotion

SHIPPED = PROJECT_ROOT / "exported_models"


def digit_kiosk(*args, timeout=120):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "kiosk", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=PROJECT_ROOT, env=env)


@pytest.fixture
def settings(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    return path


def test_without_a_subcommand_the_kiosk_runs_with_its_flags():
    args = build_parser().parse_args(["--headless", "--size", "800x480", "--exit-when-done"])
    assert args.command is None and args.headless and args.size == (800, 480) and args.exit_when_done


def test_status_says_what_the_kiosk_runs(settings):
    done = digit_kiosk("retrain", "--config", settings, "--status")
    assert done.returncode == 0, done.stderr
    assert "cnn: runs the shipped model" in done.stdout and "last retrain: none yet" in done.stdout


def test_the_settings_file_may_come_before_the_subcommand(settings):
    done = digit_kiosk("--config", settings, "retrain", "--status")
    assert done.returncode == 0 and f"data dir: {settings.parent / 'data'}" in done.stdout, done.stdout + done.stderr


def test_rollback_puts_the_shipped_model_back(settings):
    config = KioskConfig.load(settings)
    promotion.promote((SHIPPED / "mlp128.onnx").read_bytes(), config.taught_model_dir, "mlp")
    done = digit_kiosk("retrain", "--config", settings, "--kind", "mlp", "--rollback")
    assert done.returncode == 0 and "mlp: removed the retrained model" in done.stdout, done.stdout + done.stderr
    assert not (config.taught_model_dir / "mlp.onnx").exists()


def test_too_few_drawings_is_one_clear_line(settings):
    done = digit_kiosk("retrain", "--config", settings, "--kind", "mlp", "--quiet")
    assert done.returncode == 2 and "only 0 labelled drawings" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("args,named", [
    (["retrain", "--bogus"], "--bogus"), (["retrain", "--kind", "rnn"], "rnn"), (["retrian"], "retrian"),
    (["--windowed", "retrain", "--status"], "--windowed"),
])
def test_a_wrong_option_is_named_without_a_traceback(args, named):
    done = digit_kiosk(*args)
    assert done.returncode == 2 and named in done.stderr and "Traceback" not in done.stderr, done.stderr


@pytest.mark.slow
def test_download_mnist_verifies_what_is_already_there(tmp_path, mnist_dir):
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    for name in os.listdir(mnist_dir):
        if name.endswith(".gz"):
            (mnist / name).symlink_to(mnist_dir / name)
    if len(list(mnist.iterdir())) < 4:
        pytest.skip("the shared MNIST folder does not hold the four .gz files")
    done = digit_kiosk("download-mnist", "--data-dir", mnist)
    assert done.returncode == 0 and f"MNIST is ready in {mnist}" in done.stdout, done.stderr
    assert done.stderr.count("already present and verified") == 4


def test_download_mnist_offline_says_what_to_do(tmp_path):
    # no network in a test: a proxy that refuses every connection stands in for "offline"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "download-mnist", "--data-dir", str(tmp_path / "m")],
                          capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT, env=env)
    assert done.returncode == 2 and "offline" in done.stderr and "Traceback" not in done.stderr, done.stderr
