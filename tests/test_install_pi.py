"""scripts/install_pi.sh cannot run on a Pi here: shellcheck it, dry-run it (prints, writes nothing),
and verify the systemd units it would install with systemd-analyze."""
import os
import shutil
import subprocess

import pytest

from conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "install_pi.sh"


def run_script(tmp_path, *args):
    env = {"HOME": str(tmp_path), "PATH": os.environ["PATH"]}  # no USER, as in a bare service environment
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60, env=env)


def require(tool):
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed; .ci/run installs it")
        pytest.skip(f"{tool} is not installed")


def test_shellcheck_finds_nothing():
    require("shellcheck")
    scripts = sorted(str(p) for p in (PROJECT_ROOT / "scripts").glob("*.sh")) + [str(PROJECT_ROOT / ".ci" / "run")]
    result = subprocess.run(["shellcheck", *scripts], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("video", ["kmsdrm", "desktop"])
def test_a_dry_run_shows_every_step_and_changes_nothing(tmp_path, video):
    result = run_script(tmp_path, "--dry-run", "--with-training", "--video", video)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in ("would run: sudo apt-get install -y python3-venv", "espeak-ng", "libglib2.0-0",
                     "usermod -aG input,video,render,audio", "do_blanking 1", "Type=notify", "WatchdogSec=30",
                     "Restart=always", "digit-kiosk-retrain.timer", "check_runtime", "[ ] pulling the power",
                     "ORT_DISABLE_TELEMETRY=1"):
        assert expected in out, expected
    assert "torch" not in out.lower(), "the device learns with numpy: no torch, with or without training"
    if video == "kmsdrm":
        assert "SDL_VIDEODRIVER=kmsdrm" in out and "enable-linger" in out and "autostart" not in out
    else:
        assert "SDL_VIDEODRIVER" not in out and "autostart/digit-kiosk.desktop" in out
    assert list(tmp_path.iterdir()) == [], "a dry run writes nothing"


def test_bad_options_are_refused(tmp_path):
    result = run_script(tmp_path, "--video", "hdmi")
    assert result.returncode == 2 and "--video must be" in result.stderr


def write_printed_units(printed: str, folder) -> list[str]:
    """The units --print-units printed ("### NAME" then its text), written to folder: their paths."""
    names = []
    for block in printed.split("### ")[1:]:
        name, text = block.split("\n", 1)
        (folder / name).write_text(text)
        names.append(str(folder / name))
    return names


def test_the_units_it_installs_verify(tmp_path):
    require("systemd-analyze")
    result = run_script(tmp_path, "--print-units", "--video", "kmsdrm")
    assert result.returncode == 0, result.stderr
    names = write_printed_units(result.stdout, tmp_path)
    assert len(names) == 3
    retrain = (tmp_path / "digit-kiosk-retrain.service").read_text()
    assert f"-m kiosk retrain --config {tmp_path}/.config/digit-kiosk/kiosk.toml --kind cnn --quiet" in retrain
    verify = subprocess.run(["systemd-analyze", "verify", *names], capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stderr


def test_paths_that_would_break_the_units_are_refused(tmp_path):
    result = run_script(tmp_path, "--dry-run", "--data-dir", str(tmp_path / "my kiosk"))
    assert result.returncode == 2 and "space, quote or backslash" in result.stderr


def test_an_existing_settings_file_is_never_overwritten(tmp_path):
    settings = tmp_path / ".config" / "digit-kiosk" / "kiosk.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text('admin_pin = "97531"\n')
    result = run_script(tmp_path, "--dry-run")
    assert result.returncode == 0 and "keeping the existing" in result.stdout
    assert "would write " + str(settings) not in result.stdout


def test_every_install_gets_its_own_pin(tmp_path):
    import re
    import tomllib

    pins = []
    for _ in range(2):
        out = run_script(tmp_path, "--dry-run").stdout
        settings = out.split("would write " + str(tmp_path / ".config" / "digit-kiosk" / "kiosk.toml"), 1)[1]
        pin = re.search(r'^ *admin_pin = "(\d+)"$', settings, re.MULTILINE).group(1)
        assert tomllib.loads(f'admin_pin = "{pin}"')["admin_pin"] == pin and len(pin) == 6
        assert f"PIN of this kiosk is {pin}" in out, "shown once, to write down"
        pins.append(pin)
    assert "2468" not in pins and pins[0] != pins[1]


def stub(folder, name, script):
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)


def run_with_stubs(tmp_path, stubs, *args):
    bin_dir = tmp_path / "stub-bin"
    stubs = {"id": 'case "$1" in -u) echo 1000;; -un) echo pi;; *) /usr/bin/id "$@";; esac', **stubs}  # not root
    for name, script in stubs.items():
        stub(bin_dir, name, script)
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60, env=env), home


def test_training_on_an_arm_pi_installs_no_torch(tmp_path):
    # uname says aarch64, as on a Pi 4, where PyPI's torch is a CUDA build that dies with SIGILL.
    result, home = run_with_stubs(tmp_path, {"uname": 'echo aarch64'}, "--dry-run", "--with-training",
                                  "--video", "kmsdrm")
    assert result.returncode == 0, result.stderr
    assert "aarch64" in result.stdout and "torch" not in result.stdout.lower()
    assert "-m kiosk download-mnist" in result.stdout and "digit-kiosk-retrain.timer" in result.stdout


