"""How the reliability tests start the kiosk as a process of its own: headless, playing a replay, with an
environment that keeps nothing of the caller's (dummy video and audio, a bare PATH, a fresh HOME)."""

import sys
import tempfile
from pathlib import Path


def kiosk_command(config: Path, script: Path, events_out: Path) -> list[str]:
    """`python -m kiosk --headless` with the settings in config, playing script, its events logged to events_out."""
    return [sys.executable, "-m", "kiosk", "--headless", "--config", str(config), "--replay", str(script),
            "--events-out", str(events_out), "--exit-when-done"]


def bare_env() -> dict[str, str]:
    """No display, no audio device, nothing from the caller's HOME."""
    return {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PATH": "/usr/bin:/bin",
            "HOME": tempfile.mkdtemp()}
