"""DrawingGame: "Can you draw a 5?" in rounds (Quick, Draw!'s rounds for children), without pygame.

It decides which digit to ask, when the child's drawing is finished, whether the round is won, when the
hand shows how ("Fives look like this"), when the next round comes and how the game ends; the game screen
lays this out and draws it. Driven by an injected clock, so every decision is tested without SDL.
"""

from __future__ import annotations

import enum
import random
from typing import Callable

from kiosk.event_log import EventLog
from kiosk.language.phrases import game_ask_id as ask_id
from kiosk.language.phrases import game_end_id as end_id
from kiosk.language.phrases import game_help_id as help_id
from kiosk.recognition.recognizer import Prediction
from kiosk.recognition.strokes import Ink

ROUNDS = 5  # "You drew 4 of 5!": long enough to be a game, short enough for a six-year-old's patience
ANSWER_AFTER_MS = 1600  # the finger has rested this long: the drawing is finished (the draw screen's default)
CHEER_MS = 3000  # the confetti and "Yay!" before the next round
GOOD_TRY_MS = 2500  # "Good try!" before the next round
HELP_MS = 5500  # the hand draws the example while "Fives look like this" is said
HELP_IF_IDLE_MS = 15_000  # nothing drawn this long after the question: the hand shows how
ENDING_MS = 8000  # the stars, then back to drawing
ENDING_TAP_AFTER_MS = 2000  # a tap ends the ending only after this (a late stroke must not skip the stars)
SMALLEST_DIGIT = 0.05  # of the canvas side: a tap or a dot is not a try


class Phase(enum.Enum):
    ASKING = "asking"  # "Can you draw a 5?": waiting for the child's drawing
    HELPING = "helping"  # "Fives look like this": the hand draws one
    WON = "won"  # confetti: the kiosk read the asked digit
    GOOD_TRY = "good_try"  # missed again after the help: on to the next one, kindly
    ENDED = "ended"  # "You drew 4 of 5!" with stars
    DONE = "done"  # the game is over: the screen goes back to drawing


