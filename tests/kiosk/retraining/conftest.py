"""What the retraining's tests share: a kiosk config in a fresh data dir, its settings file, and the device's
command line run as a person on the Pi would run it (a subprocess)."""
import os
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT
from kiosk.config import KioskConfig


@pytest.fixture
def config(tmp_path):
    return KioskConfig(data_dir=str(tmp_path / "data"))


@pytest.fixture
def config_file(config, tmp_path):
    """A settings file naming config's data dir, for `--config`."""
    path = tmp_path / "kiosk.toml"
    path.write_text(f'data_dir = "{config.data_dir_path}"\n')
    return path


def _run_kiosk(*args, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "kiosk", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=PROJECT_ROOT, env=env)


@pytest.fixture
def run_cli():
    """`python -m kiosk ARGS...` from the project root: run_cli(*args, timeout=300) -> CompletedProcess."""
    return _run_kiosk
