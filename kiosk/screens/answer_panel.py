"""The drawing screen's answer panel: the sentence, the hint and parade, the big digit, what the model saw,
the dots, the bars and the model chips. Drawn only: DrawScreen lays out the tap targets before."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pygame

from kiosk.recognition.recognizer import Prediction
from kiosk.ui import colours
from kiosk.ui.feedback_panel import State
from kiosk.ui.widgets import (
    draw_count_dots,
    draw_model_view,
    draw_paragraph,
    draw_probability_bars,
    draw_speaker_button,
    draw_text,
    wrap_lines,
)

GROW_MS = 450  # the bars grow to their height


class MessageBox(NamedTuple):
    """The panel's sentence as laid out: its words, font and box, and where what follows it starts."""

    text: str
    font: pygame.font.Font
    rect: pygame.Rect
    below_y: int  # the baseline row of its last line
    line_h: int


class AnswerPanel:
    """What DrawScreen draws beside the canvas (a part of DrawScreen, kept apart so each reads in one sitting)."""

    def _footer_h(self) -> int:
        return self.theme.touch[1] + int(self.theme.unit * 1.8)  # the model chips, or the question in their place

    def _message_box(self) -> MessageBox:
        t, panel = self.theme, self.panel
        y = panel.y + t.unit * 2
        # Without sound the answer must carry on its own: larger words, and a muted loudspeaker.
        width = panel.width - (self.say_again.width + t.unit if self.prediction is not None else 0)
        text = (
            self.phrases.text("prompt.keep_drawing")
            if self.prediction is None and self.guess is not None
            else self.message
        )
        # Words are rewrapped, never shrunk: a long sentence (or translation) takes two lines.
        font = t.font(3.2 if self.speaker.audible else 3.8)
        lines = min(3, len(wrap_lines(text, font, width)))
        line_h = font.get_linesize()
        return MessageBox(
            text, font, pygame.Rect(panel.x, y - line_h // 2, width, line_h * lines), y + line_h * (lines - 1), line_h
        )

    def _hint_box(self, message: MessageBox) -> tuple[str, pygame.font.Font, pygame.Rect]:
        tr, t = self.phrases.text, self.theme
        hint = tr("draw.hint.empty") if self.ink.is_empty else tr("draw.hint.lift")
        if self.recognizers and "trained_by" in self.recognizer.metadata:  # in the panel, where ink never covers it
            hint = tr("live.yours")
        font = t.font(1.8, bold=False)
        lines = min(3, len(wrap_lines(hint, font, self.panel.width)))
        top = message.below_y + message.line_h // 2 + t.unit // 2
        return hint, font, pygame.Rect(self.panel.x, top, self.panel.width, font.get_linesize() * lines)

    def _draw_panel(self, surface: pygame.Surface) -> None:
        message = self._message_box()
        draw_paragraph(surface, message.text, message.font, colours.TEXT, message.rect, max_lines=3)
        p = self.prediction or self.guess
        if p is None:
            hint, font, box = self._hint_box(message)
            draw_paragraph(surface, hint, font, colours.SOFT_TEXT, box, max_lines=3)
            self.digit_parade.draw(surface, self.theme)
            return
        tentative = self.prediction is None  # a quiet guess: soft colours, nothing said, nothing asked
        if not tentative and self.feedback.state is not State.KEYPAD:  # the keypad covers the panel
            draw_speaker_button(surface, self.say_again, muted=not self.speaker.audible)
        self._draw_answer(surface, p, tentative, message.below_y)
        if tentative:
            return
        if self.feedback.state is not State.HIDDEN:
            self.feedback.draw_row(surface)
        else:  # (the models' settings and test scores are for grown-ups: they are on the Settings screen)
            self._draw_model_chips(surface)
        self.feedback.draw_keypad(surface)  # over the answer, under the question
        self._draw_peek(surface)

    def _draw_peek(self, surface: pygame.Surface) -> None:
        """After an answer the light-bulb tab is ringed: a tap there looks inside the network at this drawing."""
        tab = dict(self.nav.tabs).get("learn")
        if tab is not None and self.feedback.state is not State.KEYPAD:
            ring = max(3, self.theme.unit // 3)
            pygame.draw.rect(surface, colours.COUNT_DOT, tab.inflate(ring, ring), width=ring,
                             border_radius=self.theme.unit // 2)

    def _draw_answer(self, surface: pygame.Surface, p: Prediction, tentative: bool, y: int) -> None:
        """The big digit popping in, what the model saw, the dots to count and the bars."""
        t, panel, tr = self.theme, self.panel, self.phrases.text
        colour = colours.SOFT_TEXT if tentative else colours.BAR_BEST if p.digit is not None else colours.UNDO
        # The big digit and the model's view shrink where the panel is short (portrait), so the bars keep room.
        side_max = min(panel.width // 2 - t.unit, panel.bottom - self._footer_h() - y - t.unit * 11)
        size = 14.0  # as big as the panel allows
        while size > 3 and t.font(size).get_height() * 1.4 > side_max:
            size -= 0.5
        big = t.font(size).render(str(p.digit if p.digit is not None else "?"), True, colour)
        digit_rect = big.get_rect(midtop=(panel.x + panel.width // 4, y + t.unit * 2))
        self._blit_popping(surface, big, digit_rect, self._answer_age_ms if not tentative else 1e9)
        side = max(t.unit * 2, min(side_max, int(digit_rect.height * 1.4)))
        view = pygame.Rect(0, 0, side, side)
        view.midtop = (panel.x + panel.width * 3 // 4, digit_rect.y)
        if view.colliderect(self.say_again) and self.prediction is not None:  # never under the speaker button
            view.top = self.say_again.bottom + 4
        draw_model_view(surface, view, p.image)
        sees_font = t.font(1.4, bold=False)
        caption_text = tr("draw.sees")  # "You taught me!" is the big sentence, said aloud
        sees = pygame.Rect(
            0,
            0,
            panel.width // 2,
            sees_font.get_linesize() * min(2, len(wrap_lines(caption_text, sees_font, panel.width // 2))),
        )
        sees.midtop = (view.centerx, view.bottom + 2)
        draw_paragraph(surface, caption_text, sees_font, colours.SOFT_TEXT, sees, max_lines=2)
        # Dots to count sit right under the big digit they belong to, apart from the bars.
        dots = pygame.Rect(0, 0, panel.width // 2 - t.unit, t.unit * 2)
        dots.midtop = (digit_rect.centerx, digit_rect.bottom + t.unit // 2)
        draw_count_dots(surface, dots, p.digit or 0, t, shown=None if tentative else self._dots_shown)
        chip_bottom = dots.bottom if tentative else self._draw_brain_chip(surface, dots)
        bars_top = max(chip_bottom, sees.bottom) + t.unit // 2
        bars = pygame.Rect(panel.x, bars_top, panel.width, panel.bottom - bars_top - self._footer_h())
        grow = (
            1.0 if tentative else 1 - (1 - min(1.0, self._answer_age_ms / GROW_MS)) ** 3
        )  # ease out: fast, then settling
        draw_probability_bars(
            surface,
            bars,
            self._shown_probabilities(p, tentative),
            p.digit,
            t,
            grow=grow,
            quiet=tentative or not p.digit_like,
        )  # grey while only a guess, or for a non-digit

    @staticmethod
    def _blit_popping(surface: pygame.Surface, big: pygame.Surface, rect: pygame.Rect, age_ms: float) -> None:
        """The big digit pops in: it grows past its size, then settles."""
        pop = 0.6 + 0.55 * age_ms / 300 if age_ms < 300 else 1.15 - 0.15 * min(1.0, (age_ms - 300) / 150)
        if abs(pop - 1.0) > 0.01:
            scaled = pygame.transform.smoothscale(
                big, (max(1, int(big.get_width() * pop)), max(1, int(big.get_height() * pop)))
            )
            surface.blit(scaled, scaled.get_rect(center=rect.center))
        else:
            surface.blit(big, rect)

    def _shown_probabilities(self, p: Prediction, tentative: bool):
        """The bars tell the same story as the words: when the models disagree ("is it a 1 or a 4?"),
        they show what the models believe together, not one model's certainty; for "not a number", none;
        for a digit this child taught, that one."""
        if not p.digit_like:  # "that doesn't look like a number": no digit stands raised
            return (0.0,) * 10
        if p.remembered and p.digit is not None:  # the digit this child taught, as sure as they were
            return tuple(1.0 if d == p.digit else 0.0 for d in range(10))
        answers = self.answers if not tentative else []
        if p.digit is None and len({a.best for a in answers}) > 1:
            return tuple(float(v) for v in np.mean([a.probabilities for a in answers], axis=0))
        return p.probabilities

    def _chip_label(self, recognizer, answer: Prediction) -> str:
        """A model's chip: its own best guess, even when the models disagree (that is why the kiosk is not sure)."""
        if "trained_by" in recognizer.metadata:  # the brain the visitor trained says so on its chip
            return self.phrases.text("live.chip", digit=str(answer.best))
        digit = answer.digit if answer.remembered else answer.best  # a lesson: what the child taught it
        return self.phrases.text("draw.chip", kind=recognizer.kind.upper(), digit=str(digit))

    def _draw_model_chips(self, surface: pygame.Surface) -> None:
        t = self.theme
        for (chip, index), recognizer, answer in zip(self.model_chips, self.recognizers, self.answers):
            active = index == self.active
            pygame.draw.rect(surface, colours.BAR_BEST if active else colours.BAR_TRACK, chip, border_radius=t.unit)
            draw_text(
                surface,
                self._chip_label(recognizer, answer),
                t.font(1.5),
                colours.BUTTON_TEXT if active else colours.TEXT,
                chip.center,
                max_width=chip.width - t.unit,
            )

    def _brain_chip_label(self) -> str | None:
        """While the question is shown with a visitor's brain on ("Try my brain"), the chip saying whose brain
        answered and its digit ("Yours: 4"): the question takes the model chips' place, and nothing else says it."""
        p = self.prediction
        # Only while asked: the keypad covers the panel, and once answered "Thank you!" and what was taught are
        # the story (then the model chips come back).
        if p is None or not p.digit_like or self.feedback.state is not State.ASK:
            return None
        if not any("trained_by" in recognizer.metadata for recognizer in self.recognizers):
            return None
        return self._chip_label(self.recognizer, self.answers[self.active])

    def _draw_brain_chip(self, surface: pygame.Surface, dots: pygame.Rect) -> int:
        """Whose brain answered, under the big digit and its dots (outlined, not filled: it is not a button);
        the bottom of what is drawn there."""
        label = self._brain_chip_label()
        if label is None:
            return dots.bottom
        t = self.theme
        font = t.font(1.5)
        chip = pygame.Rect(0, 0, min(dots.width, font.size(label)[0] + t.unit * 2), font.get_linesize() + t.unit // 2)
        chip.midtop = (dots.centerx, dots.bottom + t.unit // 2)
        pygame.draw.rect(surface, colours.BAR, chip, width=max(2, t.unit // 4), border_radius=t.unit)
        draw_text(surface, label, font, colours.TEXT, chip.center, max_width=chip.width - t.unit)
        return chip.bottom
