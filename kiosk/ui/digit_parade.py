"""The digit parade on the empty drawing screen: the ten digits in friendly colours, what can be drawn,
at a glance, without reading. A tap on one says its name and makes it jump."""

from __future__ import annotations

import math

import pygame

from kiosk.ui import colours
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import draw_text

POP_MS = 600  # how long a tapped digit jumps
PALETTE = (colours.CLEAR, colours.UNDO, colours.RECOGNIZE, colours.BAR, colours.COUNT_DOT)


class DigitParade:
    """Two rows of five digits; lay_out() places them (before drawing), tap() finds the one hit."""

    def __init__(self) -> None:
        self.cells: list[tuple[pygame.Rect, int]] = []  # (tap target, digit); empty while not shown
        self.pop: tuple[int, float] | None = None  # the digit jumping, and for how long

    def lay_out(self, rect: pygame.Rect | None) -> None:
        """Where the parade goes now; None: it is not shown."""
        self.cells = []
        if rect is None:
            return
        cell_w, cell_h = rect.width // 5, rect.height // 2
        for digit in range(10):
            row, col = divmod(digit, 5)
            self.cells.append((pygame.Rect(rect.x + col * cell_w, rect.y + row * cell_h, cell_w, cell_h), digit))

    def tap(self, x: float, y: float) -> int | None:
        """The digit tapped (and it jumps), or None."""
        for rect, digit in self.tiles:
            if rect.collidepoint(float(x), float(y)):
                self.pop = (digit, 0.0)
                return digit
        return None

    @property
    def tiles(self) -> list[tuple[pygame.Rect, int]]:
        """What a finger can tap: each cell a little inside its neighbours'."""
        return [(rect.inflate(-2, -2), digit) for rect, digit in self.cells]

    @property
    def animating(self) -> bool:
        return self.pop is not None

    def update(self, dt_ms: float) -> None:
        if self.pop is not None:
            digit, age = self.pop
            self.pop = (digit, age + dt_ms) if age + dt_ms < POP_MS else None

    def draw(self, surface: pygame.Surface, theme: Theme) -> None:
        t = theme
        for cell, digit in self.cells:
            size = min(7.0, cell.height / t.unit / 1.3)
            if self.pop is not None and self.pop[0] == digit:
                size *= 1.0 + 0.35 * math.sin(math.pi * self.pop[1] / POP_MS)
            draw_text(surface, str(digit), t.font(size), PALETTE[digit % len(PALETTE)], cell.center)
