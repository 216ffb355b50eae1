"""Little sounds made from numbers, not files: a soft blip per counting dot, and a happy rising "yay".

22.05 kHz mono int16, as the mixer is opened; made once and kept.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

RATE = 22050
_NOTES = {"dot": [(880.0, 0.07)], "yay": [(523.3, 0.09), (659.3, 0.09), (784.0, 0.09), (1046.5, 0.22)]}  # C E G C


@lru_cache(maxsize=None)
def sound(name: str) -> np.ndarray:
    """The samples of a chime; a quiet blip for an unknown name."""
    parts = []
    for frequency, seconds in _NOTES.get(name, _NOTES["dot"]):
        t = np.arange(int(RATE * seconds)) / RATE
        envelope = np.minimum(1.0, t / 0.005) * np.exp(-t / (seconds / 3))  # a quick attack, a soft fall
        parts.append(np.sin(2 * np.pi * frequency * t) * envelope)
    return (np.concatenate(parts) * 0.5 * 32767).astype(np.int16)
