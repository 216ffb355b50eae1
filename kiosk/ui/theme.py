"""Sizes and fonts, all derived from the screen size so 800x480 and 1920x1080 both look right (the colours
are in kiosk.ui.colours)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pygame

from kiosk.ui import text


@dataclass(frozen=True)
class Theme:
    """Sizes in pixels for one screen size."""

    width: int
    height: int

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    @property
    def unit(self) -> int:
        # 1/40 of the short side: 12 px on an 800x480 Pi screen, 27 px at 1080p.
        return max(8, min(self.width, self.height) // 40)

    @property
    def margin(self) -> int:
        return self.unit

    @property
    def touch(self) -> tuple[int, int]:
        """The smallest finger target, width and height: 10 mm on a 7" 800x480 panel (5.2 x 5.6 px/mm),
        scaled with the short side elsewhere."""
        scale = min(self.width, self.height) / 480
        return math.ceil(52 * scale), math.ceil(56 * scale)

    @property
    def button_height(self) -> int:
        # At least 10 mm on a 7" 800x480 screen: big enough for a small finger.
        return max(self.touch[1], self.unit * 5)

    @property
    def admin_zone(self) -> pygame.Rect:
        """The grown-ups' corner, bottom left: 10 mm square on a 7" 800x480 panel (56 px), scaled with the
        screen. No screen puts a child's target or the canvas here, so drawing can never reach it."""
        side = max(56, round(min(self.width, self.height) * 0.117))
        return pygame.Rect(0, self.height - side, side, side)

    @property
    def pen_px(self) -> int:
        return max(8, self.unit * 2)

    @property
    def smallest_text_px(self) -> int:
        """No word on a child's screen is smaller: a 3 mm cap height on the 7" 800x480 panel (16.8 px,
        pygame's font at 34 px), scaled with the short side."""
        return _px_for_cap(SMALLEST_CAP_PX * min(self.width, self.height) / 480)

    def font(self, size_units: float, bold: bool = True) -> pygame.font.Font:
        size_px = max(self.smallest_text_px, int(self.unit * size_units))
        font = _font(size_px, bold)
        try:
            font.get_height()  # pygame-ce refuses fonts made before pygame.font was last quit
        except pygame.error:
            forget_fonts()
            font = _font(size_px, bold)
        return font


SMALLEST_CAP_PX = 16.8  # 3 mm on the 7" panel's 5.6 px/mm


@lru_cache(maxsize=16)
def _px_for_cap(cap_px: float) -> int:
    """The smallest font size whose capital letters are at least cap_px tall (pygame's font, bold or not)."""
    size = max(10, int(cap_px * 1.8))
    while min(_font(size, bold).metrics("H")[0][3] for bold in (False, True)) < cap_px:
        size += 1
    return size


@lru_cache(maxsize=32)
def _font(size_px: int, bold: bool) -> pygame.font.Font:
    font = pygame.font.Font(None, size_px)  # pygame's bundled font: always there, no network
    font.set_bold(bold)
    return font


def forget_fonts() -> None:
    """Drop fonts (and the labels rendered with them) made before pygame.font was last quit: pygame-ce
    refuses to render with them ("font module quit since font created"). Theme.font calls it."""
    _font.cache_clear()
    _px_for_cap.cache_clear()
    text.forget_rendered_text()
