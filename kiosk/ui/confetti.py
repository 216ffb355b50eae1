"""Confetti: the celebration when a child says the answer was right."""

from __future__ import annotations

import numpy as np
import pygame

from kiosk.ui import colours

CONFETTI_MS = 2400  # long enough to be seen, gone before the next drawing
PIECES = 60
PALETTE = (colours.CLEAR, colours.UNDO, colours.RECOGNIZE, colours.BAR, colours.COUNT_DOT)


class Confetti:
    """Big pieces raining down over the whole screen from above its top edge, for more than two seconds."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.pieces: list[list[float]] = []  # x, y, vx, vy (px, px/ms), colour index
        self.age_ms = 0.0

    def start(self) -> None:
        rng = np.random.default_rng()
        speed = self.height / 2400  # px per ms: the screen's height in about 2.4 s
        self.pieces = [
            [
                float(rng.uniform(0, self.width)),
                float(rng.uniform(-self.height * 0.4, 0)),
                float(rng.normal(0, speed * 0.2)),
                float(rng.uniform(0.5, 1.0) * speed),
                i % len(PALETTE),
            ]
            for i in range(PIECES)
        ]
        self.age_ms = 0.0

    @property
    def running(self) -> bool:
        return bool(self.pieces)

    def update(self, dt_ms: float) -> None:
        if not self.pieces:
            return
        self.age_ms += dt_ms
        gravity = self.height / 2400 / 3000  # a gentle speeding up
        for piece in self.pieces:
            piece[0] += piece[2] * dt_ms
            piece[1] += piece[3] * dt_ms
            piece[3] += gravity * dt_ms
        if self.age_ms >= CONFETTI_MS:
            self.pieces = []

    def draw(self, surface: pygame.Surface, unit: int) -> None:
        for x, y, _, _, colour in self.pieces:
            pygame.draw.rect(
                surface, PALETTE[int(colour)], pygame.Rect(int(x), int(y), unit, int(unit * 0.6)), border_radius=2
            )
