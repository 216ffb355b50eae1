"""Render every spoken phrase in every language to an OGG clip, plus voice_cache/manifest.json.

Online, gTTS gives natural voices (throttled, with retry and backoff on 429 and 5xx). Offline, or
with --engine offline, espeak-ng (or pyttsx3) renders them in a child process with a timeout. Each
clip is trimmed, normalised, encoded as OGG Vorbis (which pygame.mixer plays on a Raspberry Pi),
decoded again and checked for a plausible length and loudness before it is kept. Re-running only
renders what is missing, changed or corrupt; every file is written atomically.

Usage: python scripts/build_voice_cache.py [--engine auto|gtts|offline] [--languages en es fr] [--out DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
from kiosk.atomic_write import write_bytes_atomic, write_text_atomic  # noqa: E402
from kiosk.language.phrases import LANGUAGES, SPOKEN_IDS, Phrases  # noqa: E402
from kiosk.voice.clips import MANIFEST, MANIFEST_FORMAT, read_manifest  # noqa: E402
from kiosk.voice.engines import ESPEAK_VOICES, render_command  # noqa: E402

GTTS_TLD = {"en": "com", "es": "es", "fr": "fr"}  # the accent gTTS speaks with
GTTS_MIN_INTERVAL_S = 0.5  # between requests: Google answers 429 to anything faster for long
GTTS_RETRIES = 5
GTTS_TIMEOUT_S = 10
OFFLINE_TIMEOUT_S = 20
MIN_DURATION_S, MAX_DURATION_S = 0.15, 15.0  # "six" is a quarter of a second
MIN_RMS_DBFS = -35.0  # quieter than this is not speech a child can hear in a museum
PEAK_DBFS = -1.0  # every clip is normalised to this, so languages and engines sound equally loud


class SynthesisError(Exception):
    """One phrase could not be rendered; retryable says whether trying again later may help."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


@dataclass
class Audio:
    samples: np.ndarray  # float32 mono in [-1, 1]
    rate: int


def synthesize_gtts(text: str, lang: str) -> Audio:
    """One request to Google's TTS; raises SynthesisError (retryable on 429/5xx)."""
    from gtts import gTTS
    from gtts.tts import gTTSError

    buffer = io.BytesIO()
    try:
        gTTS(text, lang=lang, tld=GTTS_TLD.get(lang, "com"), timeout=GTTS_TIMEOUT_S).write_to_fp(buffer)
    except gTTSError as error:
        status = getattr(getattr(error, "rsp", None), "status_code", None)
        retryable = status == 429 or (status is not None and status >= 500)
        raise SynthesisError(f"gTTS failed ({error})", retryable) from error
    except OSError as error:  # requests' connection errors are OSErrors too
        raise SynthesisError(f"gTTS could not connect ({error})") from error
    return decode(buffer.getvalue())


def synthesize_offline(text: str, lang: str) -> tuple[Audio, str]:
    """Render with espeak-ng (or pyttsx3) in a child process, killed after OFFLINE_TIMEOUT_S."""
    with tempfile.TemporaryDirectory(prefix="voice-build-") as folder:
        text_file, out = Path(folder) / "text.txt", Path(folder) / "out.wav"
        text_file.write_text(text, encoding="utf-8")
        command = render_command(text_file, lang, out)
        if command is None:
            raise SynthesisError("no offline speech engine: install espeak-ng (sudo apt-get install espeak-ng)")
        argv, engine = command
        try:
            subprocess.run(argv, check=True, timeout=OFFLINE_TIMEOUT_S, capture_output=True)
        except subprocess.TimeoutExpired as error:
            raise SynthesisError(f"{engine} hung for {OFFLINE_TIMEOUT_S} s and was killed", True) from error
        except subprocess.CalledProcessError as error:
            raise SynthesisError(f"{engine} failed: {error.stderr.decode(errors='replace').strip()}") from error
        if not out.exists() or out.stat().st_size <= 44:
            raise SynthesisError(f"{engine} wrote no sound", True)
        return decode(out.read_bytes()), engine


