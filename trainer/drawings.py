"""Real pen drawings (UNIPEN digits and letters) as training and test pictures, kept apart by writer.

Every accuracy reported on these drawings comes from writers held out of the training that used them:
`writer_folds` splits the writers (never the drawings) into folds, and a fold's models never see its
writers. `jittered` varies a drawing as another hand would (slant, proportions, a wobbly pen) before the
kiosk's own preprocessing, so a model learns the hand's style, not these 13 writers' exact strokes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.preprocess import strokes_to_image
from kiosk.learning.drawn_digits import DEFAULT_DRAWN_DIGITS_DIR, DRAWN_DIGITS_ENV
from trainer.errors import DataError

DRAWN_LETTERS_ENV = "DRAWN_LETTERS_DIR"
DEFAULT_DRAWN_LETTERS_DIR = DEFAULT_DRAWN_DIGITS_DIR.parent / "drawn-letters-dev"
CANVAS_PX = 600  # the kiosk's canvas at 1080p; a drawing covers 35-80% of it, as children's do
# Letters a child draws that look like no digit: the ones the kiosk must not answer with a number (the
# issue's list). Letters written like digits (O, l, Z, S, b, g, q, ...) are not errors either way.
NOT_DIGIT_LIKE = "EFHKMNPRWXekmwx"
# Letters used as "not a digit" in training: shapes no digit shares. Left out on purpose: everything a hand
# can make look like a digit (O o Q D U u, I i l J j T t L, Z z S s, b G g q y Y, B, a d) and the letters a
# flagged 1, an open 0 or a crossed 7 resemble (r f v V n h c C): cross-validated, they taught the gate
# to doubt European digits (digit-kiosk-trainer crossval).
NOT_DIGIT_TRAINING = "AEFHKMNPRWXekmpwx"


@dataclass(frozen=True)
class Drawings:
    """Drawings as strokes (x right, y down, longest side 0..1), their labels and their writers."""

    strokes: list[list[np.ndarray]]
    labels: np.ndarray  # digits 0-9, or letters' character codes
    writers: np.ndarray  # "site/writer"

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask: np.ndarray) -> "Drawings":
        index = np.flatnonzero(mask)
        return Drawings([self.strokes[i] for i in index], self.labels[index], self.writers[index])

    def characters(self) -> np.ndarray:
        return np.array([chr(int(c)) for c in self.labels])


def _read(path: Path, what: str, env: str) -> Drawings:
    if not path.is_file():
        raise DataError(f"{path} not found: set {env} to the {what} folder")
    try:
        with np.load(path, allow_pickle=False) as data:
            points = data["points"].astype(np.float32)
            stroke_offsets, sample_offsets = data["stroke_offsets"], data["sample_offsets"]
            labels = data["labels"].astype(np.int64)
            writers = np.char.add(np.char.add(data["contributor"].astype(str), "/"), data["writer"].astype(str))
    except (OSError, KeyError, ValueError) as error:
        raise DataError(f"{path} is not a readable {what} file: {error}") from error
    strokes = [
        [points[stroke_offsets[k] : stroke_offsets[k + 1]] for k in range(sample_offsets[i], sample_offsets[i + 1])]
        for i in range(len(labels))
    ]
    return Drawings(strokes, labels, writers)


def load_digits(directory: str | os.PathLike | None = None) -> Drawings:
    folder = Path(directory or os.environ.get(DRAWN_DIGITS_ENV) or DEFAULT_DRAWN_DIGITS_DIR)
    return _read(folder / "strokes.npz", "drawn-digits", DRAWN_DIGITS_ENV)


def load_letters(directory: str | os.PathLike | None = None) -> Drawings:
    folder = Path(directory or os.environ.get(DRAWN_LETTERS_ENV) or DEFAULT_DRAWN_LETTERS_DIR)
    return _read(folder / "strokes.npz", "drawn-letters", DRAWN_LETTERS_ENV)


def writer_folds(writers: np.ndarray, folds: int) -> list[set[str]]:
    """The writers in `folds` groups of about equal drawings (largest first into the smallest group)."""
    names, counts = np.unique(writers, return_counts=True)
    groups: list[set[str]] = [set() for _ in range(folds)]
    sizes = [0] * folds
    for index in sorted(range(len(names)), key=lambda i: (-counts[i], names[i])):
        smallest = sizes.index(min(sizes))
        groups[smallest].add(str(names[index]))
        sizes[smallest] += int(counts[index])
    return groups


def on_canvas(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """The drawing placed on the kiosk's canvas at 35-80% of its size, snapped to whole pixels as touch is."""
    size = rng.uniform(0.35, 0.8) * CANVAS_PX
    offset = rng.uniform(0, CANVAS_PX - size, 2)
    return [np.round(s * size + offset) for s in strokes]


def jittered(strokes: list[np.ndarray], rng: np.random.Generator, strength: float = 1.0) -> list[np.ndarray]:
    """Another hand's version: rotation, slant, proportions, and a slow wobble along the pen's path."""
    angle = np.deg2rad(rng.uniform(-12, 12) * strength)
    shear = rng.uniform(-0.25, 0.25) * strength
    scale = np.exp(rng.uniform(-0.2, 0.2, 2) * strength)
    cos, sin = np.cos(angle), np.sin(angle)
    matrix = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1, shear], [0, 1]]) @ np.diag(scale)
    out = []
    phase, amplitude = rng.uniform(0, 2 * np.pi, 2), rng.uniform(0, 0.02, 2) * strength
    for stroke in strokes:
        points = (stroke - 0.5) @ matrix.T + 0.5
        if len(points) > 1:
            travelled = np.concatenate([[0], np.cumsum(np.linalg.norm(np.diff(stroke, axis=0), axis=1))])
            points = points + amplitude * np.sin(travelled[:, None] * 9 + phase)
        out.append(points.astype(np.float32))
    return out


def images(
    drawings: Drawings, rng: np.random.Generator | None = None, copies: int = 1, strength: float = 1.0
) -> np.ndarray:
    """(len * copies, 28, 28) uint8 through the kiosk's preprocessing; jittered when rng is given, else as drawn.

    The k-th copy of every drawing is at index k * len + i."""
    rng = rng or np.random.default_rng(0)
    out = np.zeros((copies * len(drawings), 28, 28), np.uint8)
    for copy in range(copies):
        for i, strokes in enumerate(drawings.strokes):
            shape = jittered(strokes, rng, strength) if strength > 0 else strokes
            try:
                out[copy * len(drawings) + i] = strokes_to_image(on_canvas(shape, rng))
            except EmptyDrawing:
                pass  # a drawing that shrank to nothing stays black; a handful at most
    return out
