"""Colours, sizes and fonts, all derived from the screen size so 800x480 and 1920x1080 both look right."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pygame

BACKGROUND = (255, 246, 229)  # warm paper
CANVAS = (255, 255, 255)
CANVAS_BORDER = (250, 200, 120)
INK = (30, 40, 90)
TEXT = (40, 40, 60)
SOFT_TEXT = (120, 110, 100)
BAR = (120, 180, 250)
BAR_BEST = (60, 200, 120)
BAR_TRACK = (238, 228, 210)
CLEAR = (250, 120, 110)
UNDO = (250, 190, 80)
RECOGNIZE = (70, 190, 120)
BUTTON_TEXT = (255, 255, 255)
PIXEL_ON = (255, 255, 255)
PIXEL_OFF = (25, 25, 40)
COUNT_DOT = (250, 160, 60)


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
    def button_height(self) -> int:
        # At least ~9 mm on a 7" 800x480 screen: big enough for a small finger.
        return max(56, self.unit * 5)

    @property
    def admin_zone(self) -> pygame.Rect:
        """The grown-ups' corner, bottom left: 10 mm square on a 7" 800x480 panel (56 px), scaled with the
        screen. No screen puts a child's target or the canvas here, so drawing can never reach it."""
        side = max(56, round(min(self.width, self.height) * 0.117))
        return pygame.Rect(0, self.height - side, side, side)

    @property
    def pen_px(self) -> int:
        return max(8, self.unit * 2)

    def font(self, size_units: float, bold: bool = True) -> pygame.font.Font:
        size_px = max(10, int(self.unit * size_units))
        font = _font(size_px, bold)
        try:
            font.get_height()  # pygame-ce refuses fonts made before pygame.font was last quit
        except pygame.error:
            forget_fonts()
            font = _font(size_px, bold)
        return font


@lru_cache(maxsize=32)
def _font(size_px: int, bold: bool) -> pygame.font.Font:
    font = pygame.font.Font(None, size_px)  # pygame's bundled font: always there, no network
    font.set_bold(bold)
    return font


def forget_fonts() -> None:
    """Drop fonts (and the labels rendered with them) made before pygame.font was last quit: pygame-ce
    refuses to render with them ("font module quit since font created"). Theme.font calls it."""
    from kiosk.ui import widgets

    _font.cache_clear()
    widgets.forget_rendered_text()