def decode(data: bytes) -> Audio:
    """Any format libsndfile reads (WAV, MP3, OGG) as float mono."""
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as error:
        raise SynthesisError(f"the audio does not decode ({error})") from error
    return Audio(samples.mean(axis=1), rate)


def tidy(audio: Audio) -> Audio:
    """Trim silence at both ends (speech should start the moment it plays) and normalise the peak."""
    samples = audio.samples
    loud = np.flatnonzero(np.abs(samples) > 0.01 * max(1e-6, float(np.abs(samples).max())))
    if loud.size:
        pad = int(0.03 * audio.rate)  # keep the soft onset of the first consonant
        samples = samples[max(0, loud[0] - pad): loud[-1] + pad]
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak > 0:
        samples = samples * (10 ** (PEAK_DBFS / 20) / peak)
    return Audio(samples.astype(np.float32), audio.rate)


def encode_ogg(audio: Audio) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, audio.samples, audio.rate, format="OGG", subtype="VORBIS")
    return buffer.getvalue()


def measure(data: bytes) -> dict:
    """Decode a finished clip and check it sounds like speech; raises SynthesisError if not."""
    audio = decode(data)
    duration = len(audio.samples) / audio.rate
    rms = float(np.sqrt(np.mean(np.square(audio.samples)))) if audio.samples.size else 0.0
    rms_dbfs = 20 * np.log10(max(rms, 1e-9))
    peak_dbfs = 20 * np.log10(max(float(np.abs(audio.samples).max()) if audio.samples.size else 0.0, 1e-9))
    if not MIN_DURATION_S <= duration <= MAX_DURATION_S:
        raise SynthesisError(f"implausible length {duration:.2f} s")
    if rms_dbfs < MIN_RMS_DBFS:
        raise SynthesisError(f"too quiet ({rms_dbfs:.1f} dBFS)")
    return {"duration_s": round(duration, 3), "rms_dbfs": round(rms_dbfs, 1), "peak_dbfs": round(peak_dbfs, 1),
            "sample_rate": audio.rate}


class Renderer:
    """Picks the engine per phrase: gTTS while it works (auto), else offline; gTTS only when asked."""

    def __init__(self, engine: str, gtts=synthesize_gtts, offline=synthesize_offline, sleep=time.sleep):
        self.engine, self.gtts, self.offline, self.sleep = engine, gtts, offline, sleep
        self.gtts_usable = engine in ("auto", "gtts")
        self._last_request = 0.0

    def render(self, text: str, lang: str) -> tuple[bytes, str, str]:
        """(OGG bytes, engine, voice) for text; raises SynthesisError."""
        if self.gtts_usable:
            try:
                audio = self._gtts_with_retry(text, lang)
                return encode_ogg(tidy(audio)), "gtts", f"{lang}-{GTTS_TLD.get(lang, 'com')}"
            except SynthesisError as error:
                if self.engine == "gtts":
                    raise SynthesisError(f"{error}. gTTS needs the internet: connect, or use --engine offline") from error
                self.gtts_usable = False  # one clear message, then offline for the rest of the run
                print(f"gTTS is unavailable ({error}); rendering with the offline engine instead. "
                      "Run this again when online for natural voices.", file=sys.stderr)
        audio, engine = self._offline_with_retry(text, lang)
        return encode_ogg(tidy(audio)), engine, ESPEAK_VOICES.get(lang, lang)

    def _gtts_with_retry(self, text: str, lang: str) -> Audio:
        for attempt in range(GTTS_RETRIES):
            wait = self._last_request + GTTS_MIN_INTERVAL_S - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._last_request = time.monotonic()
            try:
                return self.gtts(text, lang)
            except SynthesisError as error:
                if not error.retryable or attempt == GTTS_RETRIES - 1:
                    raise
                backoff = 2 ** attempt + random.uniform(0, 0.5)  # jitter: never retry in lockstep
                print(f"gTTS busy ({error}); retrying in {backoff:.1f} s", file=sys.stderr)
                self.sleep(backoff)
        raise AssertionError("unreachable")

    def _offline_with_retry(self, text: str, lang: str) -> tuple[Audio, str]:
        try:
            return self.offline(text, lang)
        except SynthesisError as error:
            if not error.retryable:
                raise
            return self.offline(text, lang)  # a hung or silent engine gets one more chance


