"""One loudness for every voice: ITU-R BS.1770 integrated loudness, and the clip tidying that uses it.

The cache builder and the kiosk's live speech both call tidy(), so a cached clip and a live one sound
equally loud. numpy only (the kiosk has no scipy): the K-weighting filter is applied in the frequency
domain, which gives the loudness pyloudnorm's BS.1770 filter ("DeMan") gives in the time domain
(tests/kiosk/voice hold it to 0.05 LU).
"""

from __future__ import annotations

import numpy as np

TARGET_LUFS = -16.0  # speech for a noisy hall: as loud as the loudest espeak-ng clips were, never clipped
PEAK_DBFS = -1.0  # sample peaks stay at or below this after the gain
HEAD_S, TAIL_S = (
    0.01,
    0.12,
)  # silence before the first sound (short: it is latency) and after the last: every clip alike
SILENCE = 0.01  # below 1% of the clip's peak (-40 dB) counts as silence at the ends
BLOCK_S, STEP_S = 0.4, 0.1  # BS.1770 gating blocks: 400 ms, 75% overlap
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
LIMITER_S = 0.0025  # the peak limiter looks this far around each sample
MAX_GAIN_DB = 30.0  # a near-silent render is not turned into loud hiss


def _biquad_response(b: tuple[float, float, float], a: tuple[float, float, float], omega: np.ndarray) -> np.ndarray:
    z = np.exp(-1j * omega)
    return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)


def k_weighting(rate: int, omega: np.ndarray) -> np.ndarray:
    """BS.1770's two stages (a high shelf for the head, a high pass), derived for any sample rate."""
    # the shelf: +4 dB above ~1.7 kHz
    k = np.tan(np.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = _biquad_response(
        ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
        (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0),
        omega,
    )
    # the high pass at 38 Hz
    k = np.tan(np.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    high_pass = _biquad_response((1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), omega)
    return shelf * high_pass


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS of a mono clip (float, full scale 1.0); -inf for silence.

    A clip shorter than one 400 ms block is measured as one block of its own length."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return float("-inf")
    size = 1 << int(np.ceil(np.log2(x.size + rate // 4)))  # room for the filter's ringing (it dies in ms)
    spectrum = np.fft.rfft(x, size) * k_weighting(rate, np.linspace(0, np.pi, size // 2 + 1))
    weighted = np.fft.irfft(spectrum, size)[: x.size]
    block_s = min(BLOCK_S, x.size / rate)  # a clip shorter than a block is one block
    step_s = block_s * STEP_S / BLOCK_S
    count = int(np.round((x.size / rate - block_s) / step_s)) + 1  # BS.1770's eq. 3, as pyloudnorm counts
    energy = np.concatenate([[0.0], np.cumsum(weighted * weighted)])
    lower = np.minimum((block_s * np.arange(count) * STEP_S / BLOCK_S * rate).astype(int), x.size)
    upper = np.minimum((block_s * (np.arange(count) * STEP_S / BLOCK_S + 1) * rate).astype(int), x.size)
    z = (energy[upper] - energy[lower]) / (block_s * rate)
    with np.errstate(divide="ignore"):
        level = -0.691 + 10 * np.log10(z)
    z = z[level >= ABSOLUTE_GATE]
    if z.size == 0:
        return float("-inf")
    with np.errstate(divide="ignore"):
        relative = -0.691 + 10 * np.log10(z.mean()) + RELATIVE_GATE
        z = z[-0.691 + 10 * np.log10(z) > relative]
    return float(-0.691 + 10 * np.log10(z.mean()))


def limit_peaks(samples: np.ndarray, rate: int, peak_dbfs: float = PEAK_DBFS) -> np.ndarray:
    """A look-ahead peak limiter: the gain dips smoothly around any sample above the ceiling, so none is."""
    ceiling = 10 ** (peak_dbfs / 20) * 0.999  # a hair under: float32 rounding must not land above
    magnitude = np.abs(samples)
    if magnitude.size == 0 or magnitude.max() <= ceiling:
        return samples
    needed = np.minimum(1.0, ceiling / np.maximum(magnitude, 1e-12))
    radius = max(1, int(LIMITER_S * rate))
    # the least gain within radius of each sample, then averaged over half that: never above what any sample needs
    lowest = np.lib.stride_tricks.sliding_window_view(np.pad(needed, radius, constant_values=1.0), 2 * radius + 1).min(
        axis=1
    )
    half = max(1, radius // 2)
    smooth = np.convolve(np.pad(lowest, half, mode="edge"), np.full(2 * half + 1, 1.0 / (2 * half + 1)), mode="valid")
    return samples * np.minimum(smooth, needed)


def trim(samples: np.ndarray, rate: int) -> np.ndarray:
    """The sound with exactly HEAD_S of silence before it and TAIL_S after."""
    magnitude = np.abs(samples)
    loud = np.flatnonzero(magnitude > SILENCE * magnitude.max()) if magnitude.size and magnitude.max() > 0 else []
    if len(loud) == 0:
        return samples[:0]
    sound = samples[loud[0] : loud[-1] + 1]
    return np.concatenate(
        [np.zeros(int(HEAD_S * rate), samples.dtype), sound, np.zeros(int(TAIL_S * rate), samples.dtype)]
    )


def tidy(samples: np.ndarray, rate: int, target_lufs: float = TARGET_LUFS, peak_dbfs: float = PEAK_DBFS) -> np.ndarray:
    """Trimmed to the fixed head and tail, at target_lufs, peaks at or below PEAK_DBFS (float32).

    The limiter takes a little loudness off the peakiest clips, so the gain is corrected again (a few rounds)."""
    out = trim(np.asarray(samples, dtype=np.float64), rate)
    loudness = integrated_loudness(out, rate)
    goal = min(target_lufs, loudness + MAX_GAIN_DB)  # -inf for silence
    for _ in range(6):
        if not np.isfinite(loudness) or abs(loudness - goal) < 0.05:
            break  # silence, or there
        out = limit_peaks(out * 10 ** ((goal - loudness) / 20), rate, peak_dbfs)
        loudness = integrated_loudness(out, rate)
    return limit_peaks(out, rate, peak_dbfs).astype(np.float32)  # a clip already at the target may still peak


def read_wav(path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV (what every offline engine writes) as float mono and its rate; ValueError if it is not one."""
    import wave

    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise ValueError(f"{path}: {8 * wav.getsampwidth()}-bit samples, not 16")
            channels, rate = wav.getnchannels(), wav.getframerate()
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    except (wave.Error, EOFError) as error:
        raise ValueError(f"{path}: not a WAV file ({error})") from error
    return pcm.reshape(-1, channels).mean(axis=1).astype(np.float32) / 32768.0, rate


def write_wav(path, samples: np.ndarray, rate: int) -> None:
    import wave

    pcm = np.clip(np.round(np.asarray(samples) * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def tidy_wav_file(path, out=None) -> None:
    """Live speech the same as the cached clips: the WAV file trimmed and set to the one loudness.

    Written to out, or in place."""
    samples, rate = read_wav(path)
    if rate <= 0 or samples.size == 0:
        raise ValueError(f"{path}: no sound in it (rate {rate}, {samples.size} samples)")
    write_wav(out or path, tidy(samples, rate), rate)
