"""Writing styles MNIST (American census workers and students) lacks but museum visitors use.

Many Europeans write a 1 with a long flag, cross the stem of a 7, slash a 0 (diagonally, or
upright like a phi) and loop the foot of a 2; a model that never saw them reads such a 1 as a 7
or a 4, and a slashed 0 or looped 2 as an 8. We add those strokes to copies of MNIST digits. This is
domain knowledge about handwriting, not a fit to any test drawings.
"""
from __future__ import annotations

import cv2
import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.preprocess import fit_and_center

_SHIFT_BITS = 4  # sub-pixel precision for cv2 drawing
_INK_THRESHOLD = 96
STYLED_DIGITS = (0, 1, 2, 7)


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


def add_style(image: np.ndarray, digit: int, rng: np.random.Generator) -> np.ndarray:
    """A copy of a 28x28 uint8 MNIST digit in a European style, re-laid out MNIST-style.

    Digits without a style, or without ink, come back unchanged.
    """
    box = _ink_box(image)
    if digit not in STYLED_DIGITS or box is None:
        return image
    top, bottom, left, right = box
    height, width = bottom - top + 1, right - left + 1
    # Upscale 4x so the added stroke is as smooth as the rest, then let the kiosk re-fit it.
    big = cv2.resize(image, None, fx=4, fy=4, interpolation=cv2.INTER_LINEAR)
    top, bottom, left, right, height, width = (4 * v for v in (top, bottom, left, right, height, width))
    thickness = int(rng.integers(7, 11))
    if digit == 1:
        # A long flag from the top of the stem steeply down to the left; now and then a foot.
        top_cols = np.flatnonzero(big[top : top + 8].max(axis=0) > _INK_THRESHOLD)
        x0 = float(top_cols.mean()) if len(top_cols) else (left + right) / 2
        length = rng.uniform(0.3, 0.8) * height
        angle = np.deg2rad(rng.uniform(30, 70))
        _line(big, (x0, top + 2), (x0 - length * np.cos(angle), top + 2 + length * np.sin(angle)), thickness)
        if rng.random() < 0.15:
            bottom_cols = np.flatnonzero(big[bottom - 8 : bottom + 1].max(axis=0) > _INK_THRESHOLD)
            x1 = float(bottom_cols.mean()) if len(bottom_cols) else (left + right) / 2
            half = rng.uniform(0.15, 0.25) * height
            _line(big, (x1 - half, bottom - 2), (x1 + half, bottom - 2), thickness)
    elif digit == 7:
        # A short bar across the stem, a little below the middle.
        y = top + rng.uniform(0.4, 0.6) * height
        stem_cols = np.flatnonzero(big[int(y)] > _INK_THRESHOLD)
        x_mid = float(stem_cols.mean()) if len(stem_cols) else (left + right) / 2
        half = rng.uniform(0.18, 0.32) * max(width, 0.6 * height)
        tilt = rng.uniform(-0.08, 0.08) * height
        _line(big, (x_mid - half, y + tilt), (x_mid + half, y - tilt), thickness)
    elif digit == 2:
        # A small loop where the diagonal meets the foot.
        radius = rng.uniform(0.1, 0.17) * height
        centre = (left + rng.uniform(0.15, 0.3) * width, bottom - radius - thickness / 2)
        axes = (round(radius * (1 << _SHIFT_BITS) * rng.uniform(0.8, 1.3)), round(radius * (1 << _SHIFT_BITS)))
        scaled_centre = (round(centre[0] * (1 << _SHIFT_BITS)), round(centre[1] * (1 << _SHIFT_BITS)))
        cv2.ellipse(big, scaled_centre, axes, rng.uniform(-30, 30), 0, 360, 255, thickness, cv2.LINE_AA, _SHIFT_BITS)
    else:
        # A slash through the 0, from upright (like a phi) to diagonal, often poking out.
        lean = np.tan(np.deg2rad(rng.uniform(0, 50)))  # 0: upright
        overshoot = rng.uniform(0.0, 0.25) * height
        x_mid, y0, y1 = (left + right) / 2 + rng.uniform(-0.1, 0.1) * width, bottom + overshoot, top - overshoot
        half_span = (y0 - y1) / 2 * lean
        _line(big, (x_mid - half_span, y0), (x_mid + half_span, y1), thickness)
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
