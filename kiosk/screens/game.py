"""The game screen: "Can you draw a 5?" with the digit big and its dots to count, the child's canvas, the
hand that shows how, "Is this your five?" with a big tick and cross, confetti for a win, and at the end
stars, confetti and a big "Play again!". The bin and the loudspeaker stay under the canvas throughout.

The game's decisions are kiosk.session.game.DrawingGame; this screen lays out, turns touches into its
calls, and draws. Everything a child needs is said aloud or shown as a picture: no reading needed.
"""

from __future__ import annotations

import random

import pygame

from kiosk.errors import EmptyDrawing
from kiosk.event_log import EventLog
from kiosk.input import PointerDown, PointerEvent, PointerMove, PointerUp
from kiosk.language.phrases import Phrases
from kiosk.recognition.example_digits import EXAMPLES
from kiosk.recognition.recognizer import Prediction, Recognizer, recognize_all
from kiosk.screens.base import Screen
from kiosk.screens.frame import Frame
from kiosk.session.game import HELP_MS, DrawingGame, Phase
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.ui import colours
from kiosk.ui.confetti import Confetti
from kiosk.ui.hand_drawing import drawn_so_far
from kiosk.ui.game_pictures import draw_asked_digit, draw_picture_button, draw_round_stars
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import (
    Button,
    InkLayer,
    draw_hand,
    draw_paragraph,
    draw_speaker_button,
    render_ink,
    wrap_lines,
)

EXAMPLE_SHARE = 0.66  # of the canvas: the hand draws the example as big as a child would
TRACE_SHARE = 0.75  # of the help's time: the hand draws, then the finished digit rests


