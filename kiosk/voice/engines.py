"""The offline speech engines, best first: SVOX Pico (py-nanotts), espeak-ng, pyttsx3.

Each renders a text to a WAV file as a command in a child process, so an engine that hangs (pyttsx3's
runAndWait is known to) is killed on a timeout instead of freezing the kiosk or the cache builder.
Every engine speaks at a child's pace, and "excited" phrases ("I think it's a seven!") a little
higher and brighter where the engine allows it.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ENGINES = ("pico", "espeak-ng", "pyttsx3")  # the live chain, best first; then silence

# SVOX Pico's voices (py-nanotts bundles en-US, en-GB, es-ES, fr-FR, de-DE, it-IT: no Latin-American Spanish).
PICO_VOICES = {"en": "en-US", "es": "es-ES", "fr": "fr-FR"}
# Pico's speed is a factor on its own pace, which differs by voice: these put each language at the pace
# of espeak-ng at 125 words a minute (measured on the spoken phrases: python -m benchmarks voice --render).
PICO_SPEED = {"en": 0.65, "es": 0.9, "fr": 0.88}
PICO_VOLUME = 0.7  # Pico's own level clips at full scale; the loudness is set afterwards anyway
EXCITED_PITCH, EXCITED_PACE = 1.12, 1.05  # "I got it!": a little higher and quicker

# espeak-ng: its rate is words a minute (175 by default); 125 is a child's pace.
ESPEAK_VOICES = {"en": "en-us", "es": "es", "fr": "fr-fr"}
ESPEAK_LATIN_AMERICAN = "es-419"
ESPEAK_RATE = 125
ESPEAK_PITCH = {"calm": 50, "excited": 65}  # espeak's 0-99, 50 its default

# What is said for "Hmm" where an engine would spell the written one out letter by letter
# (espeak-ng reads Spanish "Mmm" as "eme eme eme"): found with `espeak-ng -q -x`, held by tests.
HESITATION = re.compile(r"^(?:Hmm+|Mmm+|Hum+)(?=[\s,.!?…])", re.IGNORECASE)
SAID_AS_A_SOUND = {("espeak-ng", "es"): "Emm", ("pyttsx3", "es"): "Emm"}


EXCITED_PHRASES = ("result.", "feedback.yay", "language.hello")  # the computer's answer, its joy, its welcome


def style_of(phrase_id: str) -> str:
    """ "excited" for what the computer says with glee, else "calm"."""
    return "excited" if phrase_id.startswith(EXCITED_PHRASES) else "calm"


@dataclass(frozen=True)
class Rendering:
    """How to render one text: the command, and what the manifest records about it."""

    argv: list[str]
    engine: str
    voice: str
    settings: dict


def speakable(text: str, lang: str, engine: str) -> str:
    """The text as it is sent to the engine: a hesitation it would spell out is given as one it says."""
    sound = SAID_AS_A_SOUND.get((engine, lang))
    return HESITATION.sub(sound, text) if sound else text


def espeak_binary() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def pico_installed() -> bool:
    return importlib.util.find_spec("py_nanotts") is not None


def pyttsx3_installed() -> bool:
    return importlib.util.find_spec("pyttsx3") is not None


def installed(engine: str) -> bool:
    if engine == "pico":
        return pico_installed()
    if engine == "espeak-ng":
        return espeak_binary() is not None
    if engine == "pyttsx3":
        return pyttsx3_installed()
    raise ValueError(f"unknown speech engine {engine!r} (known: {', '.join(ENGINES)})")


def engine_command(engine: str, text_file: Path, lang: str, out_wav: Path, style: str = "calm",
                   latin_american: bool = False) -> Rendering:
    """The command for one engine (whether or not it is installed)."""
    excited = style == "excited"
    if engine == "pico":
        voice = PICO_VOICES.get(lang, "en-US")
        speed = round(PICO_SPEED.get(lang, 0.75) * (EXCITED_PACE if excited else 1.0), 3)
        pitch = EXCITED_PITCH if excited else 1.0
        settings = {"speed": speed, "pitch": pitch, "volume": PICO_VOLUME}
        argv = [sys.executable, "-m", "kiosk.voice.pico_render", voice, str(text_file), str(out_wav),
                str(speed), str(pitch), str(PICO_VOLUME)]
        return Rendering(argv, engine, voice, settings)
    if engine == "espeak-ng":
        voice = ESPEAK_LATIN_AMERICAN if lang == "es" and latin_american else ESPEAK_VOICES.get(lang, lang)
        rate = int(round(ESPEAK_RATE * (EXCITED_PACE if excited else 1.0)))
        pitch = ESPEAK_PITCH["excited" if excited else "calm"]
        argv = [espeak_binary() or "espeak-ng", "-v", voice, "-s", str(rate), "-p", str(pitch), "-w", str(out_wav),
                "-f", str(text_file)]
        return Rendering(argv, engine, voice, {"rate_wpm": rate, "pitch": pitch})
    if engine == "pyttsx3":
        # the platform's engine (espeak-ng on Linux, SAPI5 on Windows, NSSpeechSynthesizer on macOS)
        return Rendering([sys.executable, "-m", "kiosk.voice.pyttsx3_render", lang, str(text_file), str(out_wav)],
                         engine, ESPEAK_VOICES.get(lang, lang), {"rate_wpm": ESPEAK_RATE})
    raise ValueError(f"unknown speech engine {engine!r} (known: {', '.join(ENGINES)})")


def render_command(text_file: Path, lang: str, out_wav: Path, style: str = "calm",
                   engines: tuple[str, ...] = ENGINES) -> tuple[list[str], str] | None:
    """The best installed engine's command for text_file (UTF-8) in lang, and its name; None if none is installed.

    The live voice's command factory; it writes speakable(text, lang, engine) to text_file."""
    for engine in engines:
        if installed(engine):
            rendering = engine_command(engine, text_file, lang, out_wav, style)
            return rendering.argv, rendering.engine
    return None


def best_installed(engines: tuple[str, ...] = ENGINES) -> str | None:
    return next((engine for engine in engines if installed(engine)), None)
