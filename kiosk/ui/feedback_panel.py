"""FeedbackPanel: "Did I get it right?" under an answer, and a 0-9 keypad for "Which number did you draw?".

It only asks and collects the child's answer; the drawing screen stores it and says thank you.
"""

from __future__ import annotations

import enum

import pygame

from kiosk.ui import colours
from kiosk.input import PointerDown, PointerEvent
from kiosk.language.phrases import Phrases
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Button, draw_paragraph, draw_text, wrap_lines

THANKS_MS = 2500  # how long the thank-you stays before the model chips come back
ASK_MS = 30_000  # an unanswered question goes away, and the model chips come back (it is also said aloud)


class State(enum.Enum):
    HIDDEN = "hidden"
    ASK = "ask"  # yes / no (or "tell me" when the kiosk was not sure)
    KEYPAD = "keypad"
    THANKS = "thanks"


class FeedbackPanel:
    """Asks about one answer; handle() returns the child's label (0-9) once they give it."""

    def __init__(self, theme: Theme, phrases: Phrases):
        self.theme, self.phrases = theme, phrases
        self.state = State.HIDDEN
        self.confirmed = False
        self.title_h = 0
        self.answer: int | None = None
        self._thanks_ms = 0.0
        self._asked_ms = 0.0
        self.row = pygame.Rect(0, 0, 0, 0)
        self.keypad_area = pygame.Rect(0, 0, 0, 0)
        self.buttons: dict[str, Button] = {}
        self.keys: list[tuple[Button, int]] = []

    @property
    def asking(self) -> bool:
        return self.state in (State.ASK, State.KEYPAD)

    def offer(self, answer: int | None) -> None:
        """A new answer is on screen: ask about it."""
        self.state, self.answer, self._asked_ms = State.ASK, answer, 0.0

    def hide(self) -> None:
        self.state = State.HIDDEN

    def thank(self, confirmed: bool = False) -> None:
        """confirmed: the child said Yes (the words celebrate); else the child told the right number."""
        self.state, self._thanks_ms, self.confirmed = State.THANKS, 0.0, confirmed

    def update(self, dt_ms: float) -> None:
        if self.state is State.THANKS:
            self._thanks_ms += dt_ms
            if self._thanks_ms >= THANKS_MS:
                self.state = State.HIDDEN
        elif self.state is State.ASK:
            self._asked_ms += dt_ms
            if self._asked_ms >= ASK_MS:
                self.state = State.HIDDEN

    def layout(self, row: pygame.Rect, keypad_area: pygame.Rect) -> None:
        """Where the question row and (when open) the keypad go; called by the screen before drawing."""
        t = self.theme
        if row == self.row and keypad_area == self.keypad_area:
            return
        self.row, self.keypad_area = row, keypad_area
        width = min(row.width // 4, t.button_height * 2)
        no = pygame.Rect(row.right - width, row.y, width, row.height)
        yes = no.move(-width - t.unit, 0)
        self.buttons = {
            "yes": Button("ui.button.yes", yes, colours.RECOGNIZE),
            "no": Button("ui.button.no", no, colours.CLEAR),
            # "0-9" on it in every language: it opens the keypad, and leaves the question room for big words
            "tell": Button("0-9", pygame.Rect(row.right - width, row.y, width, row.height), colours.BAR),
        }
        title_font = t.font(2.4)
        title_lines = min(2, len(wrap_lines(self.phrases.text("feedback.which"), title_font, keypad_area.width)))
        self.title_h = title_font.get_linesize() * title_lines
        title_h = self.title_h + t.unit // 2
        gap = t.unit // 2 + 2
        back_h = max(t.button_height * 3 // 4, t.touch[1])
        grid = pygame.Rect(
            keypad_area.x, keypad_area.y + title_h, keypad_area.width, keypad_area.height - title_h - back_h - gap
        )
        side = min((grid.width - 4 * gap) // 5, (grid.height - gap) // 2)
        left = grid.centerx - (5 * side + 4 * gap) // 2
        self.keys = []
        for digit in range(10):
            row_i, col = divmod(digit, 5)
            rect = pygame.Rect(left + col * (side + gap), grid.y + row_i * (side + gap), side, side)
            self.keys.append((Button(str(digit), rect, colours.BAR), digit))
        self.buttons["back"] = Button(  # an arrow, not a word: most children here cannot read yet
            "admin.back",
            pygame.Rect(keypad_area.centerx - width, keypad_area.bottom - back_h, 2 * width, back_h),
            colours.UNDO,
            icon="back",
        )

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        """The buttons on screen in this state."""
        if self.state is State.ASK:
            shown = ("yes", "no") if self.answer is not None else ("tell",)
            return [(name, self.buttons[name].rect) for name in shown]
        if self.state is State.KEYPAD:
            return [(f"key {digit}", button.rect) for button, digit in self.keys] + [
                ("back", self.buttons["back"].rect)
            ]
        return []

    def handle(self, event: PointerEvent) -> tuple[str, int | None] | None:
        """("label", digit) when the child has said what it is, ("keypad", None) when the keypad opens,
        ("back", None) when it closes; None if the tap was not for this panel."""
        if not isinstance(event, PointerDown) or not self.buttons:
            return None  # not drawn yet (a second tap in the same frame as the answer): nothing to hit
        x, y = event.x, event.y
        if self.state is State.ASK:
            if self.answer is not None and self.buttons["yes"].hit(x, y):
                return ("label", self.answer)
            if (self.answer is not None and self.buttons["no"].hit(x, y)) or (
                self.answer is None and self.buttons["tell"].hit(x, y)
            ):
                self.state = State.KEYPAD
                return ("keypad", None)
        elif self.state is State.KEYPAD:
            for button, digit in self.keys:
                if button.hit(x, y):
                    return ("label", digit)
            if self.buttons["back"].hit(x, y):
                self.state = State.ASK
                return ("back", None)
            if self.keypad_area.collidepoint(float(x), float(y)):
                return ("inside", None)  # a near-miss between keys: swallowed, not a stroke
        return None

    def draw_row(self, surface: pygame.Surface) -> None:
        t, tr, row = self.theme, self.phrases.text, self.row
        if self.state is State.THANKS:  # a correction's thank-you is the panel's big sentence: said once, shown once
            if self.confirmed:
                draw_paragraph(surface, tr("feedback.yay"), t.font(2.2), colours.BAR_BEST, row, max_lines=2)
            return
        if self.state is not State.ASK:
            return
        shown = ("yes", "no") if self.answer is not None else ("tell",)
        question = tr("feedback.ask") if self.answer is not None else tr("feedback.which")
        text_right = min(self.buttons[name].rect.left for name in shown) - t.unit
        draw_paragraph(
            surface,
            question,
            t.font(1.9),
            colours.TEXT,
            pygame.Rect(row.x, row.y, text_right - row.x, row.height),
            max_lines=2,
        )
        for name in shown:
            button = self.buttons[name]
            if name == "tell":
                button.draw(surface, t, button.label)
                continue
            # a tick and a cross too, for children who cannot read yet; the word beside them, not under them
            button.draw(surface, t, "")
            (_tick if name == "yes" else _cross)(surface, button.rect)
            words = pygame.Rect(
                button.rect.x + int(button.rect.height * 0.42),
                button.rect.y,
                button.rect.width - int(button.rect.height * 0.42),
                button.rect.height,
            )
            draw_text(
                surface, tr(button.label), t.font(2.2), colours.BUTTON_TEXT, words.center, max_width=words.width - 4
            )

    def draw_keypad(self, surface: pygame.Surface) -> None:
        if self.state is not State.KEYPAD:
            return
        t, area = self.theme, self.keypad_area
        pygame.draw.rect(surface, colours.BACKGROUND, area.inflate(t.unit, t.unit // 2))
        draw_paragraph(
            surface,
            self.phrases.text("feedback.which"),
            t.font(2.4),
            colours.TEXT,
            pygame.Rect(area.x, area.y, area.width, self.title_h),
            max_lines=2,
        )
        for button, digit in self.keys:
            button.draw(
                surface, t, font_units=min(5.0, button.rect.height / t.unit * 0.75)
            )  # digits as big as the keys allow
        self.buttons["back"].draw(surface, t)


def _tick(surface: pygame.Surface, rect: pygame.Rect) -> None:
    u = rect.height / 10
    x, y = rect.x + u * 2.2, rect.centery
    pygame.draw.lines(
        surface,
        colours.BUTTON_TEXT,
        False,
        [(x - u, y), (x, y + u * 1.2), (x + u * 1.8, y - u * 1.5)],
        max(2, int(u * 0.6)),
    )


def _cross(surface: pygame.Surface, rect: pygame.Rect) -> None:
    u = rect.height / 10
    x, y = rect.x + u * 2.2, rect.centery
    width = max(2, int(u * 0.6))
    pygame.draw.line(surface, colours.BUTTON_TEXT, (x - u * 1.2, y - u * 1.2), (x + u * 1.2, y + u * 1.2), width)
    pygame.draw.line(surface, colours.BUTTON_TEXT, (x - u * 1.2, y + u * 1.2), (x + u * 1.2, y - u * 1.2), width)