class DrawingGame:
    """Rounds of "Can you draw a N?": read(strokes) answers a finished drawing, say(phrase_id) speaks,
    keep(strokes, prediction, digit) keeps a drawing read as the asked digit for the nightly retraining."""

    def __init__(
        self,
        clock: Callable[[], float],
        read: Callable[[list], Prediction | None],
        say: Callable[[str], object],
        events: EventLog,
        canvas_side_px: float,
        keep: Callable[[list, Prediction, int], object] | None = None,
        rng: random.Random | None = None,
        rounds: int = ROUNDS,
    ):
        self.clock, self.read, self.say, self.events, self.keep = clock, read, say, events, keep
        self.canvas_side_px, self.rng, self.rounds = canvas_side_px, rng or random.Random(), rounds
        self.ink = Ink()
        self.phase = Phase.DONE
        self.digits: list[int] = []  # the digits asked, one per round
        self.round = 0  # the current round, from 0
        self.outcomes: list[str] = []  # per round played: "won", "helped" (won after the help) or "tried"
        self.helped = False  # the hand has shown this round's digit
        self.answer: Prediction | None = None  # the kiosk's reading of the last finished drawing
        self.phase_since = 0.0
        self.lifted_at: float | None = None

    # --- the game's course -----------------------------------------------------------------------
    def start(self) -> None:
        """A new game: distinct digits, the first question."""
        self.digits = self.rng.sample(range(10), self.rounds)
        self.round, self.outcomes = 0, []
        self._ask()

    @property
    def digit(self) -> int:
        """The digit asked in this round."""
        return self.digits[self.round]

    @property
    def stars(self) -> int:
        """Rounds the child drew the digit in (with or without the hand's help)."""
        return sum(outcome != "tried" for outcome in self.outcomes)

    @property
    def phase_ms(self) -> float:
        """How long the game has been in this phase (the screen's animations follow it)."""
        return (self.clock() - self.phase_since) * 1000

    def _enter(self, phase: Phase, phrase_id: str | None = None) -> None:
        self.phase, self.phase_since = phase, self.clock()
        if phrase_id is not None:
            self.say(phrase_id)

    def _ask(self) -> None:
        self.helped, self.answer, self.lifted_at = False, None, None
        self.ink.clear()
        self._enter(Phase.ASKING, ask_id(self.digit))
        self.events.write(type="round_asked", digit=self.digit, round=self.round + 1, rounds=self.rounds)

    def _help(self) -> None:
        self.helped, self.lifted_at = True, None
        self.ink.clear()
        self._enter(Phase.HELPING, help_id(self.digit))
        self.events.write(type="round_helped", digit=self.digit, round=self.round + 1)

    def _next_round(self) -> None:
        self.round += 1
        if self.round < self.rounds:
            self._ask()
            return
        self.ink.clear()
        self._enter(Phase.ENDED, end_id(self.stars))
        self.events.write(type="game_ended", won=self.stars, rounds=self.rounds, outcomes=list(self.outcomes))

    def stop(self) -> None:
        """The child left the game (another tab, a new visitor): nothing more is said."""
        self.ink.clear()
        self.phase, self.lifted_at = Phase.DONE, None

    # --- the child's strokes ---------------------------------------------------------------------
    def begin_stroke(self, x: float, y: float) -> bool:
        """A finger on the canvas; True if it draws (only while a digit is asked). A tap on the ending
        (after its first seconds) ends it."""
        if self.phase is Phase.ENDED and self.phase_ms >= ENDING_TAP_AFTER_MS:
            self.stop()
            return False
        if self.phase is not Phase.ASKING:
            return False
        self.ink.begin(x, y)
        self.lifted_at = None
        return True

    def extend_stroke(self, x: float, y: float) -> None:
        if self.phase is Phase.ASKING:
            self.ink.extend(x, y)

    def end_stroke(self) -> None:
        if self.phase is Phase.ASKING and not self.ink.is_empty:
            self.ink.end()
            self.lifted_at = self.clock()

    def clear(self) -> None:
        """The child wiped the canvas to start this digit again."""
        self.ink.clear()
        self.lifted_at = None

    # --- time ------------------------------------------------------------------------------------
    def tick(self) -> None:
        """What the time calls for: read a finished drawing, help a child who does not start, move on."""
        phase, waited_ms = self.phase, self.phase_ms
        if phase is Phase.ASKING:
            if self.lifted_at is not None and (self.clock() - self.lifted_at) * 1000 >= ANSWER_AFTER_MS:
                self._judge()
            elif self.ink.is_empty and not self.helped and waited_ms >= HELP_IF_IDLE_MS:
                self._help()
        elif phase is Phase.HELPING and waited_ms >= HELP_MS:
            self.ink.clear()
            self._enter(Phase.ASKING, "game.your_turn")
        elif (phase is Phase.WON and waited_ms >= CHEER_MS) or (phase is Phase.GOOD_TRY and waited_ms >= GOOD_TRY_MS):
            self._next_round()
        elif phase is Phase.ENDED and waited_ms >= ENDING_MS:
            self.stop()

    def _too_small(self) -> bool:
        points = [p for stroke in self.ink.strokes for p in stroke]
        if not points:
            return True
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return max(max(xs) - min(xs), max(ys) - min(ys)) < SMALLEST_DIGIT * self.canvas_side_px

    def _judge(self) -> None:
        self.lifted_at = None
        if self._too_small():  # a tap or a dot: not a try
            self.ink.clear()
            return
        strokes = self.ink.copy_strokes()
        self.answer = answer = self.read(strokes)
        read_as = answer.digit if answer is not None else None
        if read_as == self.digit:
            self.outcomes.append("helped" if self.helped else "won")
            self.events.write(type="round_won", digit=self.digit, round=self.round + 1, helped=self.helped)
            if self.keep is not None:  # a known label the kiosk itself agrees with: worth keeping
                self.keep(strokes, answer, self.digit)
            self._enter(Phase.WON, "game.won")
        elif not self.helped:
            self.events.write(type="round_missed", digit=self.digit, round=self.round + 1, read=read_as)
            self._help()
        else:
            self.outcomes.append("tried")
            self.events.write(type="round_missed", digit=self.digit, round=self.round + 1, read=read_as)
            self.ink.clear()
            self._enter(Phase.GOOD_TRY, "game.good_try")
