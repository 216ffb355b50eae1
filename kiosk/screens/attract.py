"""The attract loop shown when nobody has touched the kiosk for a while: a ghost hand draws digits."""
from __future__ import annotations

import math

from kiosk.recognition.example_digits import smooth

# Digits as strokes in a unit square (x right, y down), traced one after another.
_CONTROL_POINTS = {
    2: [[(0.2, 0.3), (0.3, 0.12), (0.5, 0.05), (0.7, 0.12), (0.75, 0.3), (0.6, 0.5), (0.2, 0.92), (0.8, 0.92)]],
    7: [[(0.2, 0.08), (0.8, 0.08), (0.5, 0.5), (0.35, 0.92)]],
    3: [[(0.25, 0.15), (0.5, 0.05), (0.72, 0.2), (0.5, 0.45), (0.75, 0.65), (0.55, 0.92), (0.25, 0.85)]],
    0: [[(0.5 + 0.3 * math.sin(a), 0.5 - 0.42 * math.cos(a)) for a in (i * math.pi / 12 for i in range(25))]],
}
GHOST_DIGITS = {digit: [smooth(stroke) for stroke in strokes] for digit, strokes in _CONTROL_POINTS.items()}
# Segment lengths per stroke, worked out once: the loop asks for them every frame for hours.
_LENGTHS = {digit: [[math.dist(a, b) for a, b in zip(stroke, stroke[1:])] for stroke in strokes]
            for digit, strokes in GHOST_DIGITS.items()}
SECONDS_PER_DIGIT = 3.0


def ghost_strokes(elapsed_s: float) -> tuple[int, list[list[tuple[float, float]]]]:
    """The digit being traced at elapsed_s and the part of its strokes drawn so far (unit square)."""
    digits = list(GHOST_DIGITS)
    index = int(elapsed_s // SECONDS_PER_DIGIT) % len(digits)
    progress = min(1.0, (elapsed_s % SECONDS_PER_DIGIT) / (SECONDS_PER_DIGIT * 0.7))
    digit = digits[index]
    drawn = []
    for stroke, lengths in zip(GHOST_DIGITS[digit], _LENGTHS[digit]):
        budget = progress * sum(lengths)
        partial = [stroke[0]]
        for (a, b), length in zip(zip(stroke, stroke[1:]), lengths):
            if budget <= 0:
                break
            t = min(1.0, budget / length) if length else 1.0
            partial.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
            budget -= length
        drawn.append(partial)
    return digit, drawn
