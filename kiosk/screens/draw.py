"""The drawing screen: a big canvas, Clear / Undo / Recognize, and the answer beside it.

The child's turn itself (when to guess, when to answer, new drawing or the same one, the question) is
kiosk.session.DrawingSession; this screen lays out, turns touches into its calls, and draws.
"""

from __future__ import annotations

import pygame

from kiosk.config import KioskConfig
from kiosk.event_log import EventLog
from kiosk.input import PointerDown, PointerEvent, PointerMove, PointerUp
from kiosk.language.phrases import Phrases
from kiosk.recognition.backwards import reader_for
from kiosk.recognition.recognizer import Recognizer
from kiosk.screens.answer_panel import GROW_MS, AnswerPanel
from kiosk.screens.base import Screen
from kiosk.screens.frame import lay_out_frame
from kiosk.session.drawing_session import DrawingSession
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.ui import colours
from kiosk.ui.attract import AttractLoop
from kiosk.ui.backwards_lesson import BackwardsLesson
from kiosk.ui.confetti import Confetti
from kiosk.ui.digit_parade import DigitParade
from kiosk.ui.feedback_panel import FeedbackPanel, State
from kiosk.ui.leaving_ink import draw_leaving_ink
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Button, InkLayer
from kiosk.voice.speaker import Speaker, speak

FADE_MS = 450  # the last drawing shrinks into the corner and fades when a new one starts
DOT_EVERY_MS = 180  # the counting dots appear one by one, each with a blip


def _on_session(name: str, doc: str = "") -> property:
    """An attribute of the drawing session, read (and set) through the screen."""
    return property(
        lambda self: getattr(self.session, name), lambda self, value: setattr(self.session, name, value), doc=doc
    )


