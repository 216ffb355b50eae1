"""The drawing screen: a big canvas, Clear / Undo / Recognize, and the answer beside it."""
from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import pygame

from kiosk.ui import theme as colours
from kiosk.screens.attract import SECONDS_PER_DIGIT, ghost_strokes
from kiosk.errors import EmptyDrawing
from kiosk.ui.feedback_panel import FeedbackPanel, State
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.teaching.session_memory import SessionMemory
from kiosk.event_log import EventLog
from kiosk.input import PointerDown, PointerEvent, PointerMove, PointerUp
from kiosk.recognition.recognizer import Prediction, Recognizer, recognize_all
from kiosk.screens.base import Screen
from kiosk.language.phrases import Phrases, result_id, unsure_id
from kiosk.voice.speaker import Speaker, speak
from kiosk.recognition.strokes import Ink
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Button, InkLayer, NavBar, render_ink, draw_hand, draw_paragraph, wrap_lines, draw_speaker_button, draw_count_dots, draw_model_view, draw_probability_bars, draw_text


GUESS_AFTER_MS = 500  # a quiet guess (bars, the digit in soft colours, no voice) this soon after a lift
ADD_STROKE_GRACE_MS = 1200  # after the answer, a stroke this soon still belongs to the same digit
FADE_MS = 250  # the last drawing fades out when a new one starts
GROW_MS = 450  # the bars grow to their height
DOT_EVERY_MS = 180  # the counting dots appear one by one, each with a blip
CONFETTI_MS = 2400  # the celebration when a child says the answer was right
ATTRACT_SPEAK_EVERY_MS = 30_000  # the attract loop says a guess out loud at most this often: a museum hears it all day
SMALLEST_DIGIT = 0.05  # of the canvas side: a tap or a stray dot smaller than this is not a digit


