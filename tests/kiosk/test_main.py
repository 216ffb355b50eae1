"""python -m kiosk as a user meets it: every mistake on the command line or in a file gets one clear line, exit 2."""

import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT


def run_kiosk(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--headless", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        env={"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )


def test_a_settings_error_is_printed_once(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('volume = "loud"\n')
    result = run_kiosk(tmp_path, "--config", config, "--exit-when-done")
    assert result.returncode == 2
    assert result.stderr.count("'volume' must be") == 1, result.stderr
    assert result.stderr.startswith("kiosk: ") and "kiosk.toml" in result.stderr


@pytest.mark.slow
def test_an_events_out_in_a_missing_folder_is_one_line_not_a_traceback(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(f'log_dir = "{tmp_path / "logs"}"\n')
    target = tmp_path / "no-such-dir" / "out.jsonl"
    result = run_kiosk(tmp_path, "--config", config, "--events-out", target, "--exit-when-done")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "FileNotFoundError" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("kiosk:")]
    assert len(errors) == 1 and str(target) in errors[0] and "--events-out" in errors[0], result.stderr


def test_an_unknown_flag_is_named(tmp_path):
    result = run_kiosk(tmp_path, "--bogus")
    assert result.returncode == 2 and "--bogus" in result.stderr and "Traceback" not in result.stderr


def test_the_help_says_where_the_settings_are_listed_in_any_install(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    shown = " ".join(done.stdout.split())
    assert done.returncode == 0 and "README" not in shown  # a wheel has no README beside it
    assert "python -m kiosk.config --markdown" in shown and "docs/configuration.md" in shown, shown
