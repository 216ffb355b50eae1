"""The grown-ups' gesture: a finger held in the corner (bottom left, outside the canvas) opens the PIN keypad.

No child's target is there, so neither drawing nor tapping a button can start it.
"""

from __future__ import annotations

import pygame

from kiosk.input import PointerDown, PointerEvent, PointerUp

ADMIN_HOLD_MS = 3000  # hold the grown-ups' corner this long to reach the PIN keypad


class GrownUpsCorner:
    """Watches for a finger that goes down in the corner and stays in it for ADMIN_HOLD_MS."""

    def __init__(self, zone: pygame.Rect):
        self.zone = zone
        self.held_ms: float | None = None  # None: no finger held there

    def track(self, pointer: PointerEvent) -> None:
        inside = self.zone.collidepoint(float(pointer.x), float(pointer.y))
        if isinstance(pointer, PointerDown):
            self.held_ms = 0.0 if inside else None
        elif isinstance(pointer, PointerUp) or not inside:
            self.held_ms = None

    def held(self, dt_ms: float) -> bool:
        """Advance time; True once, when the finger has been held long enough."""
        if self.held_ms is None:
            return False
        self.held_ms += dt_ms
        if self.held_ms < ADMIN_HOLD_MS:
            return False
        self.held_ms = None
        return True
