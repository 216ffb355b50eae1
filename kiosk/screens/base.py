"""Screen: what every screen has by default (still, no hand-over, tabs that switch screens)."""
from __future__ import annotations

from kiosk.input import PointerDown, PointerEvent


class Screen:
    """Base for screens: handle(event), update(dt_ms), draw(surface); next_screen names where to go."""

    name = ""  # this screen's tab name
    animating = False  # True while something moves on its own (the App keeps the frame rate up)
    next_screen: str | None = None

    def enter(self, handover=None) -> None:
        """Arrive from another screen with its hand-over value."""

    def handover(self):
        """What the next screen gets."""
        return None

    def update(self, dt_ms: float) -> None:
        """Advance time; nothing moves by default."""

    def targets(self) -> list[tuple[str, "pygame.Rect"]]:
        """What a finger can tap on this screen now (as last drawn): named rectangles, for the layout floors."""
        nav = getattr(self, "nav", None)
        return nav.targets() if nav is not None else []

    def follow_tab(self, event: PointerEvent) -> bool:
        """Ask to switch screens if event is a tap on another tab; True if it was."""
        nav = getattr(self, "nav", None)
        target = nav.hit(event.x, event.y) if nav is not None and isinstance(event, PointerDown) else None
        if target and target != self.name:
            self.next_screen = target
            return True
        return False
