"""ruff, with the settings in pyproject.toml [tool.ruff], finds nothing in the project (and finds what it should)."""
import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT


@pytest.fixture
def ruff():
    if importlib.util.find_spec("ruff") is None:
        if os.environ.get("CI"):
            pytest.fail("ruff is not installed; pip install -e '.[dev]' (scripts/test.sh does)")
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")

    def check(*args):
        return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)

    return check


def test_ruff_finds_nothing(ruff):
    done = ruff(".")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr


def test_ruff_finds_what_the_settings_ask_for(ruff, tmp_path):
    """The check can fail: the project's settings flag a line over 120 columns, an unused import and a stale noqa."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\nx = 1  # noqa: E501\ny = '" + "a" * 120 + "'\n")
    done = ruff("--config", str(PROJECT_ROOT / "pyproject.toml"), str(bad))
    assert done.returncode == 1
    assert all(rule in done.stdout for rule in ("E501", "F401", "RUF100")), done.stdout
