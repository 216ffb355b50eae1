"""Benchmark the voice: from "recognized" to the first sound, and (--render) what a cache rebuild costs.

Latency: SDL's disk audio driver writes what would go to the loudspeaker into a file, in real time; the
first non-silent sample after the kiosk decides what to say marks the start of audio. Target for a
cached clip: 100 ms.

--render: every phrase of every language through each offline engine as the cache builder renders it
(child process, trim, loudness, OGG), timed per clip, with the pace (words a minute while speaking) and
the loudness spread. Pin it to one core to see what a Pi rebuilding its cache does (taskset -c 0).

Usage: python -m benchmarks voice [--trials 30]
       python -m benchmarks voice --render [--engines pico espeak-ng] [--out runs/bench_voice_render.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--render", action="store_true", help="time rendering every clip with each offline engine")
    parser.add_argument("--engines", nargs="+", default=["pico", "espeak-ng"])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "bench_voice_render.json")
    args = parser.parse_args(argv)
    if args.render:
        return render_benchmark(args.engines, args.out)
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
    from kiosk.learning import drawn_digits

    import pygame

    pygame.display.init()
    pygame.font.init()
    config = KioskConfig.load(None)
    drawn = drawn_digits.load()  # real drawings, in canvas pixels ($DRAWN_DIGITS_DIR or ../shared)
    picks = np.random.default_rng(0).choice(len(drawn), args.trials, replace=False)
    results = {}
    from kiosk.voice.engines import best_installed

    cache = Path(os.environ.get("BENCH_VOICE_CACHE", config.voice_dir_path))  # another cache to compare with
    for mode, clips_dir in (("cached clip", cache), (f"live {best_installed()}", Path(tempfile.mkdtemp()))):
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
    report = {}
    for mode, (ms, total) in results.items():
        print(
            f"{mode:15s}: recognized -> audio start p50 {np.median(ms):6.1f} ms, p95 {np.percentile(ms, 95):6.1f} ms, "
            f"max {ms.max():6.1f} ms; Go pressed -> audio p95 {np.percentile(total, 95):6.1f} ms ({len(ms)} drawings)",
            file=sys.stderr,
        )
        report[mode] = {
            "recognized_to_audio_p50_ms": round(float(np.median(ms)), 1),
            "recognized_to_audio_p95_ms": round(float(np.percentile(ms, 95)), 1),
            "recognized_to_audio_max_ms": round(float(ms.max()), 1),
            "pressed_to_audio_p95_ms": round(float(np.percentile(total, 95)), 1),
            "drawings": len(ms),
        }
    print(json.dumps(report, indent=1))
    return 0


def render_benchmark(engine_names: list[str], out: Path) -> int:
    import re

    from kiosk.language.phrases import LANGUAGES, SPOKEN_IDS, Phrases
    from kiosk.voice import loudness
    from kiosk.voice.engines import installed

    from trainer import voice_render as render

    phrases, results = Phrases(), {}
    for engine in engine_names:
        if not installed(engine):
            print(f"{engine}: not installed, skipped", file=sys.stderr)
            continue
        renderer = render.Renderer(engine)
        for lang in LANGUAGES:
            times, levels, words, speaking, durations = [], [], 0, 0.0, []
            for phrase_id in SPOKEN_IDS:
                text = phrases.text(phrase_id, lang)
                started = time.perf_counter()
                clip = renderer.render(text, lang, phrase_id)
                times.append(time.perf_counter() - started)
                info = render.measure(clip.data)
                levels.append(info["loudness_lufs"])
                spoken = info["duration_s"] - loudness.HEAD_S - loudness.TAIL_S
                durations.append(spoken)
                if not phrase_id.startswith("digit."):
                    words += len(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text))
                    speaking += spoken
            ms = 1000 * np.array(times)
            results[f"{engine}/{lang}"] = {
                "clips": len(times),
                "render_ms_p50": round(float(np.median(ms)), 1),
                "render_ms_p95": round(float(np.percentile(ms, 95)), 1),
                "total_s": round(float(ms.sum()) / 1000, 1),
                "words_per_minute": round(60 * words / speaking, 1),
                "spoken_s_min": round(min(durations), 2),
                "spoken_s_max": round(max(durations), 2),
                "lufs_min": min(levels),
                "lufs_max": max(levels),
            }
            r = results[f"{engine}/{lang}"]
            print(
                f"{engine:9s} {lang}: {r['clips']} clips, render p50 {r['render_ms_p50']} ms, "
                f"p95 {r['render_ms_p95']} ms "
                f"({r['total_s']} s in all); {r['words_per_minute']:.0f} words a minute while speaking; "
                f"{r['spoken_s_min']}-{r['spoken_s_max']} s; loudness {r['lufs_min']:.2f} to {r['lufs_max']:.2f} LUFS",
                file=sys.stderr,
                flush=True,
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=1)
    out.write_text(text + "\n")
    print(text)
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
