"""The backwards-digit lesson: over a backwards 3, the hand draws a 3 the right way round ("Threes go like this").

The digit is drawn stroke by stroke in the ghost ink beside the child's own (the shared hand walk of
kiosk/ui/hand_drawing.py), then rests until the next drawing; the child can try again at once.
"""

from __future__ import annotations

import pygame

from kiosk.recognition.example_digits import EXAMPLES
from kiosk.ui import colours
from kiosk.ui.hand_drawing import drawn_so_far
from kiosk.ui.widgets import draw_hand, render_ink

TRACE_MS = 3000  # the hand draws the digit while the sentence is said, then the digit rests
EXAMPLE_SHARE = 0.66  # of the canvas: as big as a child draws


class BackwardsLesson:
    """The right way round of one digit, drawn by the hand over the canvas."""

    def __init__(self) -> None:
        self.digit: int | None = None  # the digit being shown; None: no lesson
        self.age_ms = 0.0

    @property
    def running(self) -> bool:
        return self.digit is not None and self.age_ms < TRACE_MS

    def start(self, digit: int | None) -> None:
        """Show how digit goes (None: stop showing)."""
        self.digit, self.age_ms = digit, 0.0

    def update(self, dt_ms: float) -> None:
        self.age_ms += dt_ms

    def strokes(self, canvas: pygame.Rect) -> list:
        """The part of the right-way-round digit drawn so far, in canvas pixels ([] when no lesson)."""
        if self.digit is None:
            return []
        side = canvas.width * EXAMPLE_SHARE
        offset_x, offset_y = (canvas.width - side) / 2, (canvas.height - side) / 2
        example = [[(offset_x + x * side, offset_y + y * side) for x, y in s] for s in EXAMPLES[self.digit][0]]
        return drawn_so_far(example, min(1.0, self.age_ms / TRACE_MS))

    def draw(self, surface: pygame.Surface, canvas: pygame.Rect, pen_px: int, unit: int) -> None:
        strokes = self.strokes(canvas)
        layer = render_ink(strokes, canvas.size, pen_px, colours.GHOST_INK) if strokes else None
        if layer is None:
            return
        surface.blit(layer, canvas.topleft)
        if self.running:
            tip = strokes[-1][-1]
            draw_hand(surface, (int(canvas.x + tip[0]), int(canvas.y + tip[1])), unit)
