"""Turn a drawing (strokes of canvas points) into the 28x28 image an MNIST model expects.

This is the one preprocessing of the project: the kiosk runs it on every drawing and the trainer
imports it, so a model never sees data prepared two different ways. numpy and OpenCV only.

MNIST's recipe (LeCun et al.): the digit, white on black, is scaled to fit a 20x20 box keeping its
aspect ratio, then placed in 28x28 so that its centre of mass sits at the centre. We re-draw the
strokes with a pen whose width is a fixed fraction of the drawing's size, so a child's thin line on
a big screen and a thick line on a small one come out alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import cv2
import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.model_contract import IMAGE_SIZE

PREPROCESSING_VERSION = "1"
DIGIT_BOX_PX = 20  # MNIST fits every digit into 20x20 ...
COM_TARGET = 14.0  # ... and puts its centre of mass here (row, col; measured on MNIST train: 14.0, 14.0)
# Pen width as a fraction of the drawing's longest side: 0.115 makes the drawn digits' mean ink
# after preprocessing (0.1317) match MNIST's mean intensity (0.1307), so strokes are MNIST-thick.
PEN_WIDTH_FRACTION = 0.115
_SUPERSAMPLE_PX = 224  # the strokes are drawn at this size and shrunk, which antialiases them
# A drawing with more points than this is thinned evenly: a child's digit has a few hundred, so only
# a stuck finger or hostile input is affected, and recognition time stays bounded.
_MAX_POINTS = 4_000


@dataclass(frozen=True)
class Frame:
    """Where a point goes: pixel (x, y) = point * scale + offset (pixel centres at whole numbers)."""

    scale: np.ndarray  # (2,) x and y
    offset: np.ndarray  # (2,)

    def apply(self, points: np.ndarray) -> np.ndarray:
        return points * self.scale + self.offset


def clean_strokes(strokes: Iterable[Sequence[Sequence[float]]]) -> list[np.ndarray]:
    """Return the strokes as (N, 2) float64 arrays, dropping non-finite points and empty strokes."""
    cleaned = []
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64)
        if points.size == 0:
            continue
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"a stroke must be a sequence of (x, y) points, not an array of shape {points.shape}")
        points = points[np.isfinite(points).all(axis=1)]
        if len(points):
            cleaned.append(points)
    total = sum(len(points) for points in cleaned)
    if total > _MAX_POINTS:
        step = int(np.ceil(total / _MAX_POINTS))
        cleaned = [points[::step] if len(points) > step else points[[0, -1]] for points in cleaned]
    return cleaned


def render_strokes(strokes: Sequence[np.ndarray], pen_width_fraction: float = PEN_WIDTH_FRACTION) -> np.ndarray:
    """Draw cleaned strokes, scaled so the longest side fills the canvas, as white ink on black.

    Returns a (H, W) uint8 image cropped to the ink, H or W equal to the supersampled size.
    """
    return _render(strokes, pen_width_fraction)[0]


def _render(strokes: Sequence[np.ndarray], pen_width_fraction: float = PEN_WIDTH_FRACTION) -> tuple[np.ndarray, Frame]:
    """render_strokes, and the frame that takes a stroke point to its pixel (x, y) in the cropped picture."""
    if not strokes:
        raise EmptyDrawing("the drawing has no points")
    all_points = np.concatenate(strokes)  # (P, 2)
    low, high = all_points.min(axis=0), all_points.max(axis=0)
    extent = float((high - low).max())
    pen_px = max(1, round(pen_width_fraction * _SUPERSAMPLE_PX))
    # A single dot has no extent: draw it as one pen blob.
    scale = (_SUPERSAMPLE_PX - pen_px) / extent if extent > 0 else 0.0
    margin = pen_px  # room for the pen's round caps
    width, height = (np.ceil((high - low) * scale).astype(int) + 2 * margin + 1).tolist()
    canvas = np.zeros((height, width), np.uint8)
    shift_bits = 4  # sub-pixel precision for cv2 drawing
    for stroke in strokes:
        pixels = ((stroke - low) * scale + margin) * (1 << shift_bits)
        polyline = np.round(pixels).astype(np.int32).reshape(-1, 1, 2)
        if (polyline == polyline[0]).all():  # a tap: cv2 draws no line of length zero
            radius = (pen_px << shift_bits) // 2
            cv2.circle(canvas, tuple(polyline[0, 0].tolist()), radius, 255, cv2.FILLED, cv2.LINE_AA, shift_bits)
        else:
            cv2.polylines(canvas, [polyline], False, 255, pen_px, cv2.LINE_AA, shift_bits)
    cropped, (top, left) = _crop(canvas)
    return cropped, Frame(np.array([scale, scale]), margin - low * scale - np.array([left, top]))


def crop_to_ink(image: np.ndarray) -> np.ndarray:
    """Crop a white-on-black image to the bounding box of its non-zero pixels."""
    return _crop(image)[0]


def _crop(image: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """crop_to_ink, and where the crop starts (top row, left column)."""
    if image.dtype == np.uint8 and image.ndim == 2:  # OpenCV's box of the non-zero pixels: 10x faster here
        left, top, width, height = cv2.boundingRect(np.ascontiguousarray(image))
    else:
        rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        top, left = (int(rows[0]), int(cols[0])) if len(rows) else (0, 0)
        height, width = (int(rows[-1]) - top + 1, int(cols[-1]) - left + 1) if len(rows) else (0, 0)
    if width == 0:
        raise EmptyDrawing("the image has no ink")
    return image[top : top + height, left : left + width], (top, left)


def fit_and_center(ink: np.ndarray) -> np.ndarray:
    """MNIST layout: scale ink (white on black, any size) into 20x20 keeping aspect, centre of mass at centre.

    Returns a (28, 28) uint8 image.
    """
    return _fit(ink)[0]


def _fit(ink: np.ndarray) -> tuple[np.ndarray, Frame]:
    """fit_and_center, and the frame that takes a pixel (x, y) of the cropped ink to its place in 28x28."""
    ink, (top0, left0) = _crop(ink)
    height, width = ink.shape
    factor = DIGIT_BOX_PX / max(height, width)
    new_size = (max(1, round(width * factor)), max(1, round(height * factor)))  # cv2 wants (w, h)
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    small = cv2.resize(ink, new_size, interpolation=interpolation)
    if not small.any():  # a faint speck can vanish when shrunk
        raise EmptyDrawing("the ink vanished when scaled to 20x20")
    # Place it in the middle, then move it by whole pixels so its centre of mass is at the centre
    # (MNIST moved by whole pixels too: its centres of mass spread uniformly within half a pixel).
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    top, left = (IMAGE_SIZE - small.shape[0]) // 2, (IMAGE_SIZE - small.shape[1]) // 2
    image[top : top + small.shape[0], left : left + small.shape[1]] = small
    com_row, com_col = center_of_mass(image)
    down, right = round(COM_TARGET - com_row), round(COM_TARGET - com_col)
    # cv2.resize maps pixel centres: x_new = (x + 0.5) * new_w / w - 0.5
    ratio = np.array([new_size[0] / width, new_size[1] / height])
    offset = (0.5 - np.array([left0, top0])) * ratio - 0.5 + np.array([left + right, top + down])
    return shift_image(image, down, right), Frame(ratio, offset)


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted centre (row, col) of a non-empty image."""
    if image.dtype == np.uint8:  # OpenCV's sums are exact integers for uint8: the same centre, 4x faster
        moments = cv2.moments(np.ascontiguousarray(image))
        return moments["m01"] / moments["m00"], moments["m10"] / moments["m00"]
    weights = image.astype(np.float64)
    total = weights.sum()
    rows, cols = np.indices(image.shape)
    return float((rows * weights).sum() / total), float((cols * weights).sum() / total)


