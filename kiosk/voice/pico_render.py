"""Render one text to a WAV file with SVOX Pico (py-nanotts), in its own process (the caller kills it if it hangs).

Usage: python -m kiosk.voice.pico_render VOICE TEXT_FILE OUT_WAV SPEED PITCH VOLUME   (exit 0 only if OUT_WAV has sound)
"""
from __future__ import annotations

import sys
import wave
from pathlib import Path

PICO_RATE = 16000  # py-nanotts gives 16 kHz mono 16-bit PCM


def main(argv: list[str]) -> int:
    voice, text_file, out_wav, speed, pitch, volume = argv
    text = Path(text_file).read_text(encoding="utf-8").strip()
    if not text:
        print("nothing to say", file=sys.stderr)
        return 2
    from py_nanotts import NanoTTS

    pcm = NanoTTS().speak(text, voice=voice, speed=float(speed), pitch=float(pitch), volume=float(volume))
    if len(pcm) < 2 * PICO_RATE // 20:  # under 50 ms: no speech came out
        print("Pico wrote no sound", file=sys.stderr)
        return 1
    with wave.open(out_wav, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(PICO_RATE)
        out.writeframes(pcm)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
