"""The grown-up's way out: a PIN keypad, reached by holding the grown-ups' corner (no keyboard needed).

Wrong PINs are slowed, then locked out for a while (logged; kiosk.screens.pin_lockout keeps the count across
restarts), so a patient child cannot try them all. Whether the built-in PIN is in use is for the log and the
grown-ups' docs: this screen never says so to whoever holds the corner.
"""

from __future__ import annotations

import math

import pygame

from kiosk.ui import colours
from kiosk.input import PointerDown, PointerEvent
from kiosk.language.phrases import Phrases
from kiosk.screens.base import EXIT, Screen
from kiosk.screens.pin_lockout import WAIT_AFTER_WRONG_MS, PinLockout
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Button, draw_paragraph, draw_text, wrap_lines

TIMEOUT_MS = 20_000  # a child who wandered in here is sent back to drawing


class PinScreen(Screen):
    """Enter the admin PIN from the config to stop the kiosk; anything else goes back to drawing."""

    name = "admin"  # no tab: reached by holding the grown-ups' corner

    def __init__(self, pin: str, theme: Theme, phrases: Phrases, lockout: PinLockout | None = None):
        self.pin, self.theme, self.phrases = pin, theme, phrases
        self.lockout = lockout if lockout is not None else PinLockout()  # None: counted in memory only
        self.entered = ""
        self.slots: list[pygame.Rect] = []  # where the typed digits' dots go, as last drawn
        self.message_id = "admin.prompt"
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
            keys.append((Button(label, rect, colour, icon="back" if label == "Back" else None), label))
        return keys

    def enter(self, strokes: list | None = None) -> None:
        self.entered, self._idle_ms = "", 0.0
        self.message_id = "admin.locked" if self.wait_ms >= WAIT_AFTER_WRONG_MS * 4 else "admin.prompt"

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        return [(f"key {label}", button.rect) for button, label in self.keys]

    @property
    def locked(self) -> bool:
        return self.lockout.locked

    @property
    def wait_ms(self) -> float:
        return self.lockout.wait_ms

    @property
    def wrong_in_a_row(self) -> int:
        return self.lockout.wrong_in_a_row

    def handle(self, event: PointerEvent) -> None:
        if not isinstance(event, PointerDown):
            return
        self._idle_ms = 0.0
        for button, label in self.keys:
            if self.locked and label != "Back":
                continue
            if button.hit(event.x, event.y):
                self.press(label)
                return

    def press(self, label: str) -> None:
        if label == "Back":
            self.go("draw")
        elif self.locked:
            return
        elif label == "OK":
            if self.entered == self.pin:
                self.lockout.right()
                self.go(EXIT)
            else:
                self._wrong()
        elif len(self.entered) < 8:
            self.entered += label

    def _wrong(self) -> None:
        self.entered, self.message_id = "", "admin.wrong"
        self.lockout.wrong()
        if self.wait_ms >= WAIT_AFTER_WRONG_MS * 4:
            self.message_id = "admin.locked"

    def count_down(self, dt_ms: float) -> None:
        """The wait runs wherever the kiosk is (the App calls this on every frame): leaving does not reset it."""
        self.lockout.count_down(dt_ms)
        if not self.locked and self.message_id == "admin.locked":
            self.message_id = "admin.prompt"

    def update(self, dt_ms: float) -> None:
        self._idle_ms += dt_ms
        if self._idle_ms >= TIMEOUT_MS:
            self.go("draw")

    @property
    def countdown(self) -> str:
        """The wait left, as a child's clock reads it: "5", "59", "4:59"."""
        seconds = math.ceil(self.wait_ms / 1000)
        return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else str(seconds)

    def draw(self, surface: pygame.Surface) -> None:
        t = self.theme
        surface.fill(colours.BACKGROUND)
        width = t.width - 2 * t.margin
        font = t.font(2.2)
        text = self.phrases.text(self.message_id)
        lines = min(2, len(wrap_lines(text, font, width)))
        box = pygame.Rect(t.margin, t.margin // 2, width, font.get_linesize() * lines)
        draw_paragraph(surface, text, font, colours.TEXT, box, max_lines=2)
        keys_top = min(button.rect.y for button, _ in self.keys)
        row = pygame.Rect(t.margin, box.bottom, width, keys_top - t.margin // 2 - box.bottom)
        self.slots = []
        if self.locked:  # the wait left, big, over a keypad that is plainly off
            draw_text(
                surface,
                self.countdown,
                t.font(row.height * 0.9 / t.unit),
                colours.TEXT,
                row.center,
                max_width=row.width,
            )
        else:
            self._draw_slots(surface, row)
        for button, label in self.keys:
            button.enabled = label == "Back" or not self.locked
            shown = {"Back": "admin.back", "OK": "admin.ok"}.get(label)
            button.draw(
                surface,
                t,
                self.phrases.text(shown) if shown else None,
                font_units=min(5.0, button.rect.height / t.unit * 0.6),
            )

    def _draw_slots(self, surface: pygame.Surface, row: pygame.Rect) -> None:
        """A ring for each digit to type (four, or as many as typed), filled with a big dot once typed: the
        same for every PIN, so the rings never tell its length."""
        count = max(4, len(self.entered))
        radius = max(4, min(row.height * 0.35, row.width / (count * 3)))
        step = radius * 3
        left = row.centerx - step * (count - 1) / 2
        for i in range(count):
            center = (round(left + i * step), row.centery)
            slot = pygame.Rect(0, 0, 2 * round(radius), 2 * round(radius))
            slot.center = center
            self.slots.append(slot)
            if i < len(self.entered):
                pygame.draw.circle(surface, colours.TEXT, center, round(radius))
            else:
                pygame.draw.circle(surface, colours.SOFT_TEXT, center, round(radius), width=max(2, round(radius / 6)))
