"""Text on screen: drawn centred, shrunk to a width, wrapped into paragraphs, cached (screens redraw every
frame), and recorded for the layout floors' test."""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pygame


_TEXT_CACHE: OrderedDict = OrderedDict()
_TEXT_CACHE_SIZE = (
    512  # every label of every screen in three languages, and the counters; bounded for months of running
)


def _rendered_text(text: str, font: pygame.font.Font, colour: tuple, max_width: int | None) -> pygame.Surface:
    # Screens redraw every frame; rendering the same labels again was a third of an idle frame's CPU.
    key = (text, font, colour, max_width)
    cached = _TEXT_CACHE.get(key)
    if cached is not None:
        _TEXT_CACHE.move_to_end(key)
        return cached
    rendered = font.render(text, True, colour)
    if max_width is not None and rendered.get_width() > max_width > 0:
        scale = max_width / rendered.get_width()
        rendered = pygame.transform.smoothscale(rendered, (max_width, max(1, int(rendered.get_height() * scale))))
    _TEXT_CACHE[key] = rendered
    if len(_TEXT_CACHE) > _TEXT_CACHE_SIZE:
        _TEXT_CACHE.popitem(last=False)
    return rendered


def forget_rendered_text() -> None:
    _TEXT_CACHE.clear()
    _wrapped.cache_clear()


@dataclass(frozen=True)
class DrawnText:
    """One piece of text as it reached the screen, for the layout floors' test."""

    text: str
    rect: pygame.Rect
    colour: tuple[int, int, int]
    background: tuple[int, int, int]  # the commonest colour under it, before it was drawn
    cap_px: float  # height of a capital letter as drawn (after any shrinking to fit)
    bold: bool
    squeezed: bool  # shrunk to fit its width


_recorders: list[list[DrawnText]] = []


@contextmanager
def recording_text():
    """Collect every draw_text call while inside (tests only: it samples the screen, which costs time)."""
    found: list[DrawnText] = []
    _recorders.append(found)
    try:
        yield found
    finally:
        _recorders.remove(found)


def _commonest_colour(surface: pygame.Surface, rect: pygame.Rect) -> tuple[int, int, int]:
    area = rect.clip(surface.get_rect())
    if area.width <= 0 or area.height <= 0:
        return (0, 0, 0)
    pixels = pygame.surfarray.array3d(surface.subsurface(area)).reshape(-1, 3)
    colours_found, counts = np.unique(pixels, axis=0, return_counts=True)
    return tuple(int(c) for c in colours_found[counts.argmax()])


def draw_text(
    surface: pygame.Surface,
    text: str,
    font: pygame.font.Font,
    colour,
    center: tuple[int, int],
    max_width: int | None = None,
) -> pygame.Rect:
    """Blit text centred at center, shrunk to max_width if it is wider (translations differ in length)."""
    rendered = _rendered_text(text, font, tuple(colour), max_width)
    rect = rendered.get_rect(center=center)
    if _recorders:
        natural = font.size(text)[0]
        scale = rendered.get_width() / natural if natural else 1.0
        metrics = font.metrics("H")[0]
        _recorders[-1].append(
            DrawnText(
                text,
                rect,
                tuple(colour)[:3],
                _commonest_colour(surface, rect),
                metrics[3] * scale,
                font.get_bold(),
                scale < 0.999,
            )
        )
    surface.blit(rendered, rect)
    return rect


@lru_cache(maxsize=256)
def _wrapped(text: str, font: pygame.font.Font, width: int) -> tuple[str, ...]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.size(trial)[0] > width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    # No short word alone on the last line ("... 0 to" / "9"): the word before it comes down to keep it company.
    if len(lines) >= 2 and " " not in lines[-1] and len(lines[-1]) <= 3 and " " in lines[-2]:
        head, moved = lines[-2].rsplit(" ", 1)
        if font.size(f"{moved} {lines[-1]}")[0] <= width:
            lines[-2:] = [head, f"{moved} {lines[-1]}"]
    return tuple(lines)


def wrap_lines(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """The words of text in lines no wider than width (a word wider than that gets a line of its own).
    Screens ask this every frame (to size a box, then to draw in it): measured once per text, font and width."""
    return list(_wrapped(text, font, width))


def draw_paragraph(
    surface: pygame.Surface, text: str, font: pygame.font.Font, colour, rect: pygame.Rect, max_lines: int | None = None
) -> int:
    """Text wrapped to rect's width and centred in it (rewrapped, never shrunk, where it fits max_lines;
    past that the rest is squeezed into the last line, which the layout test reports). Returns the lines used."""
    lines = wrap_lines(text, font, rect.width)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ".join(lines[max_lines - 1 :])]
    line_h = font.get_linesize()
    top = rect.centery - line_h * len(lines) / 2
    for i, line in enumerate(lines):
        draw_text(surface, line, font, colour, (rect.centerx, int(top + line_h * (i + 0.5))), max_width=rect.width)
    return len(lines)
