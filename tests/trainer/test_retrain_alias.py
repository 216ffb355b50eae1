"""`python -m trainer retrain` is kept one release as an alias of `digit-kiosk retrain`: it says it moved, then
does the same."""
import os
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow  # each test starts the trainer and the kiosk in subprocesses


def run(module, *args):
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, timeout=120,
                          cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})


def test_the_alias_says_it_moved_and_does_the_same(tmp_path):
    settings = tmp_path / "kiosk.toml"
    settings.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    alias = run("trainer", "retrain", "--config", settings, "--status")
    kiosk = run("kiosk", "retrain", "--config", settings, "--status")
    assert alias.returncode == kiosk.returncode == 0, alias.stderr
    assert alias.stdout == kiosk.stdout and "cnn: runs the shipped model" in alias.stdout
    moved = [line for line in alias.stderr.splitlines() if "moved" in line]
    assert len(moved) == 1 and "digit-kiosk retrain" in moved[0]


def test_the_alias_takes_the_same_options():
    alias, kiosk = run("trainer", "retrain", "--help").stdout, run("kiosk", "retrain", "--help").stdout
    options = ("--kind", "--steps", "--learning-rate", "--min-drawings", "--threads", "--data-dir", "--drawn-dir",
               "--no-drawn", "--rollback", "--status", "--quiet", "--config", "default 300", "default 5e-5")
    assert all(option in alias and option in kiosk for option in options)