def shift_image(image: np.ndarray, down: int, right: int) -> np.ndarray:
    """Move an image (or a stack of them, (..., H, W)) by whole pixels, filling with black; ink pushed past the
    edge is lost."""
    shifted = np.zeros_like(image)
    height, width = image.shape[-2:]
    src_rows = slice(max(0, -down), min(height, height - down))
    dst_rows = slice(max(0, down), min(height, height + down))
    src_cols = slice(max(0, -right), min(width, width - right))
    dst_cols = slice(max(0, right), min(width, width + right))
    shifted[..., dst_rows, dst_cols] = image[..., src_rows, src_cols]
    return shifted


def strokes_to_image(strokes: Iterable[Sequence[Sequence[float]]]) -> np.ndarray:
    """The whole path of a child's drawing: strokes of (x, y) canvas points -> (28, 28) uint8.

    Raises EmptyDrawing when there is nothing to classify.
    """
    return fit_and_center(render_strokes(clean_strokes(strokes)))


def image_and_frame(cleaned: Sequence[np.ndarray]) -> tuple[np.ndarray, Frame]:
    """strokes_to_image of cleaned strokes, and the frame that puts a stroke point on its 28x28 pixel (x, y):
    what the stroke channels need to line up with the picture exactly."""
    ink, drawn = _render(cleaned)
    image, fitted = _fit(ink)
    return image, Frame(drawn.scale * fitted.scale, drawn.offset * fitted.scale + fitted.offset)


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 images (28, 28) or (N, 28, 28), white on black -> float32 (N, 1, 28, 28) in [0, 1]."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"expected uint8 images, got {images.dtype}")
    batch = images.reshape(-1, 1, IMAGE_SIZE, IMAGE_SIZE)  # (N, 1, 28, 28)
    return batch.astype(np.float32) / np.float32(255.0)
