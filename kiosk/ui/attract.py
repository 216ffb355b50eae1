"""The attract loop shown when nobody has touched the kiosk for a while: a ghost hand draws digits,
and the computer reads each one (said aloud now and then)."""

from __future__ import annotations

import math
from typing import Callable

import pygame

from kiosk.language.phrases import Phrases, result_id
from kiosk.recognition.example_digits import smooth
from kiosk.recognition.recognizer import Prediction
from kiosk.ui import colours
from kiosk.ui.hand_drawing import drawn_so_far, segment_lengths
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import draw_hand, draw_text, render_ink

# Digits as strokes in a unit square (x right, y down), traced one after another.
_CONTROL_POINTS = {
    2: [[(0.2, 0.3), (0.3, 0.12), (0.5, 0.05), (0.7, 0.12), (0.75, 0.3), (0.6, 0.5), (0.2, 0.92), (0.8, 0.92)]],
    7: [[(0.2, 0.08), (0.8, 0.08), (0.5, 0.5), (0.35, 0.92)]],
    3: [[(0.25, 0.15), (0.5, 0.05), (0.72, 0.2), (0.5, 0.45), (0.75, 0.65), (0.55, 0.92), (0.25, 0.85)]],
    0: [[(0.5 + 0.3 * math.sin(a), 0.5 - 0.42 * math.cos(a)) for a in (i * math.pi / 12 for i in range(25))]],
}
GHOST_DIGITS = {digit: [smooth(stroke) for stroke in strokes] for digit, strokes in _CONTROL_POINTS.items()}
# Segment lengths per stroke, worked out once: the loop asks for them every frame for hours.
_LENGTHS = {digit: segment_lengths(strokes) for digit, strokes in GHOST_DIGITS.items()}
SECONDS_PER_DIGIT = 3.0
SAID_PER_HOUR = 12  # the most guesses said aloud in an hour (KioskConfig.attract_voice_per_hour): staff hear them


def ghost_strokes(elapsed_s: float) -> tuple[int, list[list[tuple[float, float]]]]:
    """The digit being traced at elapsed_s and the part of its strokes drawn so far (unit square)."""
    digits = list(GHOST_DIGITS)
    index = int(elapsed_s // SECONDS_PER_DIGIT) % len(digits)
    progress = min(1.0, (elapsed_s % SECONDS_PER_DIGIT) / (SECONDS_PER_DIGIT * 0.7))
    digit = digits[index]
    return digit, drawn_so_far(GHOST_DIGITS[digit], progress, _LENGTHS[digit])


class AttractLoop:
    """The invitation on the drawing screen while nobody is here; update() moves the hand and reads its
    digit (once per digit: the loop runs for hours), draw() only draws.

    read(strokes) is the active model's answer to canvas-pixel strokes; say(phrase_id) speaks, at most
    said_per_hour times an hour (0: never).
    """

    def __init__(
        self,
        canvas: pygame.Rect,
        read: Callable[[list], Prediction | None],
        say: Callable[[str], object],
        said_per_hour: int = SAID_PER_HOUR,
    ):
        self.canvas, self.read, self.say, self.said_per_hour = canvas, read, say, said_per_hour
        self.elapsed_ms: float | None = None  # None: not running (somebody is here)
        self.ghost: list = []  # the hand's strokes so far, in canvas pixels
        self.guess: Prediction | None = None  # what the computer read in the finished digit
        self._guesses: dict[int, Prediction | None] = {}
        # The voice's clock runs only while the loop does and is never reset (not by a child passing by), so
        # its spacing is a floor on the wall clock's too: never more than said_per_hour in any hour.
        self._voice_ms = 0.0
        self._said_ms: float | None = None  # on the voice's clock

    @property
    def running(self) -> bool:
        return self.elapsed_ms is not None

    def start(self) -> None:
        self.elapsed_ms = 0.0
        self._trace()

    def stop(self) -> None:
        self.elapsed_ms = None

    def update(self, dt_ms: float) -> None:
        if self.elapsed_ms is None:
            return
        self.elapsed_ms += dt_ms
        self._voice_ms += dt_ms
        self._trace()

    def _trace(self) -> None:
        c = self.canvas
        elapsed_s = self.elapsed_ms / 1000
        digit, strokes = ghost_strokes(elapsed_s)
        inset = c.inflate(-c.width // 4, -c.height // 4).move(-c.x, -c.y)
        self.ghost = [
            [(inset.x + x * inset.width, inset.y + y * inset.height) for x, y in stroke] for stroke in strokes
        ]
        self.guess = None
        if not self.finished:
            return
        if digit not in self._guesses:
            self._guesses[digit] = self.read(self.ghost)
        self.guess = self._guesses[digit]
        if self.guess is not None and self.guess.digit is not None and self._may_speak():
            self._said_ms = self._voice_ms
            self.say(result_id(self.guess.digit))

    def _may_speak(self) -> bool:
        if self.said_per_hour <= 0:
            return False
        return self._said_ms is None or self._voice_ms - self._said_ms >= 3_600_000 / self.said_per_hour

    @property
    def finished(self) -> bool:
        """The hand has finished this digit and rests before the next."""
        return (self.elapsed_ms / 1000 % SECONDS_PER_DIGIT) >= SECONDS_PER_DIGIT * 0.7

    def draw(self, surface: pygame.Surface, panel: pygame.Rect, theme: Theme, phrases: Phrases) -> None:
        t, c, tr = theme, self.canvas, phrases.text
        layer = render_ink(self.ghost, c.size, t.pen_px, colours.GHOST_INK)
        if layer is not None:
            surface.blit(layer, c.topleft)
        if self.ghost and not self.finished:
            tip = self.ghost[-1][-1]
            draw_hand(surface, (c.x + int(tip[0]), c.y + int(tip[1])), t.unit)
        words_at = (panel.centerx, panel.centery - t.unit * 3)
        if self.guess is not None and self.guess.digit is not None:
            draw_text(
                surface, tr(result_id(self.guess.digit)), t.font(3.2), colours.TEXT, words_at, max_width=panel.width
            )
        else:
            pulse = 1.0 + 0.08 * math.sin(self.elapsed_ms / 250)
            draw_text(surface, tr("prompt.draw"), t.font(4.5 * pulse), colours.TEXT, words_at, max_width=panel.width)
        draw_text(
            surface,
            tr("attract.subtitle"),
            t.font(2.5),
            colours.SOFT_TEXT,
            (panel.centerx, panel.centery + t.unit * 2),
            max_width=panel.width,
        )
