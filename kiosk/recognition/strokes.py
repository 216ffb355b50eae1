"""Ink: the strokes of the drawing on the canvas, in canvas pixels. Pure Python, no pygame."""
from __future__ import annotations

import math

MAX_STROKES = 200  # a child never needs more; a stuck finger or a bug might
MAX_POINTS_PER_STROKE = 20_000


class Ink:
    """The strokes of one drawing; the last one may still be growing under the finger."""

    def __init__(self) -> None:
        self.strokes: list[list[tuple[float, float]]] = []
        self._drawing = False

    @property
    def is_empty(self) -> bool:
        return not any(self.strokes)

    @property
    def is_drawing(self) -> bool:
        return self._drawing

    def begin(self, x: float, y: float) -> None:
        """Start a new stroke at (x, y); ignored past MAX_STROKES or for non-finite points."""
        if not (math.isfinite(x) and math.isfinite(y)) or len(self.strokes) >= MAX_STROKES:
            return
        self.strokes.append([(float(x), float(y))])
        self._drawing = True

    def extend(self, x: float, y: float) -> None:
        """Add a point to the growing stroke (every point is kept: no gaps when the finger is fast)."""
        if not self._drawing or not (math.isfinite(x) and math.isfinite(y)):
            return
        stroke, point = self.strokes[-1], (float(x), float(y))
        if len(stroke) < MAX_POINTS_PER_STROKE and stroke[-1] != point:
            stroke.append(point)

    def end(self) -> None:
        """The finger lifted."""
        self._drawing = False

    def undo(self) -> None:
        """Remove the last stroke."""
        if self.strokes:
            self.strokes.pop()
        self._drawing = False

    def clear(self) -> None:
        """Remove everything."""
        self.strokes.clear()
        self._drawing = False

    def copy_strokes(self) -> list[list[tuple[float, float]]]:
        """A snapshot of the strokes that later drawing cannot change."""
        return [list(stroke) for stroke in self.strokes if stroke]
