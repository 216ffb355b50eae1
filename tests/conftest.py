"""Shared fixtures: fixed seeds, headless SDL, and the real data folders (required in CI, optional elsewhere)."""
from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# whatever imports onnxruntime first (tests/test_telemetry.py checks without it)
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def fixed_seeds():
    random.seed(0)
    np.random.seed(0)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(0)


def _require_data(path: Path, what: str, env: str) -> Path:
    # In CI the data must be there: a skip would hide that the real-data tests never ran.
    if path.is_dir() and any(path.iterdir()):
        return path
    message = f"{what} not found at {path}; set {env}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    return _require_data(Path(os.environ.get("MNIST_DIR", SHARED_DATA / "mnist")), "MNIST", "MNIST_DIR")


@pytest.fixture(scope="session")
def mnist_data(mnist_dir):
    from kiosk.learning import mnist as mnist_module

    return mnist_module.load(mnist_dir)


@pytest.fixture(scope="session")
def drawn_dir() -> Path:
    default = SHARED_DATA / "drawn-digits-dev"
    return _require_data(Path(os.environ.get("DRAWN_DIGITS_DIR", default)), "drawn digits", "DRAWN_DIGITS_DIR")


@pytest.fixture(scope="session")
def drawn_letters_dir() -> Path:
    default = SHARED_DATA / "drawn-letters-dev"
    return _require_data(Path(os.environ.get("DRAWN_LETTERS_DIR", default)), "drawn letters", "DRAWN_LETTERS_DIR")


@pytest.fixture
def app_factory(tmp_path):
    """Headless kiosks in this process, writing only into the test's folder; settings as keywords."""
    import pygame

    from kiosk.app import App, LaunchOptions
    from kiosk.config import KioskConfig

    made = []

    def make(**settings):
        config = KioskConfig(data_dir=str(tmp_path / "data"), log_dir=str(tmp_path / "logs"), **settings)
        made.append(App(config, LaunchOptions(headless=True, size=(800, 480))))
        return made[-1]

    yield make
    for kiosk in made:
        kiosk.speaker.close()
    pygame.display.quit()


@pytest.fixture
def app(app_factory):
    """A headless kiosk in this process, writing only into the test's folder."""
    return app_factory()
