"""Turn pygame touch and mouse events into one small set of pointer events, in screen pixels.

One finger draws at a time; a second finger is ignored so it cannot scribble. SDL also sends a
mouse event for every touch (with event.touch set): those are dropped so a finger never counts
twice. Plain mouse events are the pointer until the first finger event arrives (a desktop, or
Xwayland, where touches come as mouse events only); after that, only fingers draw, because some
X servers also emulate an untagged mouse for every touch.
Strange events (an unknown finger, motion without down, NaN coordinates) are ignored, never raised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class PointerDown:
    x: float
    y: float


@dataclass(frozen=True)
class PointerMove:
    x: float
    y: float


@dataclass(frozen=True)
class PointerUp:
    x: float
    y: float


PointerEvent = PointerDown | PointerMove | PointerUp
_MOUSE_ID = "mouse"


class PointerTranslator:
    """Tracks which finger (or the mouse) is drawing and translates events for it alone."""

    def __init__(self, screen_size: tuple[int, int]):
        self.width, self.height = screen_size
        self._active: object | None = None  # finger id, _MOUSE_ID, or None
        self.seen_finger = False

    def translate(self, event: pygame.event.Event) -> PointerEvent | None:
        """The pointer event for a pygame event, or None when it is not ours to act on."""
        if event.type in (pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP):
            self.seen_finger = True
            x, y = getattr(event, "x", math.nan) * self.width, getattr(event, "y", math.nan) * self.height
            return self._route(event.type, ("finger", getattr(event, "finger_id", None)), x, y)
        if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEMOTION, pygame.MOUSEBUTTONUP):
            if getattr(event, "touch", False) or (self.seen_finger and self._active != _MOUSE_ID):
                return None  # a copy of a touch we already handled
            if event.type != pygame.MOUSEMOTION and getattr(event, "button", 1) != 1:
                return None
            if event.type == pygame.MOUSEMOTION and not (
                getattr(event, "buttons", (0,))[0] or self._active == _MOUSE_ID
            ):
                return None
            kind = {pygame.MOUSEBUTTONDOWN: pygame.FINGERDOWN, pygame.MOUSEMOTION: pygame.FINGERMOTION}.get(
                event.type, pygame.FINGERUP
            )
            x, y = getattr(event, "pos", (math.nan, math.nan))
            return self._route(kind, _MOUSE_ID, float(x), float(y))
        return None

    def _route(self, kind: int, pointer: object, x: float, y: float) -> PointerEvent | None:
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        x, y = min(max(x, 0.0), self.width - 1.0), min(max(y, 0.0), self.height - 1.0)
        if kind == pygame.FINGERDOWN:
            if self._active is not None:
                return None  # a second finger: ignore it
            self._active = pointer
            return PointerDown(x, y)
        if pointer != self._active:
            return None  # motion or lift of a finger that is not drawing
        if kind == pygame.FINGERMOTION:
            return PointerMove(x, y)
        self._active = None
        return PointerUp(x, y)

    @property
    def active(self) -> bool:
        """A finger (or the mouse button) is down right now."""
        return self._active is not None

    def cancel(self) -> None:
        """Forget the active pointer (e.g. the window lost focus mid-stroke)."""
        self._active = None
