"""The answered drawing moving away when the next one begins, so a child sees a fresh start at once."""

from __future__ import annotations

import pygame

THUMBNAIL = 0.2  # of its size: where the old drawing ends up, small in the canvas's top-left corner
FADE_FROM = 0.5  # of the way: it shrinks whole first, then fades as it reaches the corner


def leaving_rect(canvas: pygame.Rect, progress: float) -> pygame.Rect:
    """Where the old drawing is, progress 0..1 of the way from filling the canvas to a corner thumbnail."""
    p = min(max(progress, 0.0), 1.0)
    eased = 1 - (1 - p) ** 2  # fast away from the new ink, slow into the corner
    scale = 1 - (1 - THUMBNAIL) * eased
    return pygame.Rect(canvas.x, canvas.y, max(1, round(canvas.width * scale)), max(1, round(canvas.height * scale)))


def draw_leaving_ink(surface: pygame.Surface, old: pygame.Surface, canvas: pygame.Rect, progress: float) -> None:
    """Draw the old ink (a canvas-sized surface) shrinking into the corner and fading near the end."""
    where = leaving_rect(canvas, progress)
    small = pygame.transform.smoothscale(old, where.size)
    fade = max(0.0, (progress - FADE_FROM) / (1 - FADE_FROM))
    small.set_alpha(max(0, int(255 * (1 - fade))))
    surface.blit(small, where.topleft)
