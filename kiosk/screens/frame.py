"""The frame every screen shares: where the drawing canvas, the answer panel and the tabs go for a screen size.

Worked out once from the theme, so no screen borrows its layout from another (the tabs stay put when the
child changes screens, and the examples wall knows how big the canvas is).
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.language.phrases import Phrases
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import NavBar


@dataclass(frozen=True)
class Frame:
    """The shared layout: canvas and panel rectangles, the tabs above the panel, the button row's top."""

    canvas: pygame.Rect
    panel: pygame.Rect  # below the tabs
    nav: NavBar
    buttons_y: int  # the drawing screen's Clear / Undo / Go row
    footer_left: int  # the panel's bottom row starts here, right of the grown-ups' corner where they meet


def lay_out_frame(theme: Theme, phrases: Phrases) -> Frame:
    """The frame for theme's screen size (landscape: canvas left, panel right; portrait: canvas on top)."""
    t = theme
    m, bh = t.margin, t.button_height
    if t.portrait:
        # A little less than half the height: the answer below needs room for a big digit and its bars.
        side = min(t.width - 2 * m, int((t.height - 3 * m - bh) * 0.42))
        canvas = pygame.Rect((t.width - side) // 2, m, side, side)
        buttons_y = canvas.bottom + m
        panel = pygame.Rect(m, buttons_y + bh + m, t.width - 2 * m, t.height - buttons_y - bh - 2 * m)
    else:
        side = t.height - 3 * m - bh
        canvas = pygame.Rect(m, m, side, side)
        buttons_y = canvas.bottom + m
        panel = pygame.Rect(canvas.right + 2 * m, m, t.width - canvas.right - 3 * m, t.height - 2 * m)
    zone = t.admin_zone  # the grown-ups' corner stays out of every child's reach
    footer_left = max(panel.x, zone.right + m // 2) if panel.bottom > zone.top else panel.x
    nav_h = t.touch[1]  # tabs a small finger can hit
    nav = NavBar(pygame.Rect(panel.x, panel.y, panel.width, nav_h), phrases)
    below_tabs = pygame.Rect(panel.x, panel.y + nav_h + m // 2, panel.width, panel.height - nav_h - m // 2)
    return Frame(canvas, below_tabs, nav, buttons_y, footer_left)
