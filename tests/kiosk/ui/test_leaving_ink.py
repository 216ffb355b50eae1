"""The answered drawing moves away when the next begins: it shrinks into the corner, then is gone."""

import pygame

from kiosk.ui.leaving_ink import THUMBNAIL, draw_leaving_ink, leaving_rect

CANVAS = pygame.Rect(100, 50, 400, 400)


def old_ink() -> pygame.Surface:
    """A canvas-sized drawing: a thick black bar across the canvas's bottom-right quarter."""
    ink = pygame.Surface(CANVAS.size, pygame.SRCALPHA)
    ink.fill((0, 0, 0, 255), pygame.Rect(200, 300, 200, 100))
    return ink


def drawn(progress: float) -> pygame.Surface:
    screen = pygame.Surface((600, 500))
    screen.fill((255, 255, 255))
    draw_leaving_ink(screen, old_ink(), CANVAS, progress)
    return screen


def test_it_shrinks_from_the_whole_canvas_into_a_corner_thumbnail():
    sizes = [leaving_rect(CANVAS, p / 10).width for p in range(11)]
    assert sizes[0] == CANVAS.width and sizes == sorted(sizes, reverse=True)
    end = leaving_rect(CANVAS, 1.0)
    assert end.topleft == CANVAS.topleft and end.width == round(CANVAS.width * THUMBNAIL)


def test_the_child_sees_it_move_away_and_then_go():
    assert drawn(0.0).get_at((CANVAS.x + 300, CANVAS.y + 350))[:3] == (0, 0, 0), "at first where it was"
    halfway = drawn(0.5)
    assert halfway.get_at((CANVAS.x + 300, CANVAS.y + 350))[:3] == (255, 255, 255), "no longer where it was"
    where = leaving_rect(CANVAS, 0.5)
    inside = halfway.get_at((where.x + int(where.width * 0.75), where.y + int(where.height * 0.85)))
    assert max(inside[:3]) < 60, "but smaller (smoothly scaled), on its way to the corner"
    gone = drawn(1.0)
    assert all(gone.get_at((x, y))[:3] == (255, 255, 255) for x in range(100, 500, 10) for y in range(50, 450, 10))
