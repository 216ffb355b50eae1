"""Pictures that are not numbers, for teaching "that's not a number": what children draw besides digits.

Shapes and doodles are made as pen strokes (then drawn by the kiosk's own preprocessing), and letters
come from OpenCV's stroke fonts with a hand's jitter, so the model meets many more hands than the 13
writers of the drawn letters. No circles, ovals or single lines: a circle is a fine 0 and a line a 1.
(The makers left out of SHAPES stay for tests and measuring.)
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.preprocess import PEN_WIDTH_FRACTION, fit_and_center, strokes_to_image
from trainer.drawings import NOT_DIGIT_TRAINING, jittered, on_canvas


def _polyline(points, steps: int = 12) -> np.ndarray:
    points = np.asarray(points, np.float64)
    return np.concatenate(
        [np.linspace(points[i], points[i + 1], steps, endpoint=False) for i in range(len(points) - 1)] + [points[-1:]]
    )


def _circle(cx, cy, r, start=0.0, end=2 * np.pi, n=40) -> np.ndarray:
    t = np.linspace(start, end, n)
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1)


def scribble(rng):
    steps = rng.normal(0, 1, (int(rng.integers(30, 90)), 2))
    path = np.cumsum(steps, axis=0)
    path = cv2.GaussianBlur(path.reshape(-1, 1, 2), (1, 5), 0).reshape(-1, 2)  # a hand's path is smooth
    return [path]


def zigzag(rng):
    k = int(rng.integers(4, 9))
    xs = np.linspace(0, 1, k + 1)
    ys = np.where(np.arange(k + 1) % 2, 0.0, 1.0) * rng.uniform(0.4, 1.0)
    return [_polyline(np.stack([xs, ys], 1))]


def spiral(rng):
    turns = rng.uniform(2.0, 4.0)
    t = np.linspace(0, 2 * np.pi * turns, int(60 * turns))
    r = 0.05 + 0.45 * t / t[-1]
    return [np.stack([r * np.cos(t), r * np.sin(t)], 1)]


def square(rng):
    w, h = 1.0, rng.uniform(0.6, 1.0)
    return [_polyline([(0, 0), (w, 0), (w, h), (0, h), (0, 0)])]


def triangle(rng):
    return [_polyline([(0, 1), (rng.uniform(0.3, 0.7), 0), (1, 1), (0, 1)])]


def star(rng):
    angles = np.pi / 2 + np.arange(6) * 4 * np.pi / 5
    return [_polyline(np.stack([np.cos(angles), -np.sin(angles)], 1))]


def heart(rng):
    t = np.linspace(0, 2 * np.pi, 60)
    return [
        np.stack([16 * np.sin(t) ** 3, -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))], 1)
    ]


def face(rng):
    eyes = [_circle(-0.35, -0.3, 0.08, n=12), _circle(0.35, -0.3, 0.08, n=12)]
    mouth = _circle(0, 0.1, 0.45, 0.2 * np.pi, 0.8 * np.pi, 20)
    return [_circle(0, 0, 1.0)] + eyes + [mouth]


def cross(rng):
    return [_polyline([(0, 0), (1, 1)]), _polyline([(1, 0), (0, 1)])]


def plus(rng):
    return [_polyline([(0.5, 0), (0.5, 1)]), _polyline([(0, 0.5), (1, 0.5)])]


def hash_sign(rng):
    return [
        _polyline([(0.3, 0), (0.25, 1)]),
        _polyline([(0.75, 0), (0.7, 1)]),
        _polyline([(0, 0.33), (1, 0.33)]),
        _polyline([(0, 0.67), (1, 0.67)]),
    ]


def wave(rng):
    t = np.linspace(0, 2 * np.pi * rng.uniform(1.5, 3), 60)
    return [np.stack([t, np.sin(t) * rng.uniform(0.5, 1.5)], 1)]


def house(rng):
    return [_polyline([(0, 0.4), (0.5, 0), (1, 0.4), (1, 1), (0, 1), (0, 0.4), (1, 0.4)])]


def sun(rng):
    rays = [
        _polyline([(np.cos(a) * 0.6, np.sin(a) * 0.6), (np.cos(a), np.sin(a))], 4) for a in np.arange(8) * np.pi / 4
    ]
    return [_circle(0, 0, 0.45)] + rays


def flower(rng):
    petals = [_circle(0.35 * np.cos(a), 0.35 * np.sin(a), 0.22, n=20) for a in np.arange(5) * 2 * np.pi / 5]
    return petals + [_polyline([(0, 0.55), (0.05, 1.6)])]


# Left out: zig-zags, waves and spirals (a 2, a ~ and a 6 are near), a plus and a triangle (a 4 is near), and
# faces, suns and flowers: a big ring with a little inside taught the gate to doubt round 0s (cross-validated).
SHAPES = (scribble, square, star, heart, cross, hash_sign, house)
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_COMPLEX,  # single-line fonts: a pen, not a brush
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
)


def _unit(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Scaled so the longest side spans 0..1, as the drawn sets are."""
    points = np.concatenate(strokes)
    low, extent = points.min(axis=0), float((points.max(axis=0) - points.min(axis=0)).max()) or 1.0
    return [((s - low) / extent).astype(np.float32) for s in strokes]


def shape_image(rng: np.random.Generator) -> np.ndarray:
    maker = SHAPES[int(rng.integers(len(SHAPES)))]
    strokes = jittered(_unit(maker(rng)), rng, strength=1.3)
    return strokes_to_image(on_canvas(strokes, rng))


def font_letter_image(rng: np.random.Generator, letters: str = NOT_DIGIT_TRAINING) -> np.ndarray:
    """A letter in one of OpenCV's stroke fonts, slanted, stretched and wobbled, at a finger's pen width."""
    letter = letters[int(rng.integers(len(letters)))]
    font = FONTS[int(rng.integers(len(FONTS)))]
    canvas = np.zeros((224, 224), np.uint8)
    (w, h), _ = cv2.getTextSize(letter, font, 4.0, 1)
    scale = 4.0 * 150 / max(w, h)
    thickness = max(2, int(PEN_WIDTH_FRACTION * 150 * rng.uniform(0.5, 0.9)))
    (w, h), _ = cv2.getTextSize(letter, font, scale, thickness)
    cv2.putText(canvas, letter, ((224 - w) // 2, (224 + h) // 2), font, scale, 255, thickness, cv2.LINE_AA)
    angle, shear = rng.uniform(-15, 15), rng.uniform(-0.3, 0.3)
    matrix = cv2.getRotationMatrix2D((112, 112), angle, 1.0)
    matrix[0, 1] += shear
    matrix[:, :2] *= np.exp(rng.uniform(-0.2, 0.2, (2, 1)))
    warped = cv2.warpAffine(canvas, matrix, (224, 224))
    return fit_and_center(warped)


def images(count: int, rng: np.random.Generator, font_share: float = 0.4) -> np.ndarray:
    """count pictures that are not numbers: doodles and shapes, and stroke-font letters (font_share of them)."""
    out = np.zeros((count, 28, 28), np.uint8)
    i = 0
    while i < count:
        try:
            out[i] = font_letter_image(rng) if rng.random() < font_share else shape_image(rng)
        except EmptyDrawing:
            continue
        i += 1
    return out
