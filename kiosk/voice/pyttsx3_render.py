"""Render one text to a WAV file with pyttsx3, in its own process (the caller kills it if it hangs).

Usage: python -m kiosk.voice.pyttsx3_render LANG TEXT_FILE OUT_WAV   (exit 0 only if OUT_WAV has sound in it)
"""
from __future__ import annotations

import sys
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
    engine.setProperty("rate", 150)
    engine.save_to_file(text, out_wav)
    engine.runAndWait()
    # save_to_file is known to leave empty files behind: a bare WAV header is 44 bytes.
    if not Path(out_wav).exists() or Path(out_wav).stat().st_size <= 44:
        print("the engine wrote no sound", file=sys.stderr)
        return 1
    return 0


def _voice_for(engine, lang: str):
    # Voice ids differ per platform; match on the language tag or the id, the kiosk's usual voice first.
    from kiosk.voice.engines import ESPEAK_VOICES

    voices = engine.getProperty("voices")
    for wanted in (ESPEAK_VOICES.get(lang, lang).lower(), lang):
        for voice in voices:
            languages = [l.decode("ascii", "ignore") if isinstance(l, bytes) else str(l) for l in (voice.languages or [])]
            tags = [l.lstrip("\x05").lower() for l in languages] + [str(voice.id).lower()]
            if any(tag == wanted or tag.endswith("/" + wanted) or (wanted == lang and tag.startswith(lang + "-")) for tag in tags):
                return voice.id
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
