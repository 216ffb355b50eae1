"""One phrase to one clip: the speech engines (gTTS online; Pico, espeak-ng, pyttsx3 offline), tidied to one loudness.

Each render is trimmed to a fixed head and tail and set to one loudness (ITU-R BS.1770, kiosk/voice/loudness.py, as
live speech is), encoded as OGG Vorbis, decoded again and checked for a plausible length and loudness. The Renderer
picks the engine per phrase and leaves out an engine that keeps failing. trainer/voice_cache.py builds the cache.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from kiosk.voice import loudness
from kiosk.voice.engines import ENGINES, engine_command, installed, speakable, style_of

GTTS_TLD = {"en": "com", "es": "es", "fr": "fr"}  # the accent gTTS speaks with
GTTS_LATIN_AMERICAN = "com.mx"
GTTS_MIN_INTERVAL_S = 0.5  # between requests: Google answers 429 to anything faster for long
GTTS_RETRIES = 5
GTTS_TIMEOUT_S = 10
OFFLINE_TIMEOUT_S = 20
MIN_DURATION_S, MAX_DURATION_S = 0.15, 15.0  # "six" is a quarter of a second
MAX_LOUDNESS_ERROR_LU = 1.0  # a clip further than this from the target loudness is not kept
ENGINE_FAILURES_TO_GIVE_UP = 3
RANK = {"gtts": 0, **{engine: i + 1 for i, engine in enumerate(ENGINES)}}  # lower is better


class SynthesisError(Exception):
    """One phrase could not be rendered; retryable says whether trying again later may help."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


@dataclass
class Audio:
    samples: np.ndarray  # float32 mono in [-1, 1]
    rate: int


@dataclass
class Clip:
    data: bytes  # OGG Vorbis
    engine: str
    voice: str
    settings: dict = field(default_factory=dict)


def synthesize_gtts(text: str, lang: str, tld: str) -> Audio:
    """One request to Google's TTS; raises SynthesisError (retryable on 429/5xx)."""
    from gtts import gTTS
    from gtts.tts import gTTSError

    buffer = io.BytesIO()
    try:
        gTTS(text, lang=lang, tld=tld, timeout=GTTS_TIMEOUT_S).write_to_fp(buffer)
    except gTTSError as error:
        status = getattr(getattr(error, "rsp", None), "status_code", None)
        retryable = status == 429 or (status is not None and status >= 500)
        raise SynthesisError(f"gTTS failed ({error})", retryable) from error
    except OSError as error:  # requests' connection errors are OSErrors too
        raise SynthesisError(f"gTTS could not connect ({error})") from error
    return decode(buffer.getvalue())


def synthesize_offline(
    text: str, lang: str, style: str, engine: str, latin_american: bool = False
) -> tuple[Audio, dict]:
    """Render with one offline engine in a child process, killed after OFFLINE_TIMEOUT_S; (audio, its recipe)."""
    with tempfile.TemporaryDirectory(prefix="voice-build-") as folder:
        text_file, out = Path(folder) / "text.txt", Path(folder) / "out.wav"
        text_file.write_text(speakable(text, lang, engine), encoding="utf-8")
        rendering = engine_command(engine, text_file, lang, out, style, latin_american)
        try:
            subprocess.run(rendering.argv, check=True, timeout=OFFLINE_TIMEOUT_S, capture_output=True)
        except subprocess.TimeoutExpired as error:
            raise SynthesisError(f"{engine} hung for {OFFLINE_TIMEOUT_S} s and was killed", True) from error
        except subprocess.CalledProcessError as error:
            raise SynthesisError(f"{engine} failed: {error.stderr.decode(errors='replace').strip()}") from error
        except OSError as error:
            raise SynthesisError(f"{engine} could not start ({error})") from error
        if not out.exists() or out.stat().st_size <= 44:
            raise SynthesisError(f"{engine} wrote no sound", True)
        return decode(out.read_bytes()), {"voice": rendering.voice, "settings": rendering.settings}


