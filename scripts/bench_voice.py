"""Benchmark: from "recognized" to the first sound leaving the audio driver, for cached clips and live speech.

SDL's disk audio driver writes what would go to the loudspeaker into a file, in real time; the first
non-silent sample after the kiosk decides what to say marks the start of audio. Target for a cached
clip: 100 ms. Usage: python scripts/bench_voice.py [--trials 30]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    args = parser.parse_args()
    sink = Path(tempfile.mkdtemp()) / "audio.raw"
    os.environ.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(sink), SDL_VIDEODRIVER="dummy")

    from kiosk.recognition.model_files import load_recognizers
    from kiosk.voice.audio_out import AudioOut
    from kiosk.config import KioskConfig
    from kiosk.event_log import EventLog
    from kiosk.voice.live import LiveVoice
    from kiosk.language.phrases import Phrases
    from kiosk.screens.draw import DrawScreen
    from kiosk.voice.speaker import VoiceSpeaker
    from kiosk.ui.theme import Theme
    from kiosk.voice.clips import VoiceClips
    from trainer import drawn_digits

    import pygame

    pygame.display.init()
    pygame.font.init()
    config = KioskConfig.load(None)
    drawn = drawn_digits.load()  # real drawings, in canvas pixels ($DRAWN_DIGITS_DIR or ../shared)
    picks = np.random.default_rng(0).choice(len(drawn), args.trials, replace=False)
    results = {}
    for mode, clips_dir in (("cached clip", config.voice_dir_path), ("live espeak-ng", Path(tempfile.mkdtemp()))):
        phrases = Phrases("en")
        speaker = VoiceSpeaker(phrases, AudioOut(), VoiceClips(clips_dir), LiveVoice())
        screen = DrawScreen(load_recognizers(config), speaker, Theme(800, 480), 700, EventLog(None), phrases)
        speaker.audio.ready()
        said_at, say = [], speaker.say

        def timed_say(*args):  # the screen speaks the moment the answer is known
            said_at.append(time.perf_counter())
            return say(*args)

        speaker.say = timed_say
        latencies, pressed = [], []
        for i in picks:
            screen.press("clear")
            for stroke in drawn.strokes[i]:
                points = [(float(x) + 40, float(y) + 40) for x, y in stroke]
                screen.ink.begin(*points[0])
                for point in points[1:]:
                    screen.ink.extend(*point)
                screen.ink.end()
            speaker.audio.stop()
            time.sleep(0.15)  # the driver flushes what was playing: silence again
            offset = sink.stat().st_size
            started = time.perf_counter()
            screen.press("recognize")
            sound = _first_sound(sink, offset, speaker)
            latencies.append(1000 * (sound - said_at[-1]))
            pressed.append(1000 * (sound - started))
        speaker.close()
        pygame.mixer.quit()
        results[mode] = (np.array(latencies), np.array(pressed))
    for mode, (ms, total) in results.items():
        print(f"{mode:15s}: recognized -> audio start p50 {np.median(ms):6.1f} ms, p95 {np.percentile(ms, 95):6.1f} ms, "
              f"max {ms.max():6.1f} ms; Go pressed -> audio p95 {np.percentile(total, 95):6.1f} ms ({len(ms)} drawings)")
    return 0


def _first_sound(sink: Path, offset: int, speaker, timeout_s: float = 5.0) -> float:
    """When the first non-silent sample after offset reached the driver (polled every millisecond)."""
    deadline = time.perf_counter() + timeout_s
    with sink.open("rb") as file:
        while time.perf_counter() < deadline:
            speaker.update()  # the live voice hands over its render here, as in the kiosk's loop
            file.seek(offset)
            chunk = file.read()
            if chunk:
                samples = np.frombuffer(chunk[: len(chunk) // 2 * 2], dtype=np.int16)
                if np.any(np.abs(samples) > 64):
                    return time.perf_counter()
            time.sleep(0.001)
    raise RuntimeError("no sound reached the audio driver")


if __name__ == "__main__":
    sys.exit(main())
