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
    values = np.concatenate([weights[:, None], weights[:, None] * directions @ _AXES.T,
                             (weights * along / total)[:, None]], axis=1)  # (S, 6): weight, 4 directions, time
    sums = _blur(_splat(points, values))  # (6, 28, 28)
    density = sums[0]
    safe = np.where(density > 1e-6, density, 1.0)
    ink = image.astype(np.float32) / 255.0
    averaged = np.where(density > 1e-6, sums[1:] / safe, 0.0) * ink  # (5, 28, 28)
    pen_down = _blur(_splat(starts, np.ones((len(starts), 1))))[0] * (2 * np.pi * _BLUR_SIGMA_PX**2)
    out = np.empty((len(CHANNELS), IMAGE_SIZE, IMAGE_SIZE), np.float32)
    out[0], out[1:5], out[5], out[6] = ink, averaged[:4], np.minimum(pen_down, 1.0), averaged[4]
    return out


def _samples(strokes: list[np.ndarray]):
    """The path sampled every _STEP_PX (or coarser, past _MAX_SAMPLES): points (S, 2), unit directions (S, 2),
    the length each stands for (S,), the path length travelled at each (S,), and each stroke's first point (K, 2)."""
    points, directions, weights, along = [], [], [], []
    travelled = 0.0
    total = sum(float(np.linalg.norm(np.diff(s, axis=0), axis=1).sum()) for s in strokes)
    step = max(_STEP_PX, total / _MAX_SAMPLES)
    for stroke in strokes:
        if len(stroke) == 1:  # a tap: one dot, no direction
            points.append(stroke[:1])
            directions.append(np.zeros((1, 2)))
            weights.append(np.array([step]))
            along.append(np.array([travelled]))
            continue
        steps = np.diff(stroke, axis=0)  # (n-1, 2)
        lengths = np.linalg.norm(steps, axis=1)
        counts = np.maximum(1, np.ceil(lengths / step).astype(int))
        segment = np.repeat(np.arange(len(steps)), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        fraction = (np.arange(len(segment)) - first + 0.5) / counts[segment]
        points.append(stroke[segment] + steps[segment] * fraction[:, None])
        directions.append(steps[segment] / np.maximum(lengths[segment], 1e-9)[:, None])
        weights.append(lengths[segment] / counts[segment])
        along.append(travelled + np.concatenate([[0.0], np.cumsum(lengths)])[segment] + lengths[segment] * fraction)
        travelled += float(lengths.sum())
    starts = np.array([stroke[0] for stroke in strokes])
    return (np.concatenate(points), np.concatenate(directions), np.concatenate(weights), np.concatenate(along),
            starts)


def _splat(points: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Spread each point's values (S, C) over its four nearest pixels (bilinear): (C, 28, 28) float32."""
    size = IMAGE_SIZE
    points = np.clip(points, 0, size - 1.001)
    corner = np.floor(points).astype(int)  # (S, 2) x, y
    fx, fy = (points - corner).T
    channels = values.shape[1]
    index, weights = [], []
    for dx, dy, share in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        pixel = (corner[:, 1] + dy) * size + corner[:, 0] + dx  # (S,)
        index.append(pixel[:, None] + np.arange(channels) * size * size)  # (S, C)
        weights.append(values * share[:, None])
    total = np.bincount(np.concatenate(index).ravel(), np.concatenate(weights).ravel(), channels * size * size)
    return total.reshape(channels, size, size).astype(np.float32)


def _blur(channels: np.ndarray) -> np.ndarray:
    """Each channel blurred to the pen's width: (C, 28, 28) -> (C, 28, 28)."""
    return np.stack([cv2.GaussianBlur(c, (0, 0), _BLUR_SIGMA_PX, borderType=cv2.BORDER_CONSTANT) for c in channels])


def to_stroke_input(channels: np.ndarray) -> np.ndarray:
    """(7, 28, 28) or (N, 7, 28, 28) channels -> float32 (N, 7, 28, 28), as the stroke model takes them."""
    return np.asarray(channels, np.float32).reshape(-1, len(CHANNELS), IMAGE_SIZE, IMAGE_SIZE)
