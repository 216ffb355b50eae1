"""Replay injection: a replay's scripted inputs become real SDL touch events, so a replay takes exactly
the path a finger does (through kiosk.input's translation)."""

from __future__ import annotations

import pygame

from kiosk.replay import ReplayEvent


def post_replay_event(event: ReplayEvent, draw, size: tuple[int, int]) -> None:
    """Post the SDL touch events a finger would make for event (on the draw screen's canvas or buttons)."""
    canvas, (width, height) = draw.canvas, size  # replay coordinates are relative to the drawing canvas
    if event.type in ("clear", "recognize"):
        target = draw.buttons[event.type].rect.center
        kinds = (pygame.FINGERDOWN, pygame.FINGERUP)
    else:
        target = (canvas.x + event.x * canvas.width, canvas.y + event.y * canvas.height)
        kinds = ({"down": pygame.FINGERDOWN, "move": pygame.FINGERMOTION, "up": pygame.FINGERUP}[event.type],)
    for kind in kinds:
        pygame.event.post(
            pygame.event.Event(
                kind, x=target[0] / width, y=target[1] / height, dx=0.0, dy=0.0, finger_id=0, touch_id=0, pressure=1.0
            )
        )
