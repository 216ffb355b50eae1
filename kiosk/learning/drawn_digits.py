"""Read the drawn-digits set (real pen strokes, UNIPEN) and put it on the kiosk canvas as a child would."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.errors import DataError
from kiosk.recognition.preprocess import strokes_to_image

DRAWN_DIGITS_ENV = "DRAWN_DIGITS_DIR"
DEFAULT_DRAWN_DIGITS_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "drawn-digits-dev"
# A child's digit on the kiosk canvas is about this tall or wide, in whole screen pixels (the
# canvas is ~400 px on an 800x480 screen and the digit fills most of it).
TYPICAL_DRAWING_PX = 300


@dataclass(frozen=True)
class DrawnDigits:
    """Samples of strokes in canvas pixels, with their labels and writers."""

    strokes: list[list[np.ndarray]]  # per sample, per stroke: (N, 2) float32 x, y
    labels: np.ndarray  # (S,) int64
    writers: np.ndarray  # (S,) str, "contributor/writer"

    def __len__(self) -> int:
        return len(self.labels)


def default_dir() -> Path | None:
    """../shared/data/drawn-digits-dev beside a checkout; None in an installed package (site-packages has no such
    neighbour)."""
    checkout = Path(__file__).resolve().parents[2]
    return DEFAULT_DRAWN_DIGITS_DIR if (checkout / "pyproject.toml").is_file() else None


def given(directory: str | os.PathLike | None = None) -> bool:
    """Whether the user named a folder (the option or the environment variable) rather than taking the default."""
    return bool(directory or os.environ.get(DRAWN_DIGITS_ENV))


def resolve_dir(directory: str | os.PathLike | None = None) -> Path | None:
    """The option wins, then the environment variable, then ../shared beside a checkout; None if there is none."""
    found = directory or os.environ.get(DRAWN_DIGITS_ENV) or default_dir()
    return Path(found) if found else None


def available(directory: str | os.PathLike | None = None) -> bool:
    """Whether load(directory) would find the set."""
    folder = resolve_dir(directory)
    return folder is not None and (folder / "strokes.npz").is_file()


def load(directory: str | os.PathLike | None = None, drawing_px: float = TYPICAL_DRAWING_PX) -> DrawnDigits:
    """Load strokes.npz, scaling each digit so its longest side is drawing_px and rounding to pixels."""
    folder = resolve_dir(directory)
    if folder is None:
        raise DataError(f"no drawn-digits folder given: pass --drawn-dir or set {DRAWN_DIGITS_ENV} to the folder "
                        "with strokes.npz")
    path = folder / "strokes.npz"
    if not path.is_file():
        raise DataError(f"{path} not found: pass --drawn-dir or set {DRAWN_DIGITS_ENV} to the drawn-digits folder")
    try:
        with np.load(path, allow_pickle=False) as data:
            points = data["points"]  # (P, 2), each digit's longest side runs 0..1
            stroke_offsets, sample_offsets = data["stroke_offsets"], data["sample_offsets"]
            labels = data["labels"].astype(np.int64)
            writers = np.char.add(np.char.add(data["contributor"].astype(str), "/"), data["writer"].astype(str))
    except (OSError, KeyError, ValueError) as error:
        raise DataError(f"{path} is not a readable drawn-digits file: {error}") from error
    # Offset so the digit sits inside the canvas, as it would on screen, then snap to whole pixels.
    canvas_points = np.round(points * drawing_px + drawing_px / 4).astype(np.float32)
    strokes = [
        [canvas_points[stroke_offsets[k] : stroke_offsets[k + 1]]
         for k in range(sample_offsets[i], sample_offsets[i + 1])]
        for i in range(len(labels))
    ]
    return DrawnDigits(strokes=strokes, labels=labels, writers=writers)


def to_images(drawn: DrawnDigits) -> np.ndarray:
    """The drawings as the kiosk's preprocessing turns them into model inputs: (S, 28, 28) uint8."""
    return np.stack([strokes_to_image(strokes) for strokes in drawn.strokes])