def test_an_old_python_is_refused_before_anything_changes(tmp_path):
    stubs = {"python3": 'case "$1" in --version) echo "Python 3.9.2";; *) exit 1;; esac',
             "sudo": f'echo "$@" >> {tmp_path}/sudo.log'}
    result, home = run_with_stubs(tmp_path, stubs, "--video", "kmsdrm")
    assert result.returncode == 2 and "Python 3.11" in result.stderr and "nothing was changed" in result.stderr
    assert not (tmp_path / "sudo.log").exists() and not any(home.rglob("*"))


def test_the_retraining_it_installs_uses_the_kiosks_own_commands(tmp_path):
    """Download and the nightly unit are the kiosk's commands: the Pi needs no trainer."""
    dry = run_script(tmp_path, "--dry-run", "--with-training", "--video", "kmsdrm").stdout
    assert "-m kiosk download-mnist" in dry and "-m trainer" not in dry
    units = run_script(tmp_path, "--print-units", "--video", "kmsdrm").stdout
    retrain = units.split("### digit-kiosk-retrain.service\n", 1)[1].split("###", 1)[0]
    exec_start = next(line for line in retrain.splitlines() if line.startswith("ExecStart="))
    assert exec_start == (f"ExecStart={PROJECT_ROOT}/.venv/bin/python -m kiosk retrain "
                          f"--config {tmp_path}/.config/digit-kiosk/kiosk.toml --kind cnn --quiet"), exec_start


HUB_ID = "ABCDEFG-HIJKLMN-OPQRSTU-VWXYZ23-4567ABC-DEFGHIJ-KLMNOPQ-RSTUVWX"
HUB_KEY = "ab" * 32


@pytest.mark.slow  # a whole dry run of the installer
def test_a_fleet_member_gets_syncthing_its_settings_and_the_fleet_pass(tmp_path):
    result = run_script(tmp_path, "--dry-run", "--video", "kmsdrm", "--fleet", "member", "--hub-id", HUB_ID,
                        "--hub-key", HUB_KEY, "--name", "hall-2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in ("would run: sudo apt-get install -y syncthing", "systemctl --user enable --now syncthing.service",
                     'fleet_role = "member"', 'fleet_name = "hall-2"', f'fleet_hub_key = "{HUB_KEY}"',
                     f"-m kiosk fleet setup --config {tmp_path}/.config/digit-kiosk/kiosk.toml --hub-id {HUB_ID}",
                     "digit-kiosk-fleet.service", "fleet sync --every 30", "enable --now digit-kiosk-fleet.service"):
        assert expected in out, expected
    assert "fleet keygen" not in out and "fleet-night" not in out and "download-mnist" not in out
    assert list(tmp_path.iterdir()) == [], "a dry run writes nothing"


@pytest.mark.slow  # a whole dry run of the installer
def test_a_fleet_hub_makes_its_key_and_its_night(tmp_path):
    result = run_script(tmp_path, "--dry-run", "--video", "kmsdrm", "--fleet", "hub", "--name", "office")
    assert result.returncode == 0, result.stderr
    for expected in ("apt-get install -y syncthing", 'fleet_role = "hub"', "-m kiosk fleet keygen", "download-mnist",
                     "-m kiosk fleet setup", "enable --now digit-kiosk-fleet-night.timer", "fleet sync --every 30"):
        assert expected in result.stdout, expected
    assert "fleet_hub_key" not in result.stdout


@pytest.mark.slow  # a whole dry run of the installer
def test_without_fleet_nothing_of_the_fleet_is_installed(tmp_path):
    out = run_script(tmp_path, "--dry-run", "--video", "kmsdrm").stdout
    assert "syncthing" not in out and "kiosk fleet" not in out and "fleet_role" not in out


@pytest.mark.parametrize("args,says", [
    (["--fleet", "member"], "--hub-id"),
    (["--fleet", "member", "--hub-id", HUB_ID], "--hub-key"),
    (["--fleet", "member", "--hub-id", "hub", "--hub-key", HUB_KEY], "--hub-id"),
    (["--fleet", "member", "--hub-id", HUB_ID, "--hub-key", "xyz"], "--hub-key"),
    (["--fleet", "hub", "--hub-id", HUB_ID], "no --hub-id"),
    (["--fleet", "boss"], "hub or member"),
    (["--hub-key", HUB_KEY], "go with --fleet"),
    (["--fleet", "hub", "--name", "a child's name"], "--name"),
])
def test_bad_fleet_options_are_refused_before_anything_changes(tmp_path, args, says):
    result = run_script(tmp_path, "--dry-run", *args)
    assert result.returncode == 2 and says in result.stderr and result.stdout == ""


@pytest.mark.slow  # a whole dry run of the installer
def test_the_fleet_units_verify(tmp_path):
    require("systemd-analyze")
    result = run_script(tmp_path, "--print-units", "--video", "kmsdrm", "--fleet", "hub")
    assert result.returncode == 0, result.stderr
    names = write_printed_units(result.stdout, tmp_path)
    assert len(names) == 6
    night = (tmp_path / "digit-kiosk-fleet-night.service").read_text()
    assert f"-m kiosk fleet night --config {tmp_path}/.config/digit-kiosk/kiosk.toml\n" in night
    verify = subprocess.run(["systemd-analyze", "verify", *names], capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stderr
