"""Replay injection: a replay's scripted inputs become real SDL touch events, so a replay takes exactly
the path a finger does (through kiosk.input's translation and the handlers a tap calls)."""

from __future__ import annotations

import logging

import pygame

from kiosk.replay import ReplayEvent

log = logging.getLogger(__name__)


def _targets(event: ReplayEvent, draw) -> list[tuple[float, float]]:
    """Where a finger taps for a button event: Clear, Go, or the answer to "Did I get it right?"."""
    if event.type in ("clear", "recognize"):
        return [draw.buttons[event.type].rect.center]
    feedback = draw.feedback
    if not feedback.buttons:
        return []  # no question has been laid out: nothing there to tap
    if event.type == "yes":
        return [feedback.buttons["yes"].rect.center]
    opener = "tell" if feedback.answer is None else "no"  # "not sure" asks "which number?" with one button
    key = next(button for button, digit in feedback.keys if digit == event.digit)
    return [feedback.buttons[opener].rect.center, key.rect.center]


def post_replay_event(event: ReplayEvent, draw, size: tuple[int, int]) -> None:
    """Post the SDL touch events a finger would make for event (on the draw screen's canvas or buttons)."""
    canvas, (width, height) = draw.canvas, size  # replay coordinates are relative to the drawing canvas
    if event.type in ("down", "move", "up"):
        kind = {"down": pygame.FINGERDOWN, "move": pygame.FINGERMOTION, "up": pygame.FINGERUP}[event.type]
        touches = [(kind, (canvas.x + event.x * canvas.width, canvas.y + event.y * canvas.height))]
    else:
        taps = _targets(event, draw)
        if not taps:
            log.warning("replay at %.3f s: %s, but no question is on screen", event.t, event.type)
        touches = [(kind, target) for target in taps for kind in (pygame.FINGERDOWN, pygame.FINGERUP)]
    for kind, target in touches:
        pygame.event.post(
            pygame.event.Event(
                kind, x=target[0] / width, y=target[1] / height, dx=0.0, dy=0.0, finger_id=0, touch_id=0, pressure=1.0
            )
        )