class DrawScreen(AnswerPanel, Screen):
    """Draw a digit; a quiet guess comes when the finger lifts, the answer when it has rested or Go is pressed.

    A child never manages the canvas: after an answer, the next touch starts a new drawing (the old
    one fades out) unless it comes soon after, meant for adding a stroke (DrawingSession decides).
    """

    name = "draw"
    ink = _on_session("ink")
    prediction = _on_session("prediction", "the answer given (said, or shown as the answer)")
    guess = _on_session("guess", "a quiet guess while the child may still be drawing")
    answers = _on_session("answers")
    active = _on_session("active", "which model's answer is the big one")
    message_id = _on_session("message_id", "what the panel says (and the voice said)")
    memory = _on_session("memory")
    feedback_store = _on_session("feedback_store")

    def __init__(
        self,
        recognizers: list[Recognizer],
        speaker: Speaker,
        theme: Theme,
        auto_delay_ms: int,
        events: EventLog,
        phrases: Phrases,
        feedback_store: FeedbackStore | None = None,
    ):
        self.recognizers, self.speaker, self.theme, self.events, self.phrases = (
            recognizers,
            speaker,
            theme,
            events,
            phrases,
        )
        self.feedback = FeedbackPanel(theme, phrases)
        self.clock_s = 0.0  # the screen's time, advanced by update(): the session's clock
        self.model_chips: list[tuple[pygame.Rect, int]] = []
        self._fading: tuple[pygame.Surface, float] | None = None  # the last drawing, and how long it has faded
        self._ink_key: tuple[int, int] | None = None
        self._ink_surface: pygame.Surface | None = None
        self._answer_age_ms = 0.0  # how long the answer has been on screen (its entrance animation)
        self._dots_shown = 0
        self._place_fixed_parts()
        self.session = DrawingSession(
            recognizers,
            events,
            lambda: self.clock_s,
            self._say,
            self._say_next,
            self.canvas.width,
            auto_delay_ms,
            feedback_store,
        )
        self.ink_layer = InkLayer(self.canvas.size, self.theme.pen_px)
        self.confetti = Confetti(theme.width, theme.height)
        self.digit_parade = DigitParade()
        self.attract = AttractLoop(self.canvas, self.session.read, self._say)
        self.lesson = BackwardsLesson()  # over a backwards digit, the hand draws it the right way round
        self._place_targets()

    def _place_fixed_parts(self) -> None:
        """The canvas, the panel, the tabs, the loudspeaker and the three buttons: fixed for a screen size."""
        t = self.theme
        m, bh, zone = t.margin, t.button_height, t.admin_zone
        frame = lay_out_frame(t, self.phrases)
        self.canvas, self.panel, self.nav, self.footer_left, buttons_y = (
            frame.canvas,
            frame.panel,
            frame.nav,
            frame.footer_left,
            frame.buttons_y,
        )
        icon = max(*t.touch, t.unit * 4)  # a finger-sized round button
        self.say_again = pygame.Rect(
            self.panel.right - icon, self.panel.y + max(t.unit // 2, t.unit * 2 - icon // 2), icon, icon
        )
        gap = m
        left = self.canvas.x if buttons_y + bh <= zone.top else max(self.canvas.x, zone.right + gap)
        width = (self.canvas.right - left - 2 * gap) // 3
        self.buttons = {
            "clear": Button("ui.button.clear", pygame.Rect(left, buttons_y, width, bh), colours.CLEAR, icon="clear"),
            "undo": Button(
                "ui.button.undo", pygame.Rect(left + width + gap, buttons_y, width, bh), colours.UNDO, icon="undo"
            ),
            "recognize": Button(
                "ui.button.go", pygame.Rect(left + 2 * (width + gap), buttons_y, width, bh), colours.RECOGNIZE
            ),
        }

    # --- the tap targets of this moment (laid out after every change, never while drawing) ------
    def _place_targets(self) -> None:
        """The tap targets of this moment (enabled buttons, the parade, the model chips or the question),
        placed after every change so draw() only draws."""
        t, panel = self.theme, self.panel
        for name, button in self.buttons.items():
            button.enabled = not self.ink.is_empty or name == "recognize"
        parade, self.model_chips = None, []
        if not self.attract.running:
            message = self._message_box()
            if self.prediction is None and self.guess is None and self.ink.is_empty:  # taps work only then
                top = self._hint_box(message)[2].bottom + t.unit // 2
                parade = pygame.Rect(self.footer_left, top, panel.right - self.footer_left, panel.bottom - top)
            elif self.prediction is not None and self.feedback.state is not State.HIDDEN:
                # While the kiosk asks (and thanks), the question takes the chips' place: one thing at a time.
                y = message.below_y
                keypad = pygame.Rect(panel.x, y + t.unit * 2, panel.width, panel.bottom - y - t.unit * 2)
                bars_bottom = panel.bottom - self._footer_h()
                row = pygame.Rect(
                    self.footer_left,
                    bars_bottom + t.unit // 2,
                    panel.right - self.footer_left,
                    panel.bottom - bars_bottom - t.unit // 2,
                )
                self.feedback.layout(row, keypad)
            elif self.prediction is not None and self.prediction.digit_like:
                # One chip per model with its answer; tap one to make it the big answer ("not a number": none).
                chip_h, left = t.touch[1], self.footer_left
                width = (panel.right - left) // max(1, len(self.recognizers))
                self.model_chips = [
                    (pygame.Rect(left + i * width + t.unit // 2, panel.bottom - chip_h, width - t.unit, chip_h), i)
                    for i in range(min(len(self.recognizers), len(self.answers)))
                ]
        self.digit_parade.lay_out(parade)

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        if self.feedback.state is State.KEYPAD:  # the keypad covers the panel
            return [(n, r) for n, r in self.nav.targets()] + self.feedback.targets()
        found = self.nav.targets() + [(name, b.rect) for name, b in self.buttons.items() if b.enabled]
        if self.prediction is not None and not self.attract.running:
            found.append(("say again", self.say_again))
        found += [(f"chip {i}", rect) for rect, i in self.model_chips]
        found += [(f"parade {digit}", rect) for rect, digit in self.parade]
        return found + self.feedback.targets()

    @property
    def parade(self) -> list[tuple[pygame.Rect, int]]:
        return self.digit_parade.tiles

    # --- input ---------------------------------------------------------------------------------
    def handle(self, event: PointerEvent) -> None:
        self.session.visitor.touched()  # a long quiet before this touch marked a new visitor already
        if self.attract.running:
            self.attract.stop()  # any touch wakes the kiosk up, and still counts
            self._place_targets()
        if isinstance(event, PointerDown):
            self._tap(event)
        elif isinstance(event, PointerMove) and self.ink.is_drawing:
            x = min(max(event.x, self.canvas.left), self.canvas.right - 1) - self.canvas.x
            y = min(max(event.y, self.canvas.top), self.canvas.bottom - 1) - self.canvas.y
            self.session.extend_stroke(x, y)
        elif isinstance(event, PointerUp) and self.ink.is_drawing:
            self.session.end_stroke()
        self._place_targets()

    def _tap(self, event: PointerDown) -> None:
        x, y = float(event.x), float(event.y)
        if self.follow_tab(event):
            return
        if self.prediction is None and self.ink.is_empty and self.digit_parade.tap(x, y) is not None:
            self._say(f"digit.{self.digit_parade.pop[0]}")  # a tap on a digit of the parade: it says its name and jumps
            return
        if self.feedback.asking and self._handle_feedback(event):
            return
        if self.prediction is not None and self.say_again.collidepoint(x, y):
            self._say(self.message_id)
            return
        for rect, index in self.model_chips:
            if rect.collidepoint(x, y):
                self.choose_model(index)
                return
        for name, button in self.buttons.items():
            if button.hit(x, y):
                self.press(name)
                return
        if self.canvas.collidepoint(x, y):
            fresh = self.session.begin_stroke(event.x - self.canvas.x, event.y - self.canvas.y)
            if fresh and self._ink_surface is not None:  # still the answered drawing: it is drawn next frame
                self._fading = (self._ink_surface.copy(), 0.0)  # the answered drawing moves away
            self.feedback.hide()

    def press(self, name: str) -> None:
        """What a button does."""
        if name == "clear":
            self.session.clear()
            self.feedback.hide()
        elif name == "undo":
            self.session.undo()
            self.feedback.hide()
        elif name == "recognize":
            self.recognize(asked=True)
        self._place_targets()

    def reset(self) -> None:
        """A new visitor: the last child's drawing, chosen model and lessons go."""
        self.press("clear")
        self.session.forget_visitor()  # the next child starts with the kiosk's own answers
        self._place_targets()

    def configure(self, config: KioskConfig) -> None:
        """The settings (at start and when changed): the wait before the answer applies to the next lift."""
        self.session.auto_delay_ms = config.auto_recognize_delay_ms
        self.session.backwards = reader_for(config.model_dir_path)
        self.attract.said_per_hour = config.attract_voice_per_hour

    def start_attract(self) -> None:
        """Nobody is here: forget the last child and invite the next one."""
        self.reset()
        self.attract.start()
        self._place_targets()

    @property
    def attract_ms(self) -> float | None:
        """How long the attract loop has run; None while somebody is here."""
        return self.attract.elapsed_ms

    @attract_ms.setter
    def attract_ms(self, value: float | None) -> None:
        self.attract.elapsed_ms = value

    def enter(self, strokes: list | None = None) -> None:
        """Back from another screen: the drawing is still here, or an example replaces it."""
        self.session.visitor.touched()  # the child came here ("Try my brain"): the quiet starts now
        if not strokes:
            return
        self.feedback.hide()
        if self.session.show_example(strokes):
            self._answer_shown()
        self._place_targets()

    def handover(self) -> list:
        """What the next screen gets: the current drawing."""
        return self.ink.copy_strokes()

    @property
    def recognizer(self) -> Recognizer:
        return self.session.recognizer

    def too_small(self) -> bool:
        return self.session.too_small()

    # --- the answer ----------------------------------------------------------------------------
    def recognize(self, asked: bool = False) -> None:
        """Ask every model about the drawing; show and say the active model's answer (see DrawingSession.answer)."""
        if self.session.answer(asked):
            self._answer_shown()
        self._place_targets()

    def _answer_shown(self) -> None:
        self._answer_age_ms, self._dots_shown = 0.0, 0
        self.lesson.start(self.prediction.digit if self.prediction is not None and self.prediction.mirrored else None)
        if self.session.question is not None:
            self.feedback.offer(self.session.question.answer.digit)

    def choose_model(self, index: int) -> None:
        """Make another model's answer the big one."""
        if self.session.choose_model(index):
            self._answer_age_ms, self._dots_shown = 0.0, 0
        self._place_targets()

    @property
    def message(self) -> str:
        return self.phrases.text(self.message_id)

    def _say(self, phrase_id: str) -> None:
        speak(self.speaker, self.phrases, self.events, phrase_id)

    def _say_next(self, phrase_id: str) -> None:
        self.speaker.say_next(phrase_id, self.phrases.lang)
        self.events.write(
            type="speech_next", phrase=phrase_id, text=self.phrases.text(phrase_id), lang=self.phrases.lang
        )

    def _handle_feedback(self, event: PointerDown) -> bool:
        """A tap on the question or the keypad; True if it was one."""
        result = self.feedback.handle(event)
        if result is None:
            return False
        action, label = result
        if action == "keypad":
            self._say("feedback.which")
        elif action == "label":
            confirmed = self.session.label(label)
            self.feedback.thank(confirmed=confirmed)
            if confirmed:  # "Yes": a celebration; a correction gets a thank-you instead
                self.speaker.chime("yay")
                self.confetti.start()
        return True

    @property
    def animating(self) -> bool:
        entering = self.prediction is not None and self._answer_age_ms < GROW_MS + DOT_EVERY_MS * 10
        return (
            self.attract.running
            or entering
            or self.confetti.running
            or self.digit_parade.animating
            or self._fading is not None
            or self.lesson.running
        )

    def update(self, dt_ms: float) -> None:
        self.clock_s += dt_ms / 1000
        self.feedback.update(dt_ms)
        self._answer_age_ms += dt_ms
        if self.prediction is not None and self.prediction.digit:
            due = min(self.prediction.digit, max(0, int((self._answer_age_ms - GROW_MS * 0.6) // DOT_EVERY_MS) + 1))
            if due > self._dots_shown:
                self._dots_shown = due
                self.speaker.chime("dot")
        self.confetti.update(dt_ms)
        self.lesson.update(dt_ms)
        self.digit_parade.update(dt_ms)
        self.attract.update(dt_ms)
        if self._fading is not None:
            age = self._fading[1] + dt_ms
            self._fading = (self._fading[0], age) if age < FADE_MS else None
        if self.session.tick() == "answer":
            self._answer_shown()
        self._place_targets()

    # --- drawing (only drawing: the state and the tap targets are set by now) ------------------
    def draw(self, surface: pygame.Surface) -> None:
        t = self.theme
        surface.fill(colours.BACKGROUND)
        pygame.draw.rect(surface, colours.CANVAS, self.canvas, border_radius=t.unit)
        self._draw_ink(surface)
        if self.prediction is not None and self.prediction.mirrored:  # "Threes go like this": the hand draws one
            self.lesson.draw(surface, self.canvas, t.pen_px, t.unit)
        # The frame goes on top, so ink dragged to the edge never paints over it.
        visitor = "trained_by" in self.recognizer.metadata  # "Try my brain": the model a visitor just trained
        pygame.draw.rect(
            surface,
            colours.BAR if visitor else colours.CANVAS_BORDER,
            self.canvas,
            width=max(3, t.unit // 3),
            border_radius=t.unit,
        )
        self.nav.draw(surface, t, "draw")
        for button in self.buttons.values():
            button.draw(surface, t, self.phrases.text(button.label))
        if self.attract.running:
            self.attract.draw(surface, self.panel, t, self.phrases)
        else:
            self._draw_panel(surface)
        self.confetti.draw(surface, t.unit)

    def _draw_ink(self, surface: pygame.Surface) -> None:
        if self._fading is not None:  # the last drawing moves away to a corner, quickly and visibly
            draw_leaving_ink(surface, self._fading[0], self.canvas, self._fading[1] / FADE_MS)
        # Antialiased round-capped strokes drawn by OpenCV, only the new part of them each frame (a render cache).
        key = (len(self.ink.strokes), len(self.ink.strokes[-1]) if self.ink.strokes else 0)
        if key != self._ink_key:
            self._ink_key, self._ink_surface = key, self.ink_layer.update(self.ink.strokes)
        if self._ink_surface is not None:
            surface.blit(self._ink_surface, self.canvas.topleft)