def decode(data: bytes) -> Audio:
    """Any format libsndfile reads (WAV, MP3, OGG) as float mono."""
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as error:
        raise SynthesisError(f"the audio does not decode ({error})") from error
    return Audio(samples.mean(axis=1), rate)


def encode_ogg(audio: Audio) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, audio.samples, audio.rate, format="OGG", subtype="VORBIS")
    return buffer.getvalue()


def tidy_and_encode(audio: Audio) -> bytes:
    """OGG whose decoded sound is at the one loudness with peaks under the ceiling. Vorbis overshoots
    peaks by a few tenths of a dB and drops some of the treble BS.1770 weighs ("six" came out 1 LU
    quiet), so both are measured after decoding and corrected until they hold."""
    ceiling, target = loudness.PEAK_DBFS - 0.3, loudness.TARGET_LUFS  # -0.3: what Vorbis usually overshoots
    for _ in range(6):
        data = encode_ogg(Audio(loudness.tidy(audio.samples, audio.rate, target, ceiling), audio.rate))
        decoded = decode(data)
        peak = 20 * np.log10(max(float(np.abs(decoded.samples).max()) if decoded.samples.size else 0.0, 1e-9))
        level = loudness.integrated_loudness(decoded.samples, decoded.rate)
        if not np.isfinite(level):
            return data  # silence: measure() says so
        if peak <= loudness.PEAK_DBFS and abs(level - loudness.TARGET_LUFS) <= 0.2:
            return data
        if peak > loudness.PEAK_DBFS:
            ceiling -= peak - loudness.PEAK_DBFS + 0.1
        target += loudness.TARGET_LUFS - level
    return data  # measure() refuses it if it still misses


def measure(data: bytes) -> dict:
    """Decode a finished clip and check it sounds like speech at the one loudness; raises SynthesisError if not."""
    audio = decode(data)
    duration = len(audio.samples) / audio.rate
    lufs = loudness.integrated_loudness(audio.samples, audio.rate)
    peak_dbfs = 20 * np.log10(max(float(np.abs(audio.samples).max()) if audio.samples.size else 0.0, 1e-9))
    if not MIN_DURATION_S <= duration <= MAX_DURATION_S:
        raise SynthesisError(f"implausible length {duration:.2f} s")
    if peak_dbfs > loudness.PEAK_DBFS + 0.01:
        raise SynthesisError(f"peaks at {peak_dbfs:.2f} dBFS, over {loudness.PEAK_DBFS:.0f}")
    if not abs(lufs - loudness.TARGET_LUFS) <= MAX_LOUDNESS_ERROR_LU:
        raise SynthesisError(f"loudness {lufs:.1f} LUFS, not {loudness.TARGET_LUFS:.0f}: too quiet or silent")
    return {
        "duration_s": round(duration, 3),
        "loudness_lufs": round(lufs, 2),
        "peak_dbfs": round(peak_dbfs, 2),
        "sample_rate": audio.rate,
        "head_s": loudness.HEAD_S,
        "tail_s": loudness.TAIL_S,
    }


