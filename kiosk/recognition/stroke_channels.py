"""The pen's path as pictures: seven 28x28 channels that line up with the ink picture the image models see.

A picture forgets how a digit was drawn; the kiosk knows every stroke, its order and its direction. Beside
the ink, four channels say which way the pen moved through each pixel (signed: a stroke drawn backwards
flips them), one marks where the pen came down, and one how far along the drawing the pen was (0 at the
first point, 1 at the last). The strokes are placed with the very frame the 28x28 picture was made with
(preprocess.image_and_frame), so channel pixels and ink pixels are the same pixels. numpy and OpenCV only:
the kiosk runs this on every drawing and the trainer imports it, as with the picture.
"""
from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from kiosk.recognition.model_contract import IMAGE_SIZE
from kiosk.recognition.preprocess import Frame, image_and_frame

CHANNELS = ("ink", "east", "south_east", "south", "south_west", "pen_down", "time")
STROKE_CHANNELS_VERSION = "1"
_STEP_PX = 0.4  # the path is sampled this often (28x28 pixels): several samples per pixel, no gaps
_MAX_SAMPLES = 6_000  # a scribble's path is sampled more coarsely past this, so time stays bounded (a digit: ~300)
_BLUR_SIGMA_PX = 0.9  # about the pen's half-width at 28x28 (0.115 of a 20 px digit is 2.3 px wide)
_AXES = np.array([[1.0, 0.0], [0.5**0.5, 0.5**0.5], [0.0, 1.0], [-(0.5**0.5), 0.5**0.5]])  # (4, 2) x right, y down


def stroke_channels(cleaned: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Cleaned strokes -> (the (28, 28) uint8 picture, float32 (7, 28, 28) channels); EmptyDrawing if no ink."""
    image, frame = image_and_frame(cleaned)
    return image, channels_in_frame(cleaned, image, frame)


def channels_in_frame(cleaned: Sequence[np.ndarray], image: np.ndarray, frame: Frame) -> np.ndarray:
    """The seven channels of strokes already placed by frame on the (28, 28) uint8 picture: float32 (7, 28, 28)."""
    points, directions, weights, along, starts = _samples([frame.apply(s) for s in cleaned])
    total = max(float(along[-1]), 1e-9)
    values = np.zeros((len(points) + len(starts), 7))  # weight, 4 directions, time, pen-down
    values[: len(points), 0] = weights
    # each direction projected on the four axes (elementwise: no BLAS call for a (S, 2) x (2, 4) product)
    values[: len(points), 1:5] = weights[:, None] * (directions[:, :1] * _AXES[:, 0] + directions[:, 1:] * _AXES[:, 1])
    values[: len(points), 5] = weights * along / total
    values[len(points) :, 6] = 1.0
    sums = _blur(_splat(np.concatenate([points, starts]), values))  # (7, 28, 28)
    density = sums[0]
    safe = np.where(density > 1e-6, density, 1.0)
    ink = image.astype(np.float32) / 255.0
    averaged = np.where(density > 1e-6, sums[1:6] / safe, 0.0) * ink  # (5, 28, 28)
    out = np.empty((len(CHANNELS), IMAGE_SIZE, IMAGE_SIZE), np.float32)
    out[0], out[1:5], out[6] = ink, averaged[:4], averaged[4]
    out[5] = np.minimum(sums[6] * (2 * np.pi * _BLUR_SIGMA_PX**2), 1.0)
    return out


def _samples(strokes: list[np.ndarray]):
    """The path sampled every _STEP_PX (or coarser, past _MAX_SAMPLES): points (S, 2), unit directions (S, 2),
    the length each stands for (S,), the path length travelled at each (S,), and each stroke's first point (K, 2).
    One pass over every point of every stroke at once: 500 strokes cost what one long stroke does."""
    points = np.concatenate(strokes)  # (P, 2)
    stroke_of = np.repeat(np.arange(len(strokes)), [len(s) for s in strokes])  # (P,)
    steps = np.diff(points, axis=0)  # (P-1, 2): from each point to the next
    inside = stroke_of[1:] == stroke_of[:-1]  # the pen stays down from point i to i+1
    lengths = np.where(inside, np.linalg.norm(steps, axis=1), 0.0)
    travelled = np.concatenate([[0.0], np.cumsum(lengths)])  # (P,) path length up to each point
    step = max(_STEP_PX, float(travelled[-1]) / _MAX_SAMPLES)
    first = np.flatnonzero(inside)  # each segment's first point
    counts = np.maximum(1, np.ceil(lengths[first] / step).astype(int))
    segment = np.repeat(first, counts)  # (S,)
    fraction = (np.arange(len(segment)) - np.repeat(np.cumsum(counts) - counts, counts) + 0.5) / np.repeat(counts,
                                                                                                           counts)
    seg_length = lengths[segment]
    taps = np.flatnonzero(np.bincount(stroke_of, minlength=len(strokes)) == 1)  # strokes of one point: a dot
    tap_points = np.searchsorted(stroke_of, taps)
    return (np.concatenate([points[segment] + steps[segment] * fraction[:, None], points[tap_points]]),
            np.concatenate([steps[segment] / np.maximum(seg_length, 1e-9)[:, None], np.zeros((len(taps), 2))]),
            np.concatenate([seg_length / np.repeat(counts, counts), np.full(len(taps), step)]),
            np.concatenate([travelled[segment] + seg_length * fraction, travelled[tap_points]]),
            points[np.searchsorted(stroke_of, np.arange(len(strokes)))])


def _splat(points: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Spread each point's values (S, C) over its four nearest pixels (bilinear): (28, 28, C) float32.
    One bincount per channel over the four corners' pixels (the sums, and their order, of one big bincount)."""
    size, channels = IMAGE_SIZE, values.shape[1]
    points = np.clip(points, 0, size - 1.001)
    corner = np.floor(points).astype(np.intp)  # (S, 2) x, y
    fx, fy = (points - corner).T
    gx, gy = 1 - fx, 1 - fy
    base = corner[:, 1] * size + corner[:, 0]
    pixel = np.concatenate([base, base + 1, base + size, base + size + 1])  # (4S,) the four corners in turn
    weighted = np.tile(values.T, 4) * np.concatenate([gx * gy, fx * gy, gx * fy, fx * fy])  # (C, 4S)
    total = np.stack([np.bincount(pixel, row, size * size) for row in weighted], axis=-1)
    return total.reshape(size, size, channels).astype(np.float32)


def _blur(channels: np.ndarray) -> np.ndarray:
    """Every channel blurred to the pen's width at once: (28, 28, C) -> (C, 28, 28)."""
    return cv2.GaussianBlur(channels, (0, 0), _BLUR_SIGMA_PX, borderType=cv2.BORDER_CONSTANT).transpose(2, 0, 1)


def to_stroke_input(channels: np.ndarray) -> np.ndarray:
    """(7, 28, 28) or (N, 7, 28, 28) channels -> float32 (N, 7, 28, 28), as the stroke model takes them."""
    return np.asarray(channels, np.float32).reshape(-1, len(CHANNELS), IMAGE_SIZE, IMAGE_SIZE)
