"""Example digits written for this kiosk (no MNIST images are shipped): strokes in a unit square.

Each digit comes in two common ways of writing it, American and European, so children see that
people write numbers differently, and that the computer can read both.
"""
from __future__ import annotations

import functools
import math

import numpy as np


def smooth(stroke: list[tuple[float, float]], rounds: int = 3) -> list[tuple[float, float]]:
    """Chaikin corner cutting: a hand-drawn curve from a few control points."""
    for _ in range(rounds):
        cut = [stroke[0]]
        for (ax, ay), (bx, by) in zip(stroke, stroke[1:]):
            cut += [(0.75 * ax + 0.25 * bx, 0.75 * ay + 0.25 * by), (0.25 * ax + 0.75 * bx, 0.25 * ay + 0.75 * by)]
        stroke = cut + [stroke[-1]]
    return stroke


_OVAL = [(0.5 + 0.3 * math.sin(a), 0.5 - 0.44 * math.cos(a)) for a in (i * math.pi / 12 for i in range(25))]

# digit -> list of styles; a style is a list of strokes; a stroke is control points (x right, y down).
_CONTROL_POINTS = {
    0: [[_OVAL], [_OVAL, [(0.3, 0.85), (0.7, 0.15)]]],
    1: [[[(0.5, 0.05), (0.5, 0.95)]], [[(0.25, 0.35), (0.55, 0.05), (0.55, 0.95)]]],
    2: [
        [[(0.22, 0.3), (0.3, 0.1), (0.5, 0.04), (0.72, 0.12), (0.76, 0.32), (0.6, 0.52), (0.2, 0.93), (0.8, 0.93)]],
        [[(0.25, 0.25), (0.45, 0.06), (0.7, 0.15), (0.65, 0.4), (0.3, 0.85), (0.2, 0.93), (0.35, 0.8), (0.45, 0.93),
          (0.8, 0.93)]],
    ],
    3: [
        [[(0.25, 0.15), (0.5, 0.04), (0.74, 0.2), (0.5, 0.46), (0.76, 0.66), (0.55, 0.94), (0.25, 0.85)]],
        [[(0.25, 0.08), (0.75, 0.08), (0.45, 0.42), (0.75, 0.62), (0.6, 0.92), (0.25, 0.86)]],
    ],
    4: [
        [[(0.62, 0.05), (0.15, 0.66), (0.85, 0.66)], [(0.62, 0.3), (0.62, 0.95)]],
        [[(0.3, 0.05), (0.2, 0.55), (0.8, 0.55)], [(0.65, 0.25), (0.65, 0.95)]],
    ],
    5: [
        [[(0.75, 0.07), (0.3, 0.07), (0.27, 0.45), (0.55, 0.38), (0.76, 0.6), (0.6, 0.92), (0.25, 0.88)]],
        [[(0.3, 0.07), (0.27, 0.45), (0.55, 0.38), (0.76, 0.6), (0.6, 0.92), (0.25, 0.88)],
         [(0.3, 0.07), (0.75, 0.07)]],
    ],
    6: [
        [[(0.7, 0.06), (0.42, 0.28), (0.26, 0.62), (0.4, 0.93), (0.66, 0.88), (0.73, 0.66), (0.5, 0.5), (0.28, 0.64)]],
        [[(0.62, 0.05), (0.35, 0.4), (0.3, 0.75), (0.5, 0.94), (0.7, 0.75), (0.5, 0.55), (0.32, 0.68)]],
    ],
    7: [
        [[(0.2, 0.08), (0.8, 0.08), (0.45, 0.94)]],
        [[(0.2, 0.08), (0.8, 0.08), (0.45, 0.94)], [(0.38, 0.5), (0.78, 0.5)]],
    ],
    8: [
        [[(0.7, 0.2), (0.5, 0.05), (0.3, 0.2), (0.5, 0.46), (0.72, 0.7), (0.5, 0.95), (0.28, 0.7), (0.5, 0.46),
          (0.7, 0.2)]],
        [[(0.5, 0.46), (0.3, 0.25), (0.5, 0.05), (0.7, 0.25), (0.5, 0.46), (0.3, 0.7), (0.5, 0.95), (0.7, 0.7),
          (0.5, 0.46)]],
    ],
    9: [
        [[(0.7, 0.22), (0.5, 0.06), (0.3, 0.22), (0.45, 0.45), (0.7, 0.3), (0.7, 0.22), (0.68, 0.95)]],
        [[(0.7, 0.22), (0.5, 0.06), (0.3, 0.22), (0.45, 0.45), (0.7, 0.3), (0.7, 0.22), (0.62, 0.8), (0.4, 0.94)]],
    ],
}

EXAMPLES = {
    digit: [[smooth(stroke) for stroke in style] for style in styles] for digit, styles in _CONTROL_POINTS.items()
}


@functools.cache
def example_images() -> tuple[np.ndarray, np.ndarray]:
    """Every example as the models see it: images (N, 28, 28) uint8 and their digits (N,) int.

    The load check runs real drawings, not a blank picture: a model can be fine on blank and NaN on ink.
    """
    from kiosk.recognition.preprocess import clean_strokes, strokes_to_image

    images, digits = [], []
    for digit, styles in EXAMPLES.items():
        for style in styles:
            pixels = [[(400 * x, 400 * y) for x, y in stroke] for stroke in style]  # a canvas-sized drawing
            images.append(strokes_to_image(clean_strokes(pixels)))
            digits.append(digit)
    images_array, digits_array = np.stack(images), np.array(digits)
    images_array.flags.writeable = digits_array.flags.writeable = False  # shared by every check: never edited
    return images_array, digits_array
