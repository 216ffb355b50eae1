"""One loudness: the kiosk's BS.1770 meter against pyloudnorm, the limiter, the fixed head and tail, and
every shipped clip measured."""
import io
import json

import numpy as np
import pytest
import soundfile

from conftest import PROJECT_ROOT
from kiosk.voice import loudness

pyloudnorm = pytest.importorskip("pyloudnorm")  # a dev dependency: scripts/test.sh installs it
SHIPPED = PROJECT_ROOT / "voice_cache"
MANIFEST = json.loads((SHIPPED / "manifest.json").read_text(encoding="utf-8"))


def reference(samples: np.ndarray, rate: int) -> float:
    meter = pyloudnorm.Meter(rate, filter_class="DeMan", block_size=min(0.4, len(samples) / rate))  # BS.1770's filter
    return meter.integrated_loudness(np.asarray(samples, dtype=np.float64))


def speechlike(rate: int, seconds: float, seed: int = 0) -> np.ndarray:
    """Noise bursts shaped like syllables, with pauses: something the gates have work to do on."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    envelope = np.clip(np.sin(2 * np.pi * 3.5 * t), 0, None) ** 2 * (t % 1.0 < 0.7)
    return (rng.normal(0, 0.2, t.size) * envelope + 0.1 * np.sin(2 * np.pi * 220 * t) * envelope).astype(np.float32)


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100, 48000])
@pytest.mark.parametrize("seconds", [0.25, 1.3, 3.0])
def test_the_meter_agrees_with_pyloudnorm(rate, seconds):
    samples = speechlike(rate, seconds)
    assert loudness.integrated_loudness(samples, rate) == pytest.approx(reference(samples, rate), abs=0.05)


def test_the_meter_knows_a_1khz_tone_and_silence():
    rate = 48000
    tone = 0.1 * np.sin(2 * np.pi * 1000 * np.arange(rate * 2) / rate)  # BS.1770: -20 dBFS RMS-ish tone at 1 kHz
    assert loudness.integrated_loudness(tone, rate) == pytest.approx(reference(tone, rate), abs=0.01)
    assert loudness.integrated_loudness(np.zeros(rate), rate) == float("-inf")


def test_tidy_sets_the_loudness_keeps_peaks_under_the_ceiling_and_fixes_head_and_tail():
    rate = 16000
    quiet = np.concatenate([np.zeros(rate), 0.05 * speechlike(rate, 1.0), np.zeros(rate // 3)])  # 25 dB under
    peaky = speechlike(rate, 1.0, seed=1)
    peaky[rate // 2] = 1.0  # one click: gain to the target would push it far over the ceiling
    for samples in (quiet, peaky):
        out = loudness.tidy(samples, rate)
        assert reference(out, rate) == pytest.approx(loudness.TARGET_LUFS, abs=0.2)
        assert 20 * np.log10(np.abs(out).max()) <= loudness.PEAK_DBFS
        head, tail = int(loudness.HEAD_S * rate), int(loudness.TAIL_S * rate)
        assert not out[:head].any() and not out[-tail:].any(), "exactly the fixed silence at both ends"
        assert abs(out[head]) > 0 and abs(out[-tail - 1]) > 0, "and sound right inside it"


def test_the_limiter_only_touches_what_is_over_the_ceiling():
    rate = 16000
    samples = 0.3 * np.sin(2 * np.pi * 200 * np.arange(rate) / rate)
    samples[8000] = 0.99
    limited = loudness.limit_peaks(samples, rate)
    assert np.abs(limited).max() <= 10 ** (loudness.PEAK_DBFS / 20)
    far = np.r_[0:7000, 9000:rate]
    assert np.array_equal(limited[far], samples[far]), "away from the click, nothing changes"
    quiet = samples * 0.5
    assert np.array_equal(loudness.limit_peaks(quiet, rate), quiet), "nothing over the ceiling: nothing changes"


def test_a_clip_already_at_the_target_is_still_limited_and_hiss_is_not_made_loud():
    rate = 16000
    samples = speechlike(rate, 1.0, seed=2)
    samples = samples * 10 ** ((loudness.TARGET_LUFS - loudness.integrated_loudness(samples, rate)) / 20)
    samples[rate // 3] = 1.0  # at the target already, with one click at full scale
    assert 20 * np.log10(np.abs(loudness.tidy(samples, rate)).max()) <= loudness.PEAK_DBFS
    hiss = np.random.default_rng(0).normal(0, 10 ** (-62 / 20), rate).astype(np.float32)
    assert reference(loudness.tidy(hiss, rate), rate) <= reference(hiss, rate) + loudness.MAX_GAIN_DB + 0.1


def test_wav_files_round_trip_and_a_broken_one_says_so(tmp_path):
    samples = speechlike(16000, 0.5)
    loudness.write_wav(tmp_path / "a.wav", samples, 16000)
    back, rate = loudness.read_wav(tmp_path / "a.wav")
    assert rate == 16000 and np.abs(back - samples).max() < 1e-4
    (tmp_path / "b.wav").write_bytes(b"RIFF" + bytes(100))
    with pytest.raises(ValueError, match="not a WAV"):
        loudness.read_wav(tmp_path / "b.wav")


def _clip(entry) -> tuple[np.ndarray, int]:
    samples, rate = soundfile.read(io.BytesIO((SHIPPED / entry["file"]).read_bytes()), dtype="float64")
    return samples, rate


def test_every_shipped_clip_is_at_the_one_loudness():
    levels = []
    for entry in MANIFEST["clips"]:
        samples, rate = _clip(entry)
        level = reference(samples, rate)
        assert abs(level - loudness.TARGET_LUFS) <= 1.0, f"{entry['file']}: {level:.2f} LUFS"
        assert 20 * np.log10(np.abs(samples).max()) <= loudness.PEAK_DBFS + 0.01, f"{entry['file']}: peak"
        assert entry["loudness_lufs"] == pytest.approx(level, abs=0.05), "the manifest says what the clip is"
        levels.append(level)
    assert max(levels) - min(levels) <= 2.0 and len(levels) == len(MANIFEST["clips"]) > 200


def test_the_shipped_cache_is_pico_with_its_settings_recorded():
    assert MANIFEST["engines"] == ["pico"] and MANIFEST["target_lufs"] == loudness.TARGET_LUFS
    for entry in MANIFEST["clips"]:
        assert entry["engine"] == "pico" and entry["voice"] in ("en-US", "es-ES", "fr-FR")
        assert set(entry["settings"]) == {"speed", "pitch", "volume"}


@pytest.mark.parametrize("lang,low,high", [("en", 0.4, 5.0), ("es", 0.3, 5.3), ("fr", 0.15, 4.0)])  # "un" is short
def test_shipped_clips_last_a_plausible_time_per_language(lang, low, high):
    for entry in (e for e in MANIFEST["clips"] if e["lang"] == lang):
        samples, rate = _clip(entry)
        assert low <= len(samples) / rate - loudness.HEAD_S - loudness.TAIL_S <= high, entry["file"]
