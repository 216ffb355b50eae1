"""The offline speech engines, as commands that render a text to a WAV file: espeak-ng, or pyttsx3.

Both the kiosk (live fallback) and the voice cache builder run them as child processes, so an engine
that hangs (pyttsx3's runAndWait is known to) is killed on a timeout instead of freezing anything.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

# espeak-ng voice per kiosk language; a slower rate than espeak's 175 words a minute, for children.
ESPEAK_VOICES = {"en": "en-us", "es": "es", "fr": "fr-fr"}
ESPEAK_RATE = 150


def espeak_binary() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def render_command(text_file: Path, lang: str, out_wav: Path) -> tuple[list[str], str] | None:
    """The command that renders text_file (UTF-8) to out_wav in lang, and the engine's name; None if none is installed.

    espeak-ng's own command line first (fast to start, reliable); else pyttsx3 in a fresh Python,
    which uses the platform's engine (SAPI5 on Windows, NSSpeechSynthesizer on macOS).
    """
    voice = ESPEAK_VOICES.get(lang, lang)
    binary = espeak_binary()
    if binary is not None:
        return [binary, "-v", voice, "-s", str(ESPEAK_RATE), "-w", str(out_wav), "-f", str(text_file)], "espeak-ng"
    try:
        import pyttsx3  # noqa: F401 - only to know whether the worker can run
    except ImportError:
        return None
    return [sys.executable, "-m", "kiosk.voice.pyttsx3_render", lang, str(text_file), str(out_wav)], "pyttsx3"