class Renderer:
    """Picks the engine per phrase: gTTS while it works (auto, gtts), else the best offline engine that renders."""

    def __init__(
        self,
        engine: str = "auto",
        gtts=synthesize_gtts,
        offline=synthesize_offline,
        sleep=time.sleep,
        spanish: str = "spain",
    ):
        self.engine, self.gtts, self.offline, self.sleep = engine, gtts, offline, sleep
        self.latin_american = spanish == "latin-america"
        self.gtts_usable = engine in ("auto", "gtts")
        self.offline_engines = ENGINES if engine in ("auto", "offline") else tuple(e for e in ENGINES if e == engine)
        self._last_request = 0.0
        self._failed_engines: set[str] = set()
        self._failures_in_a_row: dict[str, int] = {}

    def best_engine(self) -> str | None:
        """The best engine this run may use (what a clip must match or beat to be kept)."""
        if self.gtts_usable:
            return "gtts"
        return next((e for e in self.offline_engines if e not in self._failed_engines and installed(e)), None)

    def recipe(self, engine: str, lang: str, phrase_id: str) -> dict | None:
        """The voice and settings this run renders a phrase with on engine (None: unknown until rendered)."""
        if engine == "gtts":
            return {"voice": f"{lang}-{self._tld(lang)}", "settings": {"tld": self._tld(lang)}}
        rendering = engine_command(engine, Path("text"), lang, Path("out"), style_of(phrase_id), self.latin_american)
        return {"voice": rendering.voice, "settings": rendering.settings}

    def _tld(self, lang: str) -> str:
        return GTTS_LATIN_AMERICAN if lang == "es" and self.latin_american else GTTS_TLD.get(lang, "com")

    def render(self, text: str, lang: str, phrase_id: str = "") -> Clip:
        """The clip for text; raises SynthesisError when no engine could render it."""
        if self.gtts_usable:
            try:
                audio = self._gtts_with_retry(text, lang)
                recipe = self.recipe("gtts", lang, phrase_id)
                return Clip(tidy_and_encode(audio), "gtts", recipe["voice"], recipe["settings"])
            except SynthesisError as error:
                if self.engine == "gtts":
                    raise SynthesisError(
                        f"{error}. gTTS needs the internet: connect, or use --engine offline"
                    ) from error
                self.gtts_usable = False  # one clear message, then offline for the rest of the run
                print(
                    f"gTTS is unavailable ({error}); rendering with the offline engines instead. "
                    "Run this again when online for natural voices.",
                    file=sys.stderr,
                )
        problems = []
        for engine in self.offline_engines:
            if engine in self._failed_engines or not installed(engine):
                continue
            try:
                audio, recipe = self._offline_with_retry(text, lang, style_of(phrase_id), engine)
                self._failures_in_a_row[engine] = 0
                return Clip(tidy_and_encode(audio), engine, recipe["voice"], recipe["settings"])
            except SynthesisError as error:
                problems.append(f"{engine}: {error}")
                self._failures_in_a_row[engine] = self._failures_in_a_row.get(engine, 0) + 1
                if self._failures_in_a_row[engine] >= ENGINE_FAILURES_TO_GIVE_UP:  # a hung engine costs 40 s a phrase
                    self._failed_engines.add(engine)
                    print(
                        f"{engine} failed {ENGINE_FAILURES_TO_GIVE_UP} times in a row ({error}); "
                        "not asked again in this run",
                        file=sys.stderr,
                    )
        if not problems:
            raise SynthesisError(
                "no offline speech engine: pip install py-nanotts (Pico), or sudo apt-get install espeak-ng"
            )
        raise SynthesisError("; ".join(problems))

    def _gtts_with_retry(self, text: str, lang: str) -> Audio:
        for attempt in range(GTTS_RETRIES):
            wait = self._last_request + GTTS_MIN_INTERVAL_S - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._last_request = time.monotonic()
            try:
                return self.gtts(text, lang, self._tld(lang))
            except SynthesisError as error:
                if not error.retryable or attempt == GTTS_RETRIES - 1:
                    raise
                backoff = 2**attempt + random.uniform(0, 0.5)  # jitter: never retry in lockstep
                print(f"gTTS busy ({error}); retrying in {backoff:.1f} s", file=sys.stderr)
                self.sleep(backoff)
        raise AssertionError("unreachable")

    def _offline_with_retry(self, text: str, lang: str, style: str, engine: str) -> tuple[Audio, dict]:
        try:
            return self.offline(text, lang, style, engine, self.latin_american)
        except SynthesisError as error:
            if not error.retryable:
                raise
            return self.offline(text, lang, style, engine, self.latin_american)  # a hung or silent engine: once more
