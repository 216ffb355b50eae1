"""A lesson the child sees at once: the drawings this visitor just corrected, remembered for this visitor.

When a child says "No, it was a 4", the kiosk keeps that picture; the next drawing that looks very much
like it (nearest neighbour on a shape description: which way the strokes run where, not which pixels are lit)
gets the taught answer. It lives in memory only, for this visitor: forgotten when a new visitor comes
(kiosk/session/visitor.py), never written, never shared with the next child. What one visitor can teach
is bounded, since a queue of children can follow each other within seconds: one lesson per drawing, each
gone when unused for LESSON_LIFE_DRAWINGS drawings, and a handful in all (a visitor who corrects more is
remembered for none of them). The nightly retraining is what teaches everybody.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

CELL = 7  # 4 x 4 cells of 7 x 7 pixels on the 28 x 28 picture ...
BINS = 9  # ... each a histogram of 9 stroke directions (0-180 degrees): 144 numbers
CAPACITY = 5  # a handful: one child corrects a few; a visitor who teaches more gets none remembered (a prank)
LESSON_LIFE_DRAWINGS = 20  # a lesson not recalled in this many drawings goes: its writer has moved on
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


@dataclass
class Lesson:
    """One corrected drawing: its shape, the digit taught, which drawing it was and when it was last used."""

    features: np.ndarray  # (144,) float32, unit length
    digit: int
    drawing: object  # the session's name for the drawing: the same drawing corrected again replaces its lesson
    used_at: int  # the memory's drawing count when it was taught or last recalled


class SessionMemory:
    """The corrections of one visitor: teach, recall, forget; bounded in number and in age."""

    def __init__(
        self,
        capacity: int = CAPACITY,
        min_similarity: float = MIN_SIMILARITY,
        life_drawings: int | None = LESSON_LIFE_DRAWINGS,
    ):
        self.capacity, self.min_similarity, self.life_drawings = capacity, min_similarity, life_drawings
        self._lessons: list[Lesson] = []
        self.closed = False  # this visitor taught more than capacity lessons: none kept, no more taken
        self.drawings = 0  # drawings seen (next_drawing) since the memory was made

    def __len__(self) -> int:
        return len(self._lessons)

    def teach(self, image: np.ndarray, digit: int, drawing: object = None) -> None:
        """Remember image as digit; a lesson for the same drawing (not None) is replaced, never added to."""
        if self.closed:
            return
        if drawing is not None:
            self._lessons = [lesson for lesson in self._lessons if lesson.drawing != drawing]
        self._lessons.append(Lesson(describe(image), int(digit), drawing, self.drawings))
        if len(self._lessons) > self.capacity:  # more than a handful: a prank, or the model is no help here
            self.closed = True
            self._lessons.clear()

    def next_drawing(self) -> None:
        """Another drawing is answered: lessons unused for life_drawings drawings are forgotten."""
        self.drawings += 1
        if self.life_drawings is not None:
            self._lessons = [x for x in self._lessons if self.drawings - x.used_at <= self.life_drawings]

    def recall(self, image: np.ndarray) -> tuple[int, float] | None:
        """(taught digit, similarity) of the most similar taught drawing, if it is similar enough."""
        if not self._lessons:
            return None
        similarities = np.stack([lesson.features for lesson in self._lessons]) @ describe(image)
        best = int(np.argmax(similarities))
        similarity = float(similarities[best])
        if similarity < self.min_similarity:
            return None
        self._lessons[best].used_at = self.drawings
        return self._lessons[best].digit, similarity

    def unlearn(self, image: np.ndarray) -> None:
        """The lesson that answered image was wrong for it (the child said No): it goes."""
        if self.recall(image) is not None:
            similarities = np.stack([lesson.features for lesson in self._lessons]) @ describe(image)
            del self._lessons[int(np.argmax(similarities))]

    def forget(self) -> None:
        """A new visitor: every lesson goes, and the next visitor may teach a handful again."""
        self._lessons.clear()
        self.closed = False
