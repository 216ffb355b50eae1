"""A lesson the child sees at once: the drawings this visitor just corrected, remembered for this visitor.

When a child says "No, it was a 4", the kiosk keeps that picture; the next drawing that looks very much
like it (nearest neighbour on a shape description: which way the strokes run where, not which pixels are lit)
gets the taught answer. It lives in memory only, for this visitor: forgotten when the kiosk goes idle,
never written, never shared with the next child. The nightly retraining is what teaches everybody.
"""
from __future__ import annotations

import cv2
import numpy as np

CELL = 7  # 4 x 4 cells of 7 x 7 pixels on the 28 x 28 picture ...
BINS = 9  # ... each a histogram of 9 stroke directions (0-180 degrees): 144 numbers
CAPACITY = 20  # a visitor corrects a handful; a stuck loop of corrections must not grow without end
MIN_SIMILARITY = 0.80  # cosine of the shape descriptions (measured: python -m benchmarks session-memory)


def describe(image: np.ndarray) -> np.ndarray:
    """A (28, 28) uint8 picture's shape description (histograms of stroke direction per cell), unit length."""
    picture = cv2.GaussianBlur(image.astype(np.float32) / 255.0, (3, 3), 0)
    dx, dy = cv2.Sobel(picture, cv2.CV_32F, 1, 0), cv2.Sobel(picture, cv2.CV_32F, 0, 1)
    magnitude = np.hypot(dx, dy)
    direction = (np.arctan2(dy, dx) % np.pi) / np.pi * BINS  # a stroke's direction, either way along it
    low = np.floor(direction).astype(int) % BINS
    share = direction - np.floor(direction)  # split between the two nearest bins
    cells = (np.arange(28) // CELL)[:, None] * (28 // CELL) + (np.arange(28) // CELL)[None, :]
    features = np.zeros((28 // CELL) ** 2 * BINS, np.float32)
    np.add.at(features, (cells * BINS + low).ravel(), (magnitude * (1 - share)).ravel())
    np.add.at(features, (cells * BINS + (low + 1) % BINS).ravel(), (magnitude * share).ravel())
    norm = float(np.linalg.norm(features))
    return features / norm if norm > 0 else features


class SessionMemory:
    """The corrections of one visitor: teach, recall, forget."""

    def __init__(self, capacity: int = CAPACITY, min_similarity: float = MIN_SIMILARITY):
        self.capacity, self.min_similarity = capacity, min_similarity
        self._features: list[np.ndarray] = []
        self._digits: list[int] = []

    def __len__(self) -> int:
        return len(self._digits)

    def teach(self, image: np.ndarray, digit: int) -> None:
        self._features.append(describe(image))
        self._digits.append(int(digit))
        if len(self._digits) > self.capacity:  # the oldest lesson goes first
            del self._features[0], self._digits[0]

    def recall(self, image: np.ndarray) -> tuple[int, float] | None:
        """(taught digit, similarity) of the most similar taught drawing, if it is similar enough."""
        if not self._digits:
            return None
        similarities = np.stack(self._features) @ describe(image)
        best = int(np.argmax(similarities))
        similarity = float(similarities[best])
        return (self._digits[best], similarity) if similarity >= self.min_similarity else None

    def forget(self) -> None:
        self._features.clear()
        self._digits.clear()
