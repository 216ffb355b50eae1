"""The pictures of the Learn view: a layer's lights, its feature maps, what a unit looks for, the glowing drawing.

Each one turns an array from kiosk/insight into a surface (numpy -> a small surface -> scaled up), so a frame
costs a few blits; how lit a picture is comes in as a number from the story, 0..1.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

from kiosk.ui import colours

DARK = np.array(colours.PIXEL_OFF, np.float32)
LIT = np.array((255, 214, 60), np.float32)  # a light that fires: warm yellow on the dark panel
WARM = np.array((255, 150, 40), np.float32)  # a weight that wants ink here
COOL = np.array((70, 150, 255), np.float32)  # a weight that wants no ink here
GLOW = (255, 150, 0)  # the parts of the drawing that mattered


def field_shape(units: int, rect: pygame.Rect) -> tuple[int, int]:
    """(rows, cols) of a grid of units shaped like rect: as square cells as the rect allows."""
    cols = max(1, min(units, round(math.sqrt(units * rect.width / max(1, rect.height)))))
    return math.ceil(units / cols), cols


def field_cells(units: int, rect: pygame.Rect) -> tuple[int, int, int, tuple[int, int]]:
    """(rows, cols, cell px, top-left) of the field of lights drawn in rect."""
    rows, cols = field_shape(units, rect)
    cell = max(1, min(rect.width // cols, rect.height // rows))
    origin = (rect.x + (rect.width - cell * cols) // 2, rect.y + (rect.height - cell * rows) // 2)
    return rows, cols, cell, origin


def unit_at(units: int, rect: pygame.Rect, x: float, y: float) -> int | None:
    """The unit under a finger at (x, y) in the field drawn in rect, or None."""
    rows, cols, cell, origin = field_cells(units, rect)
    col, row = int((x - origin[0]) // cell), int((y - origin[1]) // cell)
    index = row * cols + col
    return index if 0 <= col < cols and 0 <= row < rows and index < units else None


def lit_unit_near(values: np.ndarray, rect: pygame.Rect, x: float, y: float, reach: int = 2) -> int | None:
    """The unit a finger at (x, y) means: the brightest within reach cells of the one under it (a small finger
    on a dark light most likely wanted the lit one beside it), or the one under it when none near is lit."""
    under = unit_at(len(values), rect, x, y)
    if under is None:
        return None
    rows, cols, _, _ = field_cells(len(values), rect)
    row, col = divmod(under, cols)
    near = [r * cols + c for r in range(max(0, row - reach), min(rows, row + reach + 1))
            for c in range(max(0, col - reach), min(cols, col + reach + 1)) if r * cols + c < len(values)]
    best = max(near, key=lambda unit: values[unit])
    return best if values[best] > 0 else under


def _surface(rgb: np.ndarray, size: tuple[int, int]) -> pygame.Surface:
    """(H, W, 3) colours -> a surface of size, nearest neighbour (each value a square)."""
    small = pygame.surfarray.make_surface(np.ascontiguousarray(rgb.transpose(1, 0, 2)).astype(np.uint8))
    return pygame.transform.scale(small, size)


def _heat(values: np.ndarray, top: float, lit: float) -> np.ndarray:
    """(...) activations -> (..., 3) colours from dark to lit, scaled by the layer's top value and how lit it is."""
    level = np.clip(values / top, 0, 1)[..., None] * lit if top > 0 else np.zeros((*values.shape, 1))
    return DARK + (LIT - DARK) * level


def field_surface(values: np.ndarray, rect: pygame.Rect, lit: float) -> tuple[pygame.Surface, tuple[int, int]]:
    """A dense layer as a field of lights: one square per unit with a dark gap around it."""
    rows, cols, cell, origin = field_cells(len(values), rect)
    grid = np.zeros(rows * cols, np.float32)
    grid[: len(values)] = values
    colours_ = _heat(grid.reshape(rows, cols), float(values.max()), lit)
    big = np.repeat(np.repeat(colours_, 4, axis=0), 4, axis=1)  # 4x4 per unit ...
    big[3::4, :] = DARK * 0.6  # ... with a gap below and to the right
    big[:, 3::4] = DARK * 0.6
    return _surface(big, (cell * cols, cell * rows)), origin


def maps_surfaces(maps: np.ndarray, channels: list[int], side: int, lit: float) -> list[pygame.Surface]:
    """Some feature maps of a convolution (C, H, W), each as a side x side picture, on the layer's own scale."""
    top = float(maps.max())
    return [_surface(_heat(maps[c], top, lit), (side, side)) for c in channels]


def dim(surface: pygame.Surface, rect: pygame.Rect, amount: float) -> None:
    """Darken rect towards the dark panel by amount (0: as it is, 1: dark): a layer fading in."""
    veil = pygame.Surface(rect.size)
    veil.fill(colours.PIXEL_OFF)
    veil.set_alpha(int(255 * min(1.0, max(0.0, amount))))
    surface.blit(veil, rect.topleft)


def badge_filters(pictures: list[pygame.Surface], filters: list[np.ndarray]) -> None:
    """Put each map's 3x3 filter in its top-left corner, a third of its side, framed: a stroke detector's badge."""
    for picture, kernel in zip(pictures, filters):
        side = max(3, picture.get_width() // 3)
        picture.blit(weights_surface(kernel, side), (0, 0))
        pygame.draw.rect(picture, colours.PIXEL_ON, (0, 0, side + 1, side + 1), width=1)


def brightest(maps: np.ndarray, count: int) -> list[int]:
    """The count channels that fire most on this drawing (stable order: the lowest index first among equals)."""
    totals = maps.reshape(len(maps), -1).sum(axis=1)
    return sorted(np.argsort(-totals, kind="stable")[:count].tolist())


def weights_surface(weights: np.ndarray, side: int) -> pygame.Surface:
    """What a unit looks for: its weights as warm (wants ink) and cool (wants none) squares on dark."""
    top = float(np.abs(weights).max()) or 1.0
    level = (weights / top)[..., None]
    rgb = np.where(level > 0, DARK + (WARM - DARK) * level, DARK + (COOL - DARK) * -level)
    return _surface(rgb, (side, side))


def draw_glowing_strokes(surface: pygame.Surface, canvas: pygame.Rect, points: list[np.ndarray],
                         glow: list[np.ndarray], width: int, shown: float) -> None:
    """The child's strokes (in screen pixels, inside canvas), glowing where they mattered (glow 0..1 a point)."""
    if shown <= 0:
        return
    layer = pygame.Surface(canvas.size, pygame.SRCALPHA)
    corner = np.array(canvas.topleft)
    for stroke, values in zip(points, glow):
        for a, b, value in zip(stroke[:-1] - corner, stroke[1:] - corner, values[1:]):
            if value > 0.25:  # only the parts that mattered, not a faint wash over everything
                alpha = int(255 * shown * min(1.0, float(value)))
                pygame.draw.line(layer, (*GLOW, alpha), a, b, width + 4)
    surface.blit(layer, canvas.topleft)
