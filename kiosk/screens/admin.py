"""The grown-up's way out: a PIN keypad, reached by holding the top-left corner (no keyboard needed)."""
from __future__ import annotations

import pygame

from kiosk.ui import theme as colours
from kiosk.input import PointerDown, PointerEvent
from kiosk.language.phrases import Phrases
from kiosk.screens.base import Screen
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Button, draw_text

TIMEOUT_MS = 20_000  # a child who wandered in here is sent back to drawing


class PinScreen(Screen):
    """Enter the admin PIN from the config to stop the kiosk; anything else goes back to drawing."""

    def __init__(self, pin: str, theme: Theme, phrases: Phrases):
        self.pin, self.theme, self.phrases = pin, theme, phrases
        self.entered = ""
        self.message_id = "admin.prompt"
        self.next_screen: str | None = None
        self._idle_ms = 0.0
        self.keys = self._layout()

    def _layout(self) -> list[tuple[Button, str]]:
        t = self.theme
        size = min((t.height - 6 * t.margin) // 5, (t.width - 4 * t.margin) // 3, t.button_height * 2)
        left = (t.width - 3 * size - 2 * t.margin) // 2
        top = t.height - 4 * (size + t.margin)
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "Back", "0", "OK"]  # key names, not shown words
        keys = []
        for i, label in enumerate(labels):
            row, col = divmod(i, 3)
            rect = pygame.Rect(left + col * (size + t.margin), top + row * (size + t.margin), size, size)
            colour = {"Back": colours.UNDO, "OK": colours.RECOGNIZE}.get(label, colours.BAR)
            keys.append((Button(label, rect, colour), label))
        return keys

    def enter(self, handover=None) -> None:
        self.entered, self._idle_ms, self.message_id = "", 0.0, "admin.prompt"

    def handle(self, event: PointerEvent) -> None:
        if not isinstance(event, PointerDown):
            return
        self._idle_ms = 0.0
        for button, label in self.keys:
            if button.hit(event.x, event.y):
                self.press(label)
                return

    def press(self, label: str) -> None:
        if label == "Back":
            self.next_screen = "draw"
        elif label == "OK":
            if self.entered == self.pin:
                self.next_screen = "exit"
            else:
                self.entered, self.message_id = "", "admin.wrong"
        elif len(self.entered) < 8:
            self.entered += label

    def update(self, dt_ms: float) -> None:
        self._idle_ms += dt_ms
        if self._idle_ms >= TIMEOUT_MS:
            self.next_screen = "draw"

    def draw(self, surface: pygame.Surface) -> None:
        t = self.theme
        surface.fill(colours.BACKGROUND)
        draw_text(surface, self.phrases.text(self.message_id), t.font(2.2), colours.TEXT, (t.width // 2, t.margin + t.unit * 2), max_width=t.width - 2 * t.margin)
        draw_text(surface, "* " * len(self.entered) or "-", t.font(3), colours.TEXT, (t.width // 2, t.margin + t.unit * 5))
        for button, label in self.keys:
            shown = {"Back": "admin.back", "OK": "admin.ok"}.get(label)
            button.draw(surface, t, self.phrases.text(shown) if shown else None)
