"""The game's pictures: the asked digit with its dots to count, the rounds' stars, and the big buttons with a
picture for children who cannot read (Yes, No, Play again)."""

from __future__ import annotations

import math

import pygame

from kiosk.ui import colours
from kiosk.ui.icons import draw_star
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Button, draw_count_dots, draw_text


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


def draw_picture_button(surface: pygame.Surface, button: Button, theme: Theme, picture: str, words: str) -> None:
    """A big button that a child who cannot read still understands: a picture ("yes" a tick, "no" a cross,
    "again" a turning arrow) in a square at its left, the words in the rest."""
    button.draw(surface, theme, "")
    rect = button.rect
    side = min(rect.height, rect.width // 2)
    square = pygame.Rect(rect.x + theme.unit // 2, rect.centery - side // 2, side, side)
    _PICTURES[picture](surface, square.inflate(-side // 4, -side // 4), colours.BUTTON_TEXT)
    text = pygame.Rect(square.right, rect.y, rect.right - square.right - theme.unit // 2, rect.height)
    draw_text(surface, words, theme.font(2.4), colours.BUTTON_TEXT, text.center, max_width=text.width)


def _tick(surface: pygame.Surface, box: pygame.Rect, colour) -> None:
    width = max(3, box.width // 7)
    points = [(box.x, box.y + box.height * 0.55), (box.x + box.width * 0.38, box.bottom - width),
              (box.right, box.y + box.height * 0.12)]
    pygame.draw.lines(surface, colour, False, points, width)


def _cross(surface: pygame.Surface, box: pygame.Rect, colour) -> None:
    width = max(3, box.width // 7)
    inner = box.inflate(-box.width // 6, -box.height // 6)
    pygame.draw.line(surface, colour, inner.topleft, inner.bottomright, width)
    pygame.draw.line(surface, colour, inner.bottomleft, inner.topright, width)


def _turning_arrow(surface: pygame.Surface, box: pygame.Rect, colour) -> None:
    """Round and back to the start: once more (three quarters of a ring, its arrowhead at the top)."""
    width = max(3, box.width // 8)
    ring = box.inflate(-box.width // 8, -box.height // 8)
    pygame.draw.arc(surface, colour, ring, math.radians(90), math.radians(360), width)
    head = box.width * 0.22
    x, y = ring.centerx, ring.top + width / 2
    pygame.draw.polygon(surface, colour, [(x + head, y), (x - head * 0.2, y - head), (x - head * 0.2, y + head)])


_PICTURES = {"yes": _tick, "no": _cross, "again": _turning_arrow}