class GameScreen(Screen):
    """Rounds of "Can you draw a N?": the question on the right, the canvas on the left, stars at the end."""

    name = "game"

    def __init__(
        self,
        recognizers: list[Recognizer],
        theme: Theme,
        frame: Frame,
        phrases: Phrases,
        say,
        events: EventLog,
        feedback_store: FeedbackStore | None = None,
        rng: random.Random | None = None,
        say_next=None,
    ):
        self.recognizers, self.theme, self.phrases, self.say = recognizers, theme, phrases, say
        self.feedback_store = feedback_store
        self.canvas, self.panel, self.nav = frame.canvas, frame.panel, frame.nav
        self.clock_s = 0.0
        keep = self._keep if feedback_store is not None else None  # no store: nothing kept, nothing asked
        self.game = DrawingGame(
            lambda: self.clock_s, self._read, say, events, self.canvas.width, keep=keep, rng=rng, say_next=say_next
        )
        self.confetti = Confetti(theme.width, theme.height)
        self.ink_layer = InkLayer(self.canvas.size, theme.pen_px)
        self._ink_surface: pygame.Surface | None = None
        self._ghost: list = []  # the hand's strokes so far, in canvas pixels
        self._drawing = False
        self._phase = Phase.DONE
        m, bh, zone = theme.margin, theme.button_height, theme.admin_zone
        y = frame.buttons_y
        left = self.canvas.x if y + bh <= zone.top else max(self.canvas.x, zone.right + m)
        width = (self.canvas.right - left - m) // 2
        self.clear_button = Button("ui.button.clear", pygame.Rect(left, y, width, bh), colours.CLEAR, icon="clear")
        self.say_again = pygame.Rect(self.canvas.right - width, y, width, bh)
        # The panel's bottom row: the rounds' stars, or Yes and No ("Is this your five?"), or Play again.
        p = self.panel
        row = pygame.Rect(frame.footer_left, 0, p.right - frame.footer_left, int(bh * 1.3))
        row.bottom = p.bottom
        self.bottom_row = row
        half = (row.width - m) // 2
        self.yes_button = Button("ui.button.yes", pygame.Rect(row.x, row.y, half, row.height), colours.RECOGNIZE)
        self.no_button = Button("ui.button.no", pygame.Rect(row.right - half, row.y, half, row.height), colours.CLEAR)
        self.again_button = Button("game.play_again", pygame.Rect(row), colours.RECOGNIZE)

    # --- the App's contract ----------------------------------------------------------------------
    @property
    def animating(self) -> bool:
        """Something moves on its own (the hand, confetti, the stars): not while the game only waits."""
        return self.game.phase in (Phase.HELPING, Phase.WON, Phase.ENDED) or self.confetti.running

    def enter(self, strokes: list | None = None) -> None:
        self.transition = None
        self.game.start()

    def leave(self) -> None:
        self.game.stop()
        self.confetti.pieces = []

    def reset(self) -> None:
        self.leave()

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        found = self.nav.targets()
        phase = self.game.phase
        if phase is Phase.DONE:
            return found
        if phase is not Phase.ENDED:  # the bin wipes the canvas in every round's phase
            found.append(("clear", self.clear_button.rect))
        found.append(("say it again", self.say_again))
        if phase is Phase.CONFIRMING:
            found += [("yes", self.yes_button.rect), ("no", self.no_button.rect)]
        if phase is Phase.ENDED:
            found.append(("play again", self.again_button.rect))
        return found

    # --- touches ---------------------------------------------------------------------------------
    def handle(self, event: PointerEvent) -> None:
        x, y = float(event.x), float(event.y)
        if isinstance(event, PointerDown):
            if self.game.phase is Phase.ENDED and self.nav.hit(x, y) == self.name:
                self.game.start()  # the star again, at the end: another game
                return
            if self.follow_tab(event) or self._press(x, y):
                return
            if self.canvas.collidepoint(x, y) or self.game.phase is Phase.ENDED:
                self._drawing = self.game.begin_stroke(x - self.canvas.x, y - self.canvas.y)
        elif isinstance(event, PointerMove) and self._drawing:
            self.game.extend_stroke(x - self.canvas.x, y - self.canvas.y)
        elif isinstance(event, PointerUp) and self._drawing:
            self._drawing = False
            self.game.end_stroke()

    def _press(self, x: float, y: float) -> bool:
        """A tap on one of the game's buttons (those of the phase on screen); True if it was one."""
        hit = next((name for name, rect in self.targets() if rect.collidepoint(x, y)), None)
        game = self.game
        if hit == "clear":
            game.clear()
        elif hit == "say it again":
            game.say_again()
        elif hit in ("yes", "no"):
            game.confirm(hit == "yes")
        elif hit == "play again":
            game.start()
        return hit in ("clear", "say it again", "yes", "no", "play again")

    # --- time ------------------------------------------------------------------------------------
    def update(self, dt_ms: float) -> None:
        self.clock_s += dt_ms / 1000
        game = self.game
        game.tick()
        if game.phase is not self._phase:
            self._phase = game.phase
            if game.phase in (Phase.WON, Phase.ENDED):  # a round won, and the happy ending
                self.confetti.start()
            if game.phase is Phase.DONE:
                self.go("draw")
        self.confetti.update(dt_ms)
        self._ghost = []
        if game.phase is Phase.HELPING:
            progress = min(1.0, game.phase_ms / (HELP_MS * TRACE_SHARE))
            self._ghost = drawn_so_far(self._example(game.digit), progress)
        self._ink_surface = self.ink_layer.update(game.ink.strokes)

    def _example(self, digit: int) -> list:
        side = self.canvas.width * EXAMPLE_SHARE
        offset = (self.canvas.width - side) / 2
        return [[(offset + x * side, offset + y * side) for x, y in s] for s in EXAMPLES[digit][0]]

    def _read(self, strokes: list) -> Prediction | None:
        try:
            return recognize_all(self.recognizers, strokes)[0]
        except EmptyDrawing:
            return None

    def _keep(self, strokes: list, answer: Prediction, digit: int) -> bool:
        """The asked digit as the label, read as that digit by the kiosk or confirmed by the child: into the
        same store as the drawing screen's labels (one drawing counts once; the nightly doubt judges them all)."""
        model = self.recognizers[0]
        return self.feedback_store.append(
            strokes, self.canvas.width, answer.image, digit, answer.digit, model.kind, model.version
        )

    # --- drawing ---------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        t, game = self.theme, self.game
        surface.fill(colours.BACKGROUND)
        pygame.draw.rect(surface, colours.CANVAS, self.canvas, border_radius=t.unit)
        if self._ink_surface is not None:
            surface.blit(self._ink_surface, self.canvas.topleft)
        if self._ghost:
            ghost = render_ink(self._ghost, self.canvas.size, t.pen_px, colours.GHOST_INK)
            if ghost is not None:
                surface.blit(ghost, self.canvas.topleft)
            if game.phase_ms < HELP_MS * TRACE_SHARE:
                tip = self._ghost[-1][-1]
                draw_hand(surface, (int(self.canvas.x + tip[0]), int(self.canvas.y + tip[1])), t.unit)
        if game.phase is Phase.ENDED:
            inside = self.canvas.inflate(-t.unit * 2, -t.unit * 2)
            draw_round_stars(surface, inside, game.outcomes, game.rounds, big=True)
        pygame.draw.rect(surface, colours.CANVAS_BORDER, self.canvas, width=max(3, t.unit // 3), border_radius=t.unit)
        self.nav.draw(surface, t, self.name)
        if game.phase is not Phase.DONE:
            self._draw_buttons(surface)
            self._draw_panel(surface)
        self.confetti.draw(surface, t.unit)

    def _draw_buttons(self, surface: pygame.Surface) -> None:
        """The bin and the loudspeaker under the canvas (the bin not at the end: nothing left to wipe)."""
        t = self.theme
        if self.game.phase is not Phase.ENDED:
            self.clear_button.draw(surface, t)
        pygame.draw.rect(surface, colours.BAR, self.say_again, border_radius=t.unit)
        side = min(self.say_again.width, self.say_again.height)
        draw_speaker_button(
            surface,
            pygame.Rect(0, 0, side, side).move(self.say_again.centerx - side // 2, self.say_again.centery - side // 2),
        )

    def _draw_panel(self, surface: pygame.Surface) -> None:
        """The asked digit big with its dots to count, what was said, and the bottom row: the rounds' stars so
        far, Yes and No while "Is this your five?" is asked, Play again at the end."""
        t, p, game, tr = self.theme, self.panel, self.game, self.phrases.text
        row = self.bottom_row if game.phase in (Phase.CONFIRMING, Phase.ENDED) else pygame.Rect(
            p.x, p.bottom - t.unit * 4, p.width, t.unit * 4)
        caption_font = t.font(2.0)
        lines = min(3, len(wrap_lines(tr(game.line_id), caption_font, p.width)))
        caption = pygame.Rect(p.x, 0, p.width, caption_font.get_linesize() * lines)
        caption.bottom = row.top - t.unit // 2
        if game.phase is not Phase.ENDED:
            colour = colours.BAR_BEST if game.phase is Phase.WON else colours.TEXT
            draw_asked_digit(surface, pygame.Rect(p.x, p.y, p.width, caption.top - p.y), game.digit, t, colour)
        else:  # the stars are on the canvas: the words take the middle of what is left
            caption.centery = (p.y + row.top) // 2
        draw_paragraph(surface, tr(game.line_id), caption_font, colours.TEXT, caption, max_lines=3)
        if game.phase is Phase.CONFIRMING:
            draw_picture_button(surface, self.yes_button, t, "yes", tr(self.yes_button.label))
            draw_picture_button(surface, self.no_button, t, "no", tr(self.no_button.label))
        elif game.phase is Phase.ENDED:
            draw_picture_button(surface, self.again_button, t, "again", tr(self.again_button.label))
        else:
            draw_round_stars(surface, row, game.outcomes, game.rounds, big=False)
