"""Shape jitter for learning on the device, in OpenCV: the trainer's "affine" and "finger" augmentations.

The same recipe as trainer/dataset.py's torch version (rotation, shear, stretch, shift; for "finger"
also pen width and a smooth wobble), then the kiosk's own re-centring, so a jittered digit looks like
something the kiosk could have drawn from a child's strokes.
"""
from __future__ import annotations

import cv2
import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.model_contract import IMAGE_SIZE
from kiosk.recognition.preprocess import fit_and_center

CLEAN_PROBABILITY = 0.25  # share of each batch left unaugmented, so plain MNIST stays well represented

_PIXELS = np.arange(IMAGE_SIZE, dtype=np.float32)
# pixel centres in the [-1, 1] coordinates torch's affine_grid uses (align_corners=False)
_NORMALISED = (2 * _PIXELS + 1) / IMAGE_SIZE - 1
_GRID_X, _GRID_Y = np.meshgrid(_NORMALISED, _NORMALISED)
_SQUARE = np.ones((3, 3), np.uint8)


def jitter(images: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """A jittered copy of uint8 images (N, 28, 28); kind "affine" or "finger"."""
    if kind not in ("affine", "finger"):
        raise ValueError(f"unknown augmentation {kind!r}")
    out = np.empty_like(images)
    for i, image in enumerate(images):
        out[i] = _relayout(_one(image, kind == "finger", rng))
    return out


def _one(image: np.ndarray, finger: bool, rng: np.random.Generator) -> np.ndarray:
    picture = image.astype(np.float32) / 255.0
    if finger:  # thicker towards a 3x3 dilation, or thinner towards an erosion
        amount = rng.uniform(-0.4, 0.3)
        other = cv2.dilate(picture, _SQUARE) if amount >= 0 else cv2.erode(picture, _SQUARE)
        picture = picture + abs(amount) * (other - picture)
    angle = np.deg2rad(rng.uniform(-10, 10))
    shear = rng.uniform(-0.2, 0.2)
    scale_x, scale_y = rng.uniform(0.85, 1.1), rng.uniform(0.9, 1.1)
    shift_x, shift_y = rng.uniform(-0.1, 0.1, 2)
    cos, sin = np.cos(angle), np.sin(angle)
    # where each output pixel reads from, in normalised coordinates (torch's theta, row by row)
    source_x = (cos * _GRID_X + (shear * cos - sin) * _GRID_Y) / scale_x + shift_x
    source_y = (sin * _GRID_X + (shear * sin + cos) * _GRID_Y) / scale_y + shift_y
    if finger:
        strength = rng.uniform(0.0, 0.04)
        wobble = rng.uniform(-1, 1, (2, 4, 4)).astype(np.float32) * strength
        source_x = source_x + cv2.resize(wobble[0], (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_CUBIC)
        source_y = source_y + cv2.resize(wobble[1], (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_CUBIC)
    to_pixels = lambda normalised: ((normalised + 1) * IMAGE_SIZE - 1) / 2  # noqa: E731
    moved = cv2.remap(picture, to_pixels(source_x).astype(np.float32), to_pixels(source_y).astype(np.float32),
                      cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return np.round(np.clip(moved, 0, 1) * 255).astype(np.uint8)


def _relayout(image: np.ndarray) -> np.ndarray:
    try:
        return fit_and_center(image)
    except EmptyDrawing:  # the jitter pushed all ink out of the frame: keep what is left
        return image
