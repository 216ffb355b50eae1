"""The trainer's command line meets a newcomer's mistakes with one clear line: the flag named, exit 2."""
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow  # each test starts the trainer (torch) in a subprocess


def run_trainer(*args, env=None):
    return subprocess.run([sys.executable, "-m", "trainer", *map(str, args)], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=120, env=env)


@pytest.mark.parametrize("args", [["--bogus"], ["--bogus", "evaluate", "m.onnx"], ["evaluate", "m.onnx", "--bogus"]])
def test_an_unknown_flag_is_named(args):
    result = run_trainer(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unrecognized arguments: --bogus" in result.stderr, result.stderr


def test_no_command_asks_for_one():
    result = run_trainer()
    assert result.returncode == 2 and "command" in result.stderr and "Traceback" not in result.stderr


def without(module, tmp_path):
    """The environment of an install without module (a kiosk-only wheel has no torch and no scikit-learn)."""
    (tmp_path / "sitecustomize.py").write_text(f"import sys\nsys.modules[{module!r}] = None\n")
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path}:{PROJECT_ROOT}", "HOME": str(tmp_path)}


def test_train_without_torch_names_the_extra_and_the_docs_a_wheel_user_can_find(tmp_path):
    done = run_trainer("train", "--limit-batches", "1", env=without("torch", tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "pip install 'digit-kiosk[train]'" in done.stderr and "docs/training.md" in done.stderr
    assert "README" not in done.stderr, done.stderr


def test_evaluate_without_scikit_learn_names_the_small_extra_that_brings_it(tmp_path, mnist_dir):
    model = PROJECT_ROOT / "exported_models" / "mlp.onnx"
    done = run_trainer("evaluate", model, "--no-drawn", "--data-dir", mnist_dir, env=without("sklearn", tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "pip install 'digit-kiosk[evaluate]'" in done.stderr and "[train]" not in done.stderr, done.stderr
