"""Pictures drawn with lines for where a child cannot read a word: the tabs' icons and the game's star
(no font has these glyphs for sure)."""

from __future__ import annotations

import math

import pygame


def draw_tab_icon(surface: pygame.Surface, name: str, rect: pygame.Rect, colour) -> None:
    """The tab's picture, drawn with lines (no font has these glyphs for sure), 3:1 or more on its tab."""
    s = min(rect.width, rect.height) * 0.3  # half the icon's size
    cx, cy = rect.center
    line = max(2, int(s / 5))
    if name == "draw":  # a pencil, slanted, writing
        tip, end = (cx - s * 0.8, cy + s * 0.8), (cx + s * 0.8, cy - s * 0.8)
        pygame.draw.line(surface, colour, (tip[0] + s * 0.3, tip[1] - s * 0.3), end, int(s * 0.45))
        pygame.draw.polygon(
            surface, colour, [tip, (tip[0] + s * 0.05, tip[1] - s * 0.55), (tip[0] + s * 0.55, tip[1] - s * 0.05)]
        )
    elif name == "game":  # a star: the game
        draw_star(surface, (cx, cy), s * 1.1, colour)
    elif name == "examples":  # a wall of four tiles
        tile = s * 0.85
        for dx in (-1, 1):
            for dy in (-1, 1):
                box = pygame.Rect(0, 0, int(tile), int(tile))
                box.center = (int(cx + dx * tile * 0.6), int(cy + dy * tile * 0.6))
                pygame.draw.rect(surface, colour, box, width=line, border_radius=line)
    elif name == "learn":  # a light bulb
        pygame.draw.circle(surface, colour, (int(cx), int(cy - s * 0.25)), int(s * 0.65), width=line)
        base = pygame.Rect(0, 0, int(s * 0.6), int(s * 0.45))
        base.midtop = (int(cx), int(cy + s * 0.4))
        pygame.draw.rect(surface, colour, base)
    else:  # settings: three sliders with their knobs in different places
        for row, knob in ((-1, -0.4), (0, 0.5), (1, -0.1)):
            y = int(cy + row * s * 0.7)
            pygame.draw.line(surface, colour, (int(cx - s), y), (int(cx + s), y), line)
            pygame.draw.circle(surface, colour, (int(cx + knob * s), y), int(s * 0.25))


def draw_star(surface: pygame.Surface, center, radius: float, colour, filled: bool = True) -> None:
    """A five-pointed star, point up (the game's tab and the stars a child earns)."""
    cx, cy = center
    points = [
        (
            cx + math.sin(i * math.pi / 5) * radius * (1.0 if i % 2 == 0 else 0.45),
            cy - math.cos(i * math.pi / 5) * radius * (1.0 if i % 2 == 0 else 0.45),
        )
        for i in range(10)
    ]
    pygame.draw.polygon(surface, colour, points, width=0 if filled else max(2, int(radius / 8)))