class DrawScreen(Screen):
    """Draw a digit; a quiet guess comes when the finger lifts, the answer when it has rested or Go is pressed.

    A child never manages the canvas: after an answer, the next touch starts a new drawing (the old
    one fades out) unless it comes within ADD_STROKE_GRACE_MS, meant for adding a stroke.
    """

    name = "draw"

    def __init__(
        self, recognizers: list[Recognizer], speaker: Speaker, theme: Theme, auto_delay_ms: int, events: EventLog,
        phrases: Phrases, feedback_store: FeedbackStore | None = None,
    ):
        self.recognizers, self.speaker, self.theme, self.events, self.phrases = recognizers, speaker, theme, events, phrases
        # "Did I get it right?" is asked only when the answers are kept (collect_feedback in the config).
        self.feedback_store = feedback_store
        self.feedback = FeedbackPanel(theme, phrases)
        self._child_drew = False  # an example handed over from the examples wall is not the child's drawing
        self._asked_about: tuple[Prediction, str, str] | None = None  # the answer the question is about
        self.active = 0  # which model's answer is the big one; the others are shown beside it
        self.answers: list[Prediction] = []
        self.memory = SessionMemory()  # this visitor's corrections, forgotten when nobody is here
        self.model_chips: list[tuple[pygame.Rect, int]] = []
        self.auto_delay_ms = auto_delay_ms
        self.ink = Ink()
        self.prediction: Prediction | None = None  # the answer given (said, or shown as the answer)
        self.guess: Prediction | None = None  # a quiet guess while the child may still be drawing
        self._answered_ago_ms: float | None = None  # time since the answer, for the add-a-stroke grace
        self._fading: tuple[pygame.Surface, float] | None = None  # the last drawing, and how long it has faded
        self.message_id = "prompt.draw"  # what the panel says (and the voice said), in the current language
        self.next_screen: str | None = None
        self._since_lift_ms: float | None = None
        self.attract_ms: float | None = None  # set while the attract loop runs (nobody around)
        self._ink_key: tuple[int, int] | None = None
        self._ink_surface: pygame.Surface | None = None
        self._answer_age_ms = 0.0  # how long the answer has been on screen (its entrance animation)
        self._dots_shown = 0
        self._confetti: list[list[float]] = []  # x, y, vx, vy, colour index
        self._confetti_ms = 0.0
        self.parade: list[tuple[pygame.Rect, int]] = []  # the digits to tap on the empty screen
        self._parade_pop: tuple[int, float] | None = None
        self._attract_guesses: dict[int, Prediction | None] = {}
        self._attract_said_ms: float | None = None  # on the attract clock
        self._layout()
        self.ink_layer = InkLayer(self.canvas.size, self.theme.pen_px)

    def _layout(self) -> None:
        t = self.theme
        m, bh = t.margin, t.button_height
        zone = t.admin_zone  # the grown-ups' corner stays out of every child's reach
        if t.portrait:
            # A little less than half the height: the answer below needs room for a big digit and its bars.
            side = min(t.width - 2 * m, int((t.height - 3 * m - bh) * 0.42))
            self.canvas = pygame.Rect((t.width - side) // 2, m, side, side)
            buttons_y = self.canvas.bottom + m
            self.panel = pygame.Rect(m, buttons_y + bh + m, t.width - 2 * m, t.height - buttons_y - bh - 2 * m)
        else:
            side = t.height - 3 * m - bh
            self.canvas = pygame.Rect(m, m, side, side)
            buttons_y = self.canvas.bottom + m
            self.panel = pygame.Rect(self.canvas.right + 2 * m, m, t.width - self.canvas.right - 3 * m, t.height - 2 * m)
        # The panel's bottom row (chips, the question) starts right of the grown-ups' corner where they meet.
        self.footer_left = max(self.panel.x, zone.right + m // 2) if self.panel.bottom > zone.top else self.panel.x
        nav_h = t.touch[1]  # tabs a small finger can hit
        self.nav = NavBar(pygame.Rect(self.panel.x, self.panel.y, self.panel.width, nav_h), self.phrases)
        self.panel = pygame.Rect(self.panel.x, self.panel.y + nav_h + m // 2, self.panel.width, self.panel.height - nav_h - m // 2)
        icon = max(*t.touch, t.unit * 4)  # a finger-sized round button
        self.say_again = pygame.Rect(self.panel.right - icon, self.panel.y + max(t.unit // 2, t.unit * 2 - icon // 2), icon, icon)
        gap = m
        left = self.canvas.x if buttons_y + bh <= zone.top else max(self.canvas.x, zone.right + gap)
        width = (self.canvas.right - left - 2 * gap) // 3
        self.buttons = {
            "clear": Button("ui.button.clear", pygame.Rect(left, buttons_y, width, bh), colours.CLEAR, icon="clear"),
            "undo": Button("ui.button.undo", pygame.Rect(left + width + gap, buttons_y, width, bh), colours.UNDO, icon="undo"),
            "recognize": Button("ui.button.go", pygame.Rect(left + 2 * (width + gap), buttons_y, width, bh), colours.RECOGNIZE),
        }

    # --- input -------------------------------------------------------------------------------
    def start_attract(self) -> None:
        """Nobody is here: forget the last child's drawing and invite the next one."""
        self.press("clear")
        self.active, self.attract_ms = 0, 0.0
        self.memory.forget()  # the next child starts with the kiosk's own answers

    def handle(self, event: PointerEvent) -> None:
        if self.attract_ms is not None:
            self.attract_ms = None  # any touch wakes the kiosk up, and still counts
        if isinstance(event, PointerDown):
            if self.follow_tab(event):
                return
            if self.prediction is None and self.ink.is_empty and self._tap_parade(event):
                return
            if self.feedback.asking and self._handle_feedback(event):
                return
            if self.prediction is not None and self.say_again.collidepoint(float(event.x), float(event.y)):
                self._say(self.message_id)
                return
            for rect, index in self.model_chips:
                if rect.collidepoint(float(event.x), float(event.y)):
                    self.choose_model(index)
                    return
            for name, button in self.buttons.items():
                if button.hit(event.x, event.y):
                    self.press(name)
                    return
            if self.canvas.collidepoint(float(event.x), float(event.y)):
                if self.prediction is not None and (self._answered_ago_ms or 0.0) > ADD_STROKE_GRACE_MS:
                    self._start_new_drawing()
                elif self.prediction is not None:  # a stroke added to the digit just answered: answer again
                    self.prediction, self.answers, self._answered_ago_ms = None, [], None
                    self.message_id = "prompt.keep_drawing"
                self.ink.begin(event.x - self.canvas.x, event.y - self.canvas.y)
                self._since_lift_ms, self._child_drew, self.guess = None, True, None
                self.feedback.hide()
        elif isinstance(event, PointerMove) and self.ink.is_drawing:
            x = min(max(event.x, self.canvas.left), self.canvas.right - 1) - self.canvas.x
            y = min(max(event.y, self.canvas.top), self.canvas.bottom - 1) - self.canvas.y
            self.ink.extend(x, y)
        elif isinstance(event, PointerUp) and self.ink.is_drawing:
            self.ink.end()
            self._since_lift_ms = 0.0

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        if self.feedback.state is State.KEYPAD:  # the keypad covers the panel
            return [(n, r) for n, r in self.nav.targets()] + self.feedback.targets()
        found = self.nav.targets() + [(name, b.rect) for name, b in self.buttons.items() if b.enabled]
        if self.prediction is not None and self.attract_ms is None:
            found.append(("say again", self.say_again))
        found += [(f"chip {i}", rect) for rect, i in self.model_chips]
        found += [(f"parade {digit}", rect) for rect, digit in self.parade]
        return found + self.feedback.targets()

    def press(self, name: str) -> None:
        """What a button does."""
        if name == "clear":
            self.ink.clear()
            self.prediction, self.answers, self.message_id, self._since_lift_ms = None, [], "prompt.draw", None
            self._child_drew, self.guess, self._answered_ago_ms = False, None, None
            self.feedback.hide()
        elif name == "undo":
            self.ink.undo()
            self.prediction, self.answers, self._since_lift_ms, self.guess, self._answered_ago_ms = None, [], None, None, None
            self.feedback.hide()
            self.message_id = "prompt.draw" if self.ink.is_empty else "prompt.keep_drawing"
        elif name == "recognize":
            self.recognize(asked=True)

    def enter(self, handover=None) -> None:
        """Back from another screen: the drawing is still here, or an example replaces it."""
        if not handover:
            return
        self.press("clear")
        for stroke in handover:
            self.ink.begin(*stroke[0])
            for x, y in stroke[1:]:
                self.ink.extend(x, y)
            self.ink.end()
        self.recognize()

    def handover(self) -> list:
        """What the next screen gets: the current drawing."""
        return self.ink.copy_strokes()

    @property
    def recognizer(self) -> Recognizer:
        return self.recognizers[self.active]

    def _start_new_drawing(self) -> None:
        """The answered drawing fades away and the canvas is the new drawing's."""
        if self._ink_surface is not None:
            self._fading = (self._ink_surface.copy(), 0.0)  # the layer itself is drawn on again at once
        self.press("clear")
        self.message_id = "prompt.keep_drawing"
        self.events.write(type="new_drawing")

    def too_small(self) -> bool:
        """A tap or a stray dot: too little ink to be anybody's digit."""
        points = [p for stroke in self.ink.strokes for p in stroke]
        if not points:
            return True
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return max(max(xs) - min(xs), max(ys) - min(ys)) < SMALLEST_DIGIT * self.canvas.width

    # --- recognition ---------------------------------------------------------------------------
    def quiet_guess(self) -> None:
        """What the computer thinks so far, shown softly and not said: the child may still be drawing."""
        if self.too_small():
            return
        try:
            answers = recognize_all(self.recognizers, self.ink.copy_strokes(), self.active)
        except EmptyDrawing:
            return
        self.guess = self._recall(answers)[self.active]
        self.events.write(type="guess", digit=self.guess.digit, model=self.recognizer.kind)

    def recognize(self, asked: bool = False) -> None:
        """Ask every model about the drawing; show and say the active model's answer.

        asked: Go was pressed (a tiny drawing then gets "draw a number first"; on its own it is ignored)."""
        self._since_lift_ms = None
        if self.too_small() and not asked and not self.ink.is_empty:
            self.ink.clear()  # a tap or a stray dot: nothing to answer, and no dot left behind
            self.guess = None
            self.events.write(type="ignored", reason="too small to be a digit")
            return
        started = time.perf_counter()
        try:
            if self.too_small():
                raise EmptyDrawing("too little ink to be a digit")
            # Every model sees the same picture; when they disagree the kiosk is not sure (a
            # second opinion catches scribbles that one model is sure of).
            self.answers = self._recall(recognize_all(self.recognizers, self.ink.copy_strokes(), self.active))
        except EmptyDrawing:
            self.prediction, self.answers, self.message_id, self.guess = None, [], "prompt.empty", None
            self._say(self.message_id)
            return
        latency_ms = (time.perf_counter() - started) * 1000
        first = self.answers[self.active]
        self.guess, self._answered_ago_ms = None, 0.0
        self._show(first)
        # "That doesn't look like a number" is not followed by "which number was it?": one message at a time.
        asking = self.feedback_store is not None and self._child_drew and (first.digit is not None or first.digit_like)
        if asking:
            self.feedback.offer(first.digit)
            # Remember who answered: a new model may be switched in while the question is on screen.
            self._asked_about = (first, self.recognizer.kind, self.recognizer.version)
        self.events.write(
            type="recognized", digit=first.digit, probabilities=list(first.probabilities), model=self.recognizer.kind,
            latency_ms=round(latency_ms, 3), remembered=first.remembered, answers={r.kind: a.digit for r, a in zip(self.recognizers, self.answers)},
        )
        self._say(self.message_id)
        if asking:  # asked aloud too, once the answer has been said: most children here cannot read yet
            question = "feedback.ask" if first.digit is not None else "feedback.which"
            self.speaker.say_next(question, self.phrases.lang)
            self.events.write(type="speech_next", phrase=question, text=self.phrases.text(question), lang=self.phrases.lang)

    def _recall(self, answers: list[Prediction]) -> list[Prediction]:
        """A drawing very like one this visitor corrected gets the digit they taught (the active answer only)."""
        recalled = self.memory.recall(answers[self.active].image)
        if recalled is None or recalled[0] == answers[self.active].digit:
            return answers
        answers = list(answers)
        answers[self.active] = replace(answers[self.active], digit=recalled[0], digit_like=True, remembered=True)
        return answers

    def choose_model(self, index: int) -> None:
        """Make another model's answer the big one."""
        if index == self.active or not 0 <= index < len(self.recognizers):
            return
        self.active = index
        if self.answers:
            self._show(self.answers[index])
            self._say(self.message_id)

    def _show(self, prediction: Prediction) -> None:
        self.prediction = prediction
        self._answer_age_ms, self._dots_shown = 0.0, 0
        p = prediction
        if p.digit is not None:
            self.message_id = result_id(p.digit)
        elif not p.digit_like:
            self.message_id = "unsure.not_digit"
        else:
            self.message_id = unsure_id(p.best, p.runner_up)

    @property
    def message(self) -> str:
        return self.phrases.text(self.message_id)

    def _say(self, phrase_id: str) -> None:
        speak(self.speaker, self.phrases, self.events, phrase_id)

    @property
    def animating(self) -> bool:
        entering = self.prediction is not None and self._answer_age_ms < GROW_MS + DOT_EVERY_MS * 10
        return self.attract_ms is not None or entering or bool(self._confetti) or self._parade_pop is not None or self._fading is not None

    def _tap_parade(self, event: PointerDown) -> bool:
        """A tap on a digit of the parade: it says its name and jumps."""
        for rect, digit in self.parade:
            if rect.collidepoint(float(event.x), float(event.y)):
                self._parade_pop = (digit, 0.0)
                self._say(f"digit.{digit}")
                return True
        return False

    def _handle_feedback(self, event: PointerDown) -> bool:
        """A tap on the question or the keypad; True if it was one."""
        result = self.feedback.handle(event)
        if result is None:
            return False
        action, label = result
        if action == "keypad":
            self._say("feedback.which")
        elif action == "label":
            self._store_label(label)
        return True

    def _store_label(self, label: int) -> None:
        answer, kind, version = self._asked_about
        stored = self.feedback_store.append(self.ink.copy_strokes(), self.canvas.width, answer.image, label, answer.digit, kind, version)
        self.events.write(type="feedback", label=label, answer=answer.digit, model=kind, stored=stored)
        self.feedback.thank(confirmed=label == answer.digit)
        if label != answer.digit:  # this visitor's next drawing like this one gets what they taught
            self.memory.teach(answer.image, label)
        if label == answer.digit:  # "Yes": a celebration; a correction gets a thank-you instead
            self._say("feedback.yay")
            self.speaker.chime("yay")
            self._celebrate()
        else:
            self._say("feedback.thanks")

    def _celebrate(self) -> None:
        # Big pieces raining down over the whole screen from above its top edge, for more than two seconds.
        rng = np.random.default_rng()
        width, height = self.theme.width, self.theme.height
        speed = height / 2400  # px per ms: the screen's height in about 2.4 s
        self._confetti = [[float(rng.uniform(0, width)), float(rng.uniform(-height * 0.4, 0)),
                           float(rng.normal(0, speed * 0.2)), float(rng.uniform(0.5, 1.0) * speed), i % 5]
                          for i in range(60)]
        self._confetti_ms = 0.0

    def update(self, dt_ms: float) -> None:
        self.feedback.update(dt_ms)
        self._answer_age_ms += dt_ms
        if self.prediction is not None and self.prediction.digit:
            due = min(self.prediction.digit, max(0, int((self._answer_age_ms - GROW_MS * 0.6) // DOT_EVERY_MS) + 1))
            if due > self._dots_shown:
                self._dots_shown = due
                self.speaker.chime("dot")
        if self._confetti:
            self._confetti_ms += dt_ms
            gravity = self.theme.height / 2400 / 3000  # a gentle speeding up
            for bit in self._confetti:
                bit[0] += bit[2] * dt_ms
                bit[1] += bit[3] * dt_ms
                bit[3] += gravity * dt_ms
            if self._confetti_ms >= CONFETTI_MS:
                self._confetti = []
        if self._parade_pop is not None:
            digit, age = self._parade_pop
            self._parade_pop = (digit, age + dt_ms) if age + dt_ms < 600 else None
        if self.attract_ms is not None:
            self.attract_ms += dt_ms
        if self._answered_ago_ms is not None:
            self._answered_ago_ms += dt_ms
        if self._fading is not None:
            age = self._fading[1] + dt_ms
            self._fading = (self._fading[0], age) if age < FADE_MS else None
        if self._since_lift_ms is None or self.auto_delay_ms <= 0:
            return
        before, self._since_lift_ms = self._since_lift_ms, self._since_lift_ms + dt_ms
        if before < GUESS_AFTER_MS <= self._since_lift_ms < self.auto_delay_ms and not self.ink.is_empty:
            self.quiet_guess()
        if self._since_lift_ms >= self.auto_delay_ms and not self.ink.is_empty:
            self.recognize()

    # --- drawing -------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        t = self.theme
        surface.fill(colours.BACKGROUND)
        pygame.draw.rect(surface, colours.CANVAS, self.canvas, border_radius=t.unit)
        self._draw_ink(surface)
        # The frame goes on top, so ink dragged to the edge never paints over it.
        visitor = "trained_by" in self.recognizer.metadata  # "Try my brain": the model a visitor just trained
        pygame.draw.rect(surface, colours.BAR if visitor else colours.CANVAS_BORDER, self.canvas, width=max(3, t.unit // 3), border_radius=t.unit)

        self.nav.draw(surface, t, "draw")
        for name, button in self.buttons.items():
            button.enabled = not self.ink.is_empty or name == "recognize"
            button.draw(surface, t, self.phrases.text(button.label))
        if self.attract_ms is not None:
            self._draw_attract(surface)
        else:
            self._draw_panel(surface)
        palette = (colours.CLEAR, colours.UNDO, colours.RECOGNIZE, colours.BAR, colours.COUNT_DOT)
        for x, y, _, _, colour in self._confetti:
            pygame.draw.rect(surface, palette[int(colour)], pygame.Rect(int(x), int(y), t.unit, int(t.unit * 0.6)), border_radius=2)

    def _draw_attract(self, surface: pygame.Surface) -> None:
        # A hand draws a digit, then the computer says what it thinks it is: what the visitor can do here.
        t, panel, c = self.theme, self.panel, self.canvas
        elapsed_s = self.attract_ms / 1000
        digit, strokes = ghost_strokes(elapsed_s)
        inset = c.inflate(-c.width // 4, -c.height // 4).move(-c.x, -c.y)
        ghost = [[(inset.x + x * inset.width, inset.y + y * inset.height) for x, y in stroke] for stroke in strokes]
        layer = render_ink(ghost, c.size, t.pen_px, colours.GHOST_INK)
        if layer is not None:
            surface.blit(layer, c.topleft)
        finished = (elapsed_s % SECONDS_PER_DIGIT) >= SECONDS_PER_DIGIT * 0.7
        if ghost and not finished:
            tip = ghost[-1][-1]
            draw_hand(surface, (c.x + int(tip[0]), c.y + int(tip[1])), t.unit)
        tr = self.phrases.text
        guess = self._attract_guess(digit, ghost) if finished else None
        if guess is not None and guess.digit is not None:
            said = result_id(guess.digit)
            draw_text(surface, tr(said), t.font(3.2), colours.TEXT, (panel.centerx, panel.centery - t.unit * 3), max_width=panel.width)
            if self._attract_said_ms is None or self.attract_ms - self._attract_said_ms >= ATTRACT_SPEAK_EVERY_MS:
                self._attract_said_ms = self.attract_ms
                self._say(said)
        else:
            pulse = 1.0 + 0.08 * math.sin(self.attract_ms / 250)
            draw_text(surface, tr("prompt.draw"), t.font(4.5 * pulse), colours.TEXT, (panel.centerx, panel.centery - t.unit * 3), max_width=panel.width)
        draw_text(surface, tr("attract.subtitle"), t.font(2.5), colours.SOFT_TEXT, (panel.centerx, panel.centery + t.unit * 2), max_width=panel.width)

    def _attract_guess(self, digit: int, ghost: list) -> Prediction | None:
        # The computer really reads the hand's digit (once per digit: the loop runs for hours).
        if digit not in self._attract_guesses:
            try:
                self._attract_guesses[digit] = recognize_all(self.recognizers, ghost, self.active)[self.active]
            except EmptyDrawing:
                self._attract_guesses[digit] = None
        return self._attract_guesses[digit]

    def _draw_ink(self, surface: pygame.Surface) -> None:
        if self._fading is not None:  # the last drawing goes, quickly and visibly
            old, age = self._fading
            old.set_alpha(max(0, int(255 * (1 - age / FADE_MS))))
            surface.blit(old, self.canvas.topleft)
            old.set_alpha(None)
        # Antialiased round-capped strokes drawn by OpenCV, only the new part of them each frame.
        key = (len(self.ink.strokes), len(self.ink.strokes[-1]) if self.ink.strokes else 0)
        if key != self._ink_key:
            self._ink_key, self._ink_surface = key, self.ink_layer.update(self.ink.strokes)
        if self._ink_surface is not None:
            surface.blit(self._ink_surface, self.canvas.topleft)

    def _draw_digit_parade(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        # The ten digits in friendly colours: what can be drawn, at a glance, without reading. A tap on
        # one says its name and makes it jump.
        t = self.theme
        palette = (colours.CLEAR, colours.UNDO, colours.RECOGNIZE, colours.BAR, colours.COUNT_DOT)
        self.parade = []
        cell_w, cell_h = rect.width // 5, rect.height // 2
        for digit in range(10):
            row, col = divmod(digit, 5)
            cell = pygame.Rect(rect.x + col * cell_w, rect.y + row * cell_h, cell_w, cell_h)
            size = min(7.0, cell_h / t.unit / 1.3)
            if self._parade_pop is not None and self._parade_pop[0] == digit:
                size *= 1.0 + 0.35 * math.sin(math.pi * self._parade_pop[1] / 600)
            draw_text(surface, str(digit), t.font(size), palette[digit % len(palette)], cell.center)
            self.parade.append((cell.inflate(-2, -2), digit))

    def _draw_panel(self, surface: pygame.Surface) -> None:
        t, panel, tr = self.theme, self.panel, self.phrases.text
        p = self.prediction or self.guess
        tentative = self.prediction is None  # a quiet guess: soft colours, nothing said, nothing asked
        y = panel.y + t.unit * 2
        audible = self.speaker.audible
        # Without sound the answer must carry on its own: larger words, and a muted loudspeaker.
        message_width = panel.width - (self.say_again.width + t.unit if self.prediction is not None else 0)
        message = tr("prompt.keep_drawing") if tentative and p is not None else self.message
        # Words are rewrapped, never shrunk: a long sentence (or translation) takes two lines.
        font = t.font(3.2 if audible else 3.8)
        lines = min(3, len(wrap_lines(message, font, message_width)))
        line_h = font.get_linesize()
        draw_paragraph(surface, message, font, colours.TEXT, pygame.Rect(panel.x, y - line_h // 2, message_width, line_h * lines), max_lines=3)
        y += line_h * (lines - 1)
        self.parade = []
        if p is None:
            hint = tr("draw.hint.empty") if self.ink.is_empty else tr("draw.hint.lift")
            if "trained_by" in self.recognizer.metadata:  # in the panel, where ink never covers it
                hint = tr("live.yours")
            hint_font = t.font(1.8, bold=False)
            hint_lines = min(3, len(wrap_lines(hint, hint_font, panel.width)))
            hint_box = pygame.Rect(panel.x, y + line_h // 2 + t.unit // 2, panel.width, hint_font.get_linesize() * hint_lines)
            draw_paragraph(surface, hint, hint_font, colours.SOFT_TEXT, hint_box, max_lines=3)
            left = self.footer_left  # clear of the grown-ups' corner where the panel reaches it
            top = hint_box.bottom + t.unit // 2
            self._draw_digit_parade(surface, pygame.Rect(left, top, panel.right - left, panel.bottom - top))
            return
        if not tentative and self.feedback.state is not State.KEYPAD:  # the keypad covers the panel
            draw_speaker_button(surface, self.say_again, muted=not audible)
        colour = colours.SOFT_TEXT if tentative else colours.BAR_BEST if p.digit is not None else colours.UNDO
        chip_h = t.touch[1]
        footer = chip_h + int(t.unit * 1.8)  # the model line and chips, or the question in their place
        # The big digit and the model's view shrink where the panel is short (portrait), so the bars keep room.
        side_max = min(panel.width // 2 - t.unit, panel.bottom - footer - y - t.unit * 11)
        size = 14.0  # as big as the panel allows
        while size > 3 and t.font(size).get_height() * 1.4 > side_max:
            size -= 0.5
        big = t.font(size).render(str(p.digit if p.digit is not None else "?"), True, colour)
        digit_rect = big.get_rect(midtop=(panel.x + panel.width // 4, y + t.unit * 2))
        age = self._answer_age_ms if not tentative else 1e9
        pop = 0.6 + 0.55 * age / 300 if age < 300 else 1.15 - 0.15 * min(1.0, (age - 300) / 150)  # the digit pops in
        if abs(pop - 1.0) > 0.01:
            scaled = pygame.transform.smoothscale(big, (max(1, int(big.get_width() * pop)), max(1, int(big.get_height() * pop))))
            surface.blit(scaled, scaled.get_rect(center=digit_rect.center))
        else:
            surface.blit(big, digit_rect)
        side = max(t.unit * 2, min(side_max, int(digit_rect.height * 1.4)))
        view = pygame.Rect(0, 0, side, side)
        view.midtop = (panel.x + panel.width * 3 // 4, digit_rect.y)
        if view.colliderect(self.say_again) and self.prediction is not None:  # never under the speaker button
            view.top = self.say_again.bottom + 4
        draw_model_view(surface, view, p.image)
        sees_font = t.font(1.4, bold=False)
        caption_text = tr("memory.taught") if p.remembered else tr("draw.sees")
        sees = pygame.Rect(0, 0, panel.width // 2, sees_font.get_linesize() * min(2, len(wrap_lines(caption_text, sees_font, panel.width // 2))))
        sees.midtop = (view.centerx, view.bottom + 2)
        draw_paragraph(surface, caption_text, sees_font, colours.SOFT_TEXT, sees, max_lines=2)
        # Dots to count sit right under the big digit they belong to, apart from the bars.
        dots = pygame.Rect(0, 0, panel.width // 2 - t.unit, t.unit * 2)
        dots.midtop = (digit_rect.centerx, digit_rect.bottom + t.unit // 2)
        draw_count_dots(surface, dots, p.digit or 0, t, shown=None if tentative else self._dots_shown)
        bars_top = max(dots.bottom, sees.bottom) + t.unit // 2
        bars = pygame.Rect(panel.x, bars_top, panel.width, panel.bottom - bars_top - footer)
        grow = 1.0 if tentative else 1 - (1 - min(1.0, self._answer_age_ms / GROW_MS)) ** 3  # ease out: fast, then settling
        draw_probability_bars(surface, bars, self._shown_probabilities(p, tentative), p.digit, t, grow=grow,
                              quiet=tentative or not p.digit_like)  # grey while only a guess, or for a non-digit
        if tentative:
            self.model_chips = []
            return
        if self.feedback.state is not State.HIDDEN:
            # While the kiosk asks (and thanks), the question takes the chips' place: one thing at a time.
            keypad = pygame.Rect(panel.x, y + t.unit * 2, panel.width, panel.bottom - y - t.unit * 2)
            self.model_chips = []
            left = self.footer_left
            self.feedback.layout(pygame.Rect(left, bars.bottom + t.unit // 2, panel.right - left, panel.bottom - bars.bottom - t.unit // 2), keypad)
            self.feedback.draw_row(surface)
        else:  # (the models' settings and test scores are for grown-ups: they are on the Settings screen)
            self._draw_model_chips(surface, pygame.Rect(self.footer_left, panel.bottom - chip_h, panel.right - self.footer_left, chip_h))
        self.feedback.draw_keypad(surface)  # over the answer, under the question

    def _shown_probabilities(self, p: Prediction, tentative: bool):
        """The bars tell the same story as the words: when the models disagree ("is it a 1 or a 4?"),
        they show what the models believe together, not one model's certainty."""
        answers = self.answers if not tentative else []
        if p.digit is None and len({a.best for a in answers}) > 1:
            return tuple(float(v) for v in np.mean([a.probabilities for a in answers], axis=0))
        return p.probabilities

    def _draw_model_chips(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        # One chip per model with its answer; tap one to make it the big answer.
        t, self.model_chips = self.theme, []
        width = rect.width // max(1, len(self.recognizers))
        for index, (recognizer, answer) in enumerate(zip(self.recognizers, self.answers)):
            chip = pygame.Rect(rect.x + index * width + t.unit // 2, rect.y, width - t.unit, rect.height)
            active = index == self.active
            pygame.draw.rect(surface, colours.BAR_BEST if active else colours.BAR_TRACK, chip, border_radius=t.unit)
            # Each model's own best guess, even when they disagree: that disagreement is why the kiosk is not sure.
            label = self.phrases.text("draw.chip", kind=recognizer.kind.upper(), digit=str(answer.best))
            if "trained_by" in recognizer.metadata:  # the brain the visitor trained says so on its chip
                label = self.phrases.text("live.chip", digit=str(answer.best))
            draw_text(surface, label, t.font(1.5), colours.BUTTON_TEXT if active else colours.TEXT, chip.center, max_width=chip.width - t.unit)
            self.model_chips.append((chip, index))