def build(out: Path, languages: list[str], renderer: Renderer, force: bool = False, phrases: Phrases | None = None) -> dict:
    """Bring the cache in out up to date; returns counts of kept, rendered and removed clips."""
    phrases = phrases or Phrases()
    old = {(c["id"], c["lang"]): c for c in read_manifest(out)["clips"]} if (out / MANIFEST).exists() else {}
    clips, counts = [], {"kept": 0, "rendered": 0, "removed": 0}
    try:
        _render_missing(out, languages, renderer, force, phrases, old, clips, counts)
    except BaseException:  # an error or Ctrl-C: keep every clip made so far
        _write_manifest(out, clips + list(old.values()))
        raise
    for entry in old.values():  # phrases no longer spoken, or languages dropped
        if entry["lang"] in languages:
            (out / entry["file"]).unlink(missing_ok=True)
            counts["removed"] += 1
        else:
            clips.append(entry)
    _write_manifest(out, clips)
    return counts


def _render_missing(out, languages, renderer, force, phrases, old, clips, counts) -> None:
    for lang in languages:
        for phrase_id in SPOKEN_IDS:
            text = phrases.text(phrase_id, lang)
            entry = old.get((phrase_id, lang))
            if entry is not None and not force and _still_good(out, entry, text, renderer):
                clips.append(old.pop((phrase_id, lang)))
                counts["kept"] += 1
                continue
            # The old entry stays listed until the new clip is written: a failed render keeps it.
            data, engine, voice = renderer.render(text, lang)
            info = measure(data)
            relative = f"{lang}/{phrase_id}.ogg"
            write_bytes_atomic(out / relative, data)
            old.pop((phrase_id, lang), None)
            clips.append({"id": phrase_id, "lang": lang, "text": text, "engine": engine, "voice": voice, "file": relative,
                          "sha256": hashlib.sha256(data).hexdigest(), **info})
            counts["rendered"] += 1
            if counts["rendered"] % 20 == 0:  # a killed run keeps what it made
                _write_manifest(out, clips + list(old.values()))


def _still_good(out: Path, entry: dict, text: str, renderer: Renderer) -> bool:
    if entry.get("text") != text:
        return False
    if renderer.engine == "gtts" and entry.get("engine") != "gtts":
        return False  # asked for natural voices: replace the offline ones
    path = out / entry.get("file", "")
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == entry.get("sha256")


def _write_manifest(out: Path, clips: list[dict]) -> None:
    clips = sorted(clips, key=lambda c: (c["lang"], c["id"]))
    if (out / MANIFEST).exists() and read_manifest(out)["clips"] == clips:
        return  # nothing changed: keep the file (and its date) as it is
    engines = sorted({c["engine"] for c in clips})
    manifest = {
        "format": MANIFEST_FORMAT,
        "built": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "engines": engines,
        "note": "espeak-ng clips are robotic; rebuild online with --engine gtts for natural voices"
        if engines != ["gtts"] else "natural voices from gTTS",
        "clips": clips,
    }
    write_text_atomic(out / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("auto", "gtts", "offline"), default="auto",
                        help="auto: gTTS if reachable, else offline (default); gtts: fail rather than fall back")
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "voice_cache")
    parser.add_argument("--force", action="store_true", help="render every clip again")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        counts = build(args.out, args.languages, Renderer(args.engine), args.force)
    except SynthesisError as error:
        print(f"voice cache not finished: {error}", file=sys.stderr)
        return 1
    print(f"{args.out}: {counts['rendered']} rendered, {counts['kept']} up to date, {counts['removed']} removed "
          f"in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
