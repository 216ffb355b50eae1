"""The systemd units that ship in deploy/ are valid (systemd-analyze verify, where systemd is present)."""
import os
import shutil
import subprocess

import pytest

from conftest import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def test_the_retrain_timer_and_service_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        if os.environ.get("CI"):  # no skip that CI allows: .ci/run installs it
            pytest.fail("systemd-analyze is not installed; .ci/run installs it (package systemd)")
        pytest.skip("systemd-analyze is not installed")
    for unit in DEPLOY.glob("digit-kiosk-retrain.*"):
        # %h is the user's home in a user unit; point it at this checkout so ExecStart's path exists.
        (tmp_path / unit.name).write_text(unit.read_text().replace("%h/digit-kiosk", str(PROJECT_ROOT)))
    result = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "OnCalendar=*-*-* 02:30" in (DEPLOY / "digit-kiosk-retrain.timer").read_text()


def test_the_nightly_unit_runs_the_kiosks_own_command():
    """The retraining is the device's: the unit needs the kiosk alone, never the desktop trainer."""
    service = (DEPLOY / "digit-kiosk-retrain.service").read_text()
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert exec_start.endswith("/.venv/bin/python -m kiosk retrain --kind cnn --quiet"), exec_start
    assert "trainer" not in service
