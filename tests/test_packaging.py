"""Installs that work anywhere: the built wheel carries the shipped models, voice clips and catalogs,
and `digit-kiosk` / `digit-kiosk-trainer` work from any folder in a fresh venv with no torch."""

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT
from kiosk import replay
from kiosk.recognition.example_digits import EXAMPLES

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_list_matches_the_tree():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(PROJECT_ROOT).parts)
        for top in ("kiosk", "trainer")
        for p in (PROJECT_ROOT / top).rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    mapped = set(PYPROJECT["tool"]["setuptools"]["package-dir"])
    assert listed == found | mapped, "list every package in pyproject.toml [tool.setuptools] packages"
    assert {PROJECT_ROOT / d for d in PYPROJECT["tool"]["setuptools"]["package-dir"].values()} == {
        PROJECT_ROOT / "exported_models",
        PROJECT_ROOT / "voice_cache",
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory, mnist_dir):
    """A wheel built from the tracked files, installed into a fresh venv outside the checkout."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    # What git would commit: tracked files and new ones not ignored (so a new module is in the wheel).
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (PROJECT_ROOT / name).is_file():  # a file deleted but not yet committed is not in the wheel
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(source)], check=True, timeout=600)
    wheel = next((work / "dist").glob("digit_kiosk-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=300)
    venv_pip = [str(work / "venv" / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    # [evaluate] brings scikit-learn for digit-kiosk-trainer evaluate; still no torch.
    subprocess.run([*venv_pip, "install", f"{wheel}[evaluate]"], check=True, timeout=900)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    env = {
        "PATH": f"{work / 'venv' / 'bin'}:/usr/bin:/bin",
        "HOME": str(work / "home"),
        "SDL_VIDEODRIVER": "dummy",
        "SDL_AUDIODRIVER": "dummy",
        "MNIST_DIR": str(mnist_dir),
    }
    return {"wheel": wheel, "bin": work / "venv" / "bin", "cwd": elsewhere, "env": env}


def run(installed, *args, timeout=300):
    return subprocess.run(
        [str(installed["bin"] / args[0]), *map(str, args[1:])],
        capture_output=True,
        text=True,
        cwd=installed["cwd"],
        env=installed["env"],
        timeout=timeout,
    )


@pytest.mark.slow
def test_the_wheel_carries_models_clips_and_catalogs(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    shipped_models = {p.name for p in (PROJECT_ROOT / "exported_models").iterdir()}
    assert {f"kiosk/shipped/models/{n}" for n in shipped_models} <= names
    clips = {str(p.relative_to(PROJECT_ROOT / "voice_cache")) for p in (PROJECT_ROOT / "voice_cache").rglob("*.ogg")}
    assert (
        len(clips) > 100
        and {f"kiosk/shipped/voice/{c}" for c in clips} | {"kiosk/shipped/voice/manifest.json"} <= names
    )
    assert {f"kiosk/language/locale/{lang}/LC_MESSAGES/kiosk.mo" for lang in ("en", "es", "fr")} <= names


@pytest.mark.slow
def test_the_wheel_carries_the_licence_and_the_third_party_notices(installed):
    # The wheel ships MNIST-derived weights and data (CC BY-SA 3.0) and Pico's clips: their terms travel with it.
    wheel = zipfile.ZipFile(installed["wheel"])
    licences = {Path(n).name: n for n in wheel.namelist() if ".dist-info/licenses/" in n}
    assert {"LICENSE", "THIRD_PARTY_NOTICES.md"} <= set(licences), wheel.namelist()[-10:]
    for name in ("LICENSE", "THIRD_PARTY_NOTICES.md"):
        assert wheel.read(licences[name]) == (PROJECT_ROOT / name).read_bytes()
    notices = wheel.read(licences["THIRD_PARTY_NOTICES.md"]).decode()
    assert "CC BY-SA 3.0" in notices and "SVOX Pico" in notices and "mnist_subset.npz" in notices


@pytest.mark.slow
def test_an_installed_kiosk_recognizes_and_speaks_from_another_folder(installed):
    cwd = installed["cwd"]
    events = replay.from_strokes(
        [[(60 + 280 * x, 60 + 280 * y) for x, y in stroke] for stroke in EXAMPLES[7][0]], 400.0
    )
    (cwd / "seven.jsonl").write_text(replay.dump(events))
    done = run(
        installed,
        "digit-kiosk",
        "--headless",
        "--replay",
        "seven.jsonl",
        "--events-out",
        "events.jsonl",
        "--exit-when-done",
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in (cwd / "events.jsonl").read_text().splitlines()]
    recognized = [r for r in records if r["type"] == "recognized"]
    assert recognized and max(range(10), key=lambda d: recognized[0]["probabilities"][d]) == 7
    spoken = [r for r in records if r["type"] == "speech"]
    assert spoken and spoken[0]["source"] == "clip", spoken


@pytest.mark.slow
def test_the_installed_clis_explain_themselves_without_torch(installed):
    for command in ("digit-kiosk", "digit-kiosk-trainer"):
        version = run(installed, command, "--version")
        assert version.returncode == 0 and PYPROJECT["project"]["version"] in version.stdout, version
    train = run(installed, "digit-kiosk-trainer", "train", "--limit-batches", "1")
    assert train.returncode == 2 and "[train]" in train.stderr and "Traceback" not in train.stderr, train.stderr
    status = run(installed, "digit-kiosk", "retrain", "--status")  # the device's own command
    assert status.returncode == 0 and "no model file" not in status.stdout and "site-packages" in status.stdout, (
        status.stdout
    )


@pytest.mark.slow
def test_the_installed_trainer_evaluates_shipped_models_with_no_torch_and_no_training_images(installed, tmp_path):
    test_only = tmp_path / "mnist-test-only"
    test_only.mkdir()
    for name in os.listdir(installed["env"]["MNIST_DIR"]):
        if name.startswith("t10k"):
            os.symlink(Path(installed["env"]["MNIST_DIR"]) / name, test_only / name)
    model = next(Path(installed["bin"]).parent.glob("lib/python*/site-packages/kiosk/shipped/models/mlp.onnx"))
    done = run(installed, "digit-kiosk-trainer", "evaluate", model, "--data-dir", test_only, "--no-drawn", timeout=600)
    assert done.returncode == 0, done.stderr
    assert "mlp" in done.stdout and "%" in done.stdout


@pytest.mark.slow
def test_the_readmes_wheel_example_evaluates_the_shipped_cnn_with_no_drawn_digits_folder(installed):
    # `digit-kiosk-trainer evaluate .../site-packages/kiosk/shipped/models/cnn.onnx` with MNIST and nothing else.
    model = next(Path(installed["bin"]).parent.glob("lib/python*/site-packages/kiosk/shipped/models/cnn.onnx"))
    done = run(installed, "digit-kiosk-trainer", "evaluate", model, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "MNIST test: accuracy" in done.stdout and "confusion" in done.stdout
    skipped = [line for line in done.stdout.splitlines() if "--drawn-dir" in line]
    assert len(skipped) == 1 and "DRAWN_DIGITS_DIR" in skipped[0], done.stdout
