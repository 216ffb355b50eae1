"""When a new visitor has come: the one decision that ends what the last child taught, on an injected clock.

A queue of children never leaves the kiosk idle for the attract loop's 90 s, so idleness is one sign among
several: nobody touching the drawing screen for QUIET_S (one child's drawings follow each other within
seconds; a new child walks up), the attract loop starting, the language changed, the game starting. When a
sign comes, every listener forgets the last visitor: the in-session memory and the brain they trained.
"""

from __future__ import annotations

import logging
from typing import Callable

log = logging.getLogger(__name__)

QUIET_S = 15.0  # no touch on the drawing screen for this long: the child who was here has gone
SIGNS = ("quiet", "attract", "language", "game")  # what can mark a new visitor (the event log names it)


class VisitorWatch:
    """Watches for the signs of a new visitor and tells the listeners; touched() and tick() from the screen."""

    def __init__(self, clock: Callable[[], float], quiet_s: float = QUIET_S):
        self.clock, self.quiet_s = clock, quiet_s
        self.listeners: list[Callable[[str], object]] = []
        self.last_touch_s: float | None = None  # None: nobody has touched since the last new visitor

    def listen(self, listener: Callable[[str], object]) -> None:
        """listener(sign) is called whenever a new visitor is marked."""
        self.listeners.append(listener)

    def touched(self) -> None:
        """A finger on the drawing screen: a long quiet before it has already been noticed by tick()."""
        self.tick()
        self.last_touch_s = self.clock()

    def tick(self) -> str | None:
        """ "quiet" (once) when nobody has touched for quiet_s since the last touch; else None."""
        if self.last_touch_s is None or self.clock() - self.last_touch_s < self.quiet_s:
            return None
        self.new_visitor("quiet")
        return "quiet"

    def new_visitor(self, sign: str) -> None:
        """A sign of a new visitor (one of SIGNS): every listener forgets the last one."""
        assert sign in SIGNS, sign
        log.info("a new visitor (%s): forgetting the last one's lessons and brain", sign)
        self.last_touch_s = None
        for listener in self.listeners:
            listener(sign)
