"""The trainer's command line meets a newcomer's mistakes with one clear line: the flag named, exit 2."""
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT


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
