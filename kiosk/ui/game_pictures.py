"""The game's pictures: the asked digit with its dots to count, and the rounds' stars."""

from __future__ import annotations

import pygame

from kiosk.ui import colours
from kiosk.ui.icons import draw_star
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import draw_count_dots, draw_text


def draw_asked_digit(surface: pygame.Surface, box: pygame.Rect, digit: int, theme: Theme, colour) -> None:
    """The asked digit as big as fits, and its dots to count right under it."""
    t = theme
    dots_h = max(t.unit * 2, box.height // 7)
    size_units = max(2.0, min((box.height - dots_h - t.unit) * 1.1, box.width * 0.9) / t.unit)
    font = t.font(size_units)
    _, _, _, top, _ = font.metrics(str(digit))[0]  # the glyph stands on the baseline, top px above it
    height = top + dots_h + t.unit  # the glyph, a gap and the dots, centred together in the box
    glyph_top = box.centery - height // 2
    # draw_text centres the line (ascent + descent); the glyph's middle is above the line's middle
    centre_y = glyph_top - (font.get_ascent() - top) + font.get_height() // 2
    draw_text(surface, str(digit), font, colour, (box.centerx, centre_y), max_width=box.width)
    dots = pygame.Rect(box.x, glyph_top + top + t.unit, box.width, dots_h)
    draw_count_dots(surface, dots, digit, t)


def draw_round_stars(surface: pygame.Surface, box: pygame.Rect, outcomes: list[str], rounds: int, big: bool) -> None:
    """One star per round: gold for a digit drawn, an outline for the rest (and the rounds to come)."""
    count = rounds
    radius = min(box.height / 2 if not big else box.height / 6, box.width / (count * 2.4))
    centre_y = box.centery
    for i in range(count):
        x = box.centerx + (i - (count - 1) / 2) * radius * 2.3
        earned = i < len(outcomes) and outcomes[i] != "tried"
        draw_star(surface, (x, centre_y), radius, colours.COUNT_DOT, filled=earned)
