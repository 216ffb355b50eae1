"""Render one text to a WAV file with pyttsx3, in its own process (the caller kills it if it hangs).

Usage: python -m kiosk.voice.pyttsx3_render LANG TEXT_FILE OUT_WAV   (exit 0 only if OUT_WAV has sound in it)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    lang, text_file, out_wav = argv
    text = Path(text_file).read_text(encoding="utf-8").strip()
    if not text:  # pyttsx3 has crashed on empty text (seen on Raspberry Pi OS)
        print("nothing to say", file=sys.stderr)
        return 2
    import pyttsx3

    engine = pyttsx3.init()
    voice = _voice_for(engine, lang)
    if voice is not None:
        engine.setProperty("voice", voice)
    from kiosk.voice.engines import ESPEAK_RATE

    engine.setProperty("rate", ESPEAK_RATE)  # a child's pace, as the manifest records for this engine
    engine.save_to_file(text, out_wav)
    engine.runAndWait()
    if not wait_for_sound(Path(out_wav)):
        print("the engine wrote no sound", file=sys.stderr)
        return 1
    return 0


def wait_for_sound(
    path: Path, timeout_s: float = 5.0, settle_s: float = 0.15, clock=time.monotonic, sleep=time.sleep
) -> bool:
    """Whether path ends up holding sound: runAndWait can return before espeak has finished writing.

    Waits (bounded; the caller also kills this process on its own timeout) until the file is more than
    a bare 44-byte WAV header and has stopped growing for settle_s.
    """
    deadline, last_size, steady_since = clock() + timeout_s, -1, None
    while True:
        size = path.stat().st_size if path.exists() else 0
        now = clock()
        if size > 44 and size == last_size:
            steady_since = steady_since if steady_since is not None else now
            if now - steady_since >= settle_s:
                return True
        else:
            steady_since = None
        if now >= deadline:
            return size > 44
        last_size = size
        sleep(0.02)


def _voice_for(engine, lang: str):
    # Voice ids differ per platform; match on the language tag or the id, the kiosk's usual voice first.
    from kiosk.voice.engines import ESPEAK_VOICES

    voices = engine.getProperty("voices")
    for wanted in (ESPEAK_VOICES.get(lang, lang).lower(), lang):
        for voice in voices:
            languages = [
                tag.decode("ascii", "ignore") if isinstance(tag, bytes) else str(tag) for tag in (voice.languages or [])
            ]
            tags = [tag.lstrip("\x05").lower() for tag in languages] + [str(voice.id).lower()]
            if any(
                tag == wanted or tag.endswith("/" + wanted) or (wanted == lang and tag.startswith(lang + "-"))
                for tag in tags
            ):
                return voice.id
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
