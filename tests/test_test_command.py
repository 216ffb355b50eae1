"""The test command (scripts/test.sh) installs no system package: it names each missing tool with the line
that installs it and runs both tiers; CI's entry point (.ci/run) installs the tools, then runs it."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT

TOOLS = {"espeak-ng": "espeak-ng", "shellcheck": "shellcheck", "systemd-analyze": "systemd", "faketime": "faketime",
         "syncthing": "syncthing"}


def stub(folder, name, body="exit 0"):
    """A program on the fake PATH that logs how it was called, then runs body."""
    path = folder / name
    path.write_text(f'#!/bin/bash\necho "{name} $*" >> "$CALLS"\n{body}\n')
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path):
    """A copy of the two scripts in a bare tree, with a PATH of stubs: python3, pip and pytest log their
    arguments, sudo and apt-get too (and must not be called by test.sh), and none of the tools is installed."""
    tree, bin_dir = tmp_path / "tree", tmp_path / "bin"
    for script in ("scripts/test.sh", ".ci/run"):
        (tree / script).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / script, tree / script)
    venv_bin = tree / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    bin_dir.mkdir()
    stub(venv_bin, "pip", '[ "$1" != show ]')  # `pip show pygame`: not installed; `pip install`: logged
    stub(venv_bin, "python")
    for name in ("python3", "sudo", "apt-get", "pgrep"):
        stub(bin_dir, name, "exit 1" if name == "pgrep" else "exit 0")  # pgrep: no other apt is running
    for tool in ("bash", "dirname", "id", "ln"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    env = {"PATH": str(bin_dir), "CALLS": str(tmp_path / "calls"), "HOME": str(tmp_path)}
    return tree, bin_dir, env


def calls(env) -> list[str]:
    path = Path(env["CALLS"])
    return path.read_text().splitlines() if path.exists() else []


def test_the_test_command_names_what_to_install_and_runs_both_tiers(checkout):
    tree, _, env = checkout
    done = subprocess.run(["bash", str(tree / "scripts/test.sh"), "tests/x.py"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    ran = calls(env)
    assert not [c for c in ran if c.startswith(("sudo", "apt-get"))], ran
    for tool, package in TOOLS.items():
        lines = [line for line in done.stderr.splitlines() if tool in line]
        assert len(lines) == 1 and lines[0].endswith(f"sudo apt-get install {package}"), done.stderr
    assert ran[-1] == "python -m pytest -m slow or not slow tests/x.py", ran


def test_the_test_command_is_quiet_about_tools_that_are_there(checkout):
    tree, bin_dir, env = checkout
    for tool in TOOLS:
        stub(bin_dir, tool)
    done = subprocess.run(["bash", str(tree / "scripts/test.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_ci_installs_the_missing_tools_then_runs_the_test_command(checkout):
    tree, bin_dir, env = checkout
    id_stub = bin_dir / "id"
    id_stub.unlink()
    stub(bin_dir, "id", "echo 0")  # CI runs as root
    installs = "; ".join(f'ln -s "$(dirname "$0")/python3" "$(dirname "$0")/{tool}"' for tool in TOOLS)
    stub(bin_dir, "apt-get", f'case " $* " in *" install "*) {installs};; esac')  # the tools appear
    done = subprocess.run(["bash", str(tree / ".ci/run")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    ran = calls(env)
    install = [c for c in ran if c.startswith("apt-get") and " install " in c]
    assert len(install) == 1 and install[0].endswith("espeak-ng shellcheck systemd faketime syncthing"), ran
    assert not [c for c in ran if c.startswith("sudo")], "root needs no sudo"
    assert "missing" not in done.stderr, "installed before the test command looked"
    assert ran[-1] == "python -m pytest -m slow or not slow", ran
