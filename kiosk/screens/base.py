"""Screen: the contract every screen keeps with the App, and Transition, a screen's typed request to switch."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.config import KioskConfig
from kiosk.input import PointerDown, PointerEvent
from kiosk.ui.widgets import NavBar


@dataclass(frozen=True)
class Transition:
    """Where a screen asks to go, and what it hands over (the App does the switching)."""

    target: str  # a screen's name (the same as its tab), NavBar.LANGUAGE or EXIT
    strokes: list | None = None  # a drawing for the next screen (an example for the draw screen); None: nothing
    model_path: str | None = None  # "Try my brain": a model the visitor just trained, to answer on the draw screen


EXIT = "exit"  # the grown-ups' PIN asks the kiosk to stop


class Screen:
    """Base for screens: enter(strokes), handle(event), update(dt_ms), draw(surface), leave(), reset().

    A screen asks for a switch with go(); the App takes the transition, calls leave() on this screen and
    enter() on the next with the hand-over. reset() is for a new visitor (nobody was here for a while).
    """

    name = ""  # this screen's tab name
    animating = False  # True while something moves on its own (the App keeps the frame rate up)
    transition: Transition | None = None
    nav: NavBar | None = None  # the tabs, on every screen a child reaches by them

    def go(self, target: str, strokes: list | None = None, model_path: str | None = None) -> None:
        """Ask the App to switch to the screen named target."""
        self.transition = Transition(target, strokes, model_path)

    def take_transition(self) -> Transition | None:
        """The switch asked for, once (the App calls this every frame)."""
        transition, self.transition = self.transition, None
        return transition

    @property
    def next_screen(self) -> str | None:
        """The name of the screen asked for, if any."""
        return self.transition.target if self.transition is not None else None

    @next_screen.setter
    def next_screen(self, target: str | None) -> None:
        self.transition = Transition(target) if target else None

    def enter(self, strokes: list | None = None) -> None:
        """Arrive from another screen with its hand-over (the child's drawing, or an example)."""

    def leave(self) -> None:
        """The child goes to another screen: stop what should not run unseen."""

    def reset(self) -> None:
        """A new visitor: forget the last one's choices."""

    def configure(self, config: KioskConfig) -> None:
        """The settings file changed (SIGHUP): take what applies at once."""

    def handover(self) -> list | None:
        """The drawing this screen would hand over."""
        return None

    def handle(self, event: PointerEvent) -> None:
        """A pointer event; by default only the tabs answer."""
        self.follow_tab(event)

    def update(self, dt_ms: float) -> None:
        """Advance time; nothing moves by default."""

    def draw(self, surface: pygame.Surface) -> None:
        """Draw the screen as it is now: only draw (no state changes, no models)."""
        raise NotImplementedError

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        """What a finger can tap on this screen now: named rectangles, for the layout floors."""
        return self.nav.targets() if self.nav is not None else []

    def follow_tab(self, event: PointerEvent) -> bool:
        """Ask to switch screens if event is a tap on another tab; True if it was."""
        target = self.nav.hit(event.x, event.y) if self.nav is not None and isinstance(event, PointerDown) else None
        if target and target != self.name:
            self.go(target)
            return True
        return False
