"""Writing styles MNIST (American census workers and students) lacks but museum visitors use.

Many Europeans write a 1 with a long flag, cross the stem of a 7, slash a 0 (diagonally, or
upright like a phi) and loop the foot of a 2; a model that never saw them reads such a 1 as a 7
or a 4, and a slashed 0 or looped 2 as an 8. We add those strokes to copies of MNIST digits. This is
domain knowledge about handwriting, not a fit to any test drawings.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.preprocess import fit_and_center

_SHIFT_BITS = 4  # sub-pixel precision for cv2 drawing
_INK_THRESHOLD = 96


def _line(image: np.ndarray, start: tuple[float, float], end: tuple[float, float], thickness: int) -> None:
    scale = 1 << _SHIFT_BITS
    p0 = (round(start[0] * scale), round(start[1] * scale))
    p1 = (round(end[0] * scale), round(end[1] * scale))
    cv2.line(image, p0, p1, 255, thickness, cv2.LINE_AA, _SHIFT_BITS)


def _ink_box(image: np.ndarray) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero((image > _INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((image > _INK_THRESHOLD).any(axis=0))
    if len(rows) == 0:
        return None
    return rows[0], rows[-1], cols[0], cols[-1]


@dataclass(frozen=True)
class _Ink:
    """The ink's bounding box on the 4x canvas, and the pen thickness for the added stroke."""

    top: float
    bottom: float
    left: float
    right: float
    thickness: int

    @property
    def height(self) -> float:
        return self.bottom - self.top + 4

    @property
    def width(self) -> float:
        return self.right - self.left + 4


def _mean_col(rows: np.ndarray, fallback: float) -> float:
    cols = np.flatnonzero(rows.max(axis=0) > _INK_THRESHOLD) if rows.size else []
    return float(np.mean(cols)) if len(cols) else fallback


def _flag_one(big: np.ndarray, ink: _Ink, rng: np.random.Generator) -> None:
    # A long flag from the top of the stem steeply down to the left; now and then a foot.
    x0 = _mean_col(big[int(ink.top) : int(ink.top) + 8], (ink.left + ink.right) / 2)
    length = rng.uniform(0.3, 0.8) * ink.height
    angle = np.deg2rad(rng.uniform(30, 70))
    _line(big, (x0, ink.top + 2), (x0 - length * np.cos(angle), ink.top + 2 + length * np.sin(angle)), ink.thickness)
    if rng.random() < 0.15:
        x1 = _mean_col(big[int(ink.bottom) - 8 : int(ink.bottom) + 1], (ink.left + ink.right) / 2)
        half = rng.uniform(0.15, 0.25) * ink.height
        _line(big, (x1 - half, ink.bottom - 2), (x1 + half, ink.bottom - 2), ink.thickness)


def _cross_seven(big: np.ndarray, ink: _Ink, rng: np.random.Generator) -> None:
    # A short bar across the stem, a little below the middle.
    y = ink.top + rng.uniform(0.4, 0.6) * ink.height
    x_mid = _mean_col(big[int(y) : int(y) + 1], (ink.left + ink.right) / 2)
    half = rng.uniform(0.18, 0.32) * max(ink.width, 0.6 * ink.height)
    tilt = rng.uniform(-0.08, 0.08) * ink.height
    _line(big, (x_mid - half, y + tilt), (x_mid + half, y - tilt), ink.thickness)


def _loop_two(big: np.ndarray, ink: _Ink, rng: np.random.Generator) -> None:
    # A small loop where the diagonal meets the foot.
    scale = 1 << _SHIFT_BITS
    radius = rng.uniform(0.1, 0.17) * ink.height
    centre = (ink.left + rng.uniform(0.15, 0.3) * ink.width, ink.bottom - radius - ink.thickness / 2)
    axes = (round(radius * scale * rng.uniform(0.8, 1.3)), round(radius * scale))
    scaled_centre = (round(centre[0] * scale), round(centre[1] * scale))
    cv2.ellipse(big, scaled_centre, axes, rng.uniform(-30, 30), 0, 360, 255, ink.thickness, cv2.LINE_AA, _SHIFT_BITS)


def _slash_zero(big: np.ndarray, ink: _Ink, rng: np.random.Generator) -> None:
    # A slash through the 0, from upright (like a phi) to diagonal, often poking out.
    lean = np.tan(np.deg2rad(rng.uniform(0, 50)))  # 0: upright
    overshoot = rng.uniform(0.0, 0.25) * ink.height
    x_mid = (ink.left + ink.right) / 2 + rng.uniform(-0.1, 0.1) * ink.width
    y0, y1 = ink.bottom + overshoot, ink.top - overshoot
    half_span = (y0 - y1) / 2 * lean
    _line(big, (x_mid - half_span, y0), (x_mid + half_span, y1), ink.thickness)


_STYLES = {0: _slash_zero, 1: _flag_one, 2: _loop_two, 7: _cross_seven}
STYLED_DIGITS = tuple(sorted(_STYLES))


def add_style(image: np.ndarray, digit: int, rng: np.random.Generator) -> np.ndarray:
    """A copy of a 28x28 uint8 MNIST digit in a European style, re-laid out MNIST-style.

    Digits without a style, or without ink, come back unchanged.
    """
    box = _ink_box(image)
    if digit not in _STYLES or box is None:
        return image
    # Upscale 4x so the added stroke is as smooth as the rest, then let the kiosk re-fit it.
    big = cv2.resize(image, None, fx=4, fy=4, interpolation=cv2.INTER_LINEAR)
    top, bottom, left, right = (4 * int(v) for v in box)
    _STYLES[digit](big, _Ink(top, bottom, left, right, int(rng.integers(7, 11))), rng)
    try:
        return fit_and_center(big)
    except EmptyDrawing:
        return image


def styled_copies(images: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    """For every image, a styled copy (or the image itself where the digit has no style). (N, 28, 28) uint8."""
    rng = np.random.default_rng(seed)
    styled = images.copy()
    for index in np.flatnonzero(np.isin(labels, STYLED_DIGITS)):
        styled[index] = add_style(images[index], int(labels[index]), rng)
    return styled
