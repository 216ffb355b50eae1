"""DrawingGame: "Can you draw a 5?" in rounds (Quick, Draw!'s rounds for children), without pygame.

It decides which digit to ask, when the child's drawing is finished, whether the round is won, whether a
drawing read as another digit is the child's 5 after all ("Is this your five?", Yes or No), which drawings
are kept for the nightly retraining, when the hand shows how ("Fives look like this"), when the next round
comes and how the game ends; the game screen lays this out and draws it. Driven by an injected clock, so
every decision is tested without SDL.
"""

from __future__ import annotations

import enum
import random
from typing import Callable

from kiosk.event_log import EventLog
from kiosk.language.phrases import game_ask_id as ask_id
from kiosk.language.phrases import game_confirm_id as confirm_id
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
CONFIRM_MS = 10_000  # "Is this your five?" unanswered this long: taken as no answer (nothing kept), and on
ENDING_MS = 12_000  # the stars and "Play again!", then back to drawing (time to hear both and tap)
ENDING_TAP_AFTER_MS = 2000  # a tap ends the ending only after this (a late stroke must not skip the stars)
SMALLEST_DIGIT = 0.05  # of the canvas side: a tap or a dot is not a try


class Phase(enum.Enum):
    ASKING = "asking"  # "Can you draw a 5?": waiting for the child's drawing
    CONFIRMING = "confirming"  # "Is this your five?": read as another digit, the child says Yes or No
    HELPING = "helping"  # "Fives look like this": the hand draws one
    WON = "won"  # confetti: the kiosk read the asked digit, or the child said it was their five
    GOOD_TRY = "good_try"  # missed again after the help: on to the next one, kindly
    ENDED = "ended"  # "You drew 4 of 5!" with stars
    DONE = "done"  # the game is over: the screen goes back to drawing


class DrawingGame:
    """Rounds of "Can you draw a N?": read(strokes) answers a finished drawing, say(phrase_id) speaks and
    say_next(phrase_id) speaks after it; keep(strokes, prediction, digit) keeps a drawing for the nightly
    retraining, labelled with the asked digit (True if stored), only when the kiosk read it as that digit or
    the child said Yes to "Is this your five?". Without keep nothing is kept and nothing is asked."""

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
        say_next: Callable[[str], object] | None = None,
    ):
        self.clock, self.read, self.say, self.events, self.keep = clock, read, say, events, keep
        self.say_next = say_next or say
        self.canvas_side_px, self.rng, self.rounds = canvas_side_px, rng or random.Random(), rounds
        self.ink = Ink()
        self.phase = Phase.DONE
        self.digits: list[int] = []  # the digits asked, one per round
        self.round = 0  # the current round, from 0
        # per round played: "won", "helped" (won after the help), "confirmed" (the child said Yes) or "tried"
        self.outcomes: list[str] = []
        self.helped = False  # the hand has shown this round's digit
        self.answer: Prediction | None = None  # the kiosk's reading of the last finished drawing
        self.judged: list = []  # that drawing's strokes (kept if the child says it is their digit)
        self.line_id = ""  # what the game said last: the panel shows it, the loudspeaker says it again
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
            self.line_id = phrase_id
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
        self.say_next("game.play_again")
        self.events.write(type="game_ended", won=self.stars, rounds=self.rounds, outcomes=list(self.outcomes))

    def say_again(self) -> None:
        """The loudspeaker: what the game said last, again (and "Play again!" after the ending's words)."""
        if self.phase is Phase.DONE:
            return
        self.say(self.line_id)
        if self.phase is Phase.ENDED:
            self.say_next("game.play_again")

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
        """The bin: wipes the canvas in every phase. While the hand shows how, the child's turn comes now;
        while "Is this your five?" is asked, it answers No (the drawing is not kept)."""
        if self.phase is Phase.HELPING:
            self._your_turn()
        elif self.phase is Phase.CONFIRMING:
            self.confirm(False)
        self.ink.clear()
        self.lifted_at = None

    def confirm(self, yes: bool | None) -> None:
        """The child's answer to "Is this your five?": Yes keeps the drawing with the asked digit as its label
        (a star and a thank-you); No, or None (no answer in time), keeps nothing and goes on as after a miss."""
        if self.phase is not Phase.CONFIRMING:
            return
        kept = bool(self.keep(self.judged, self.answer, self.digit)) if yes else False
        read_as = self.answer.digit if self.answer is not None else None
        self.events.write(type="round_confirmed", digit=self.digit, round=self.round + 1, read=read_as,
                          confirmed=yes, kept=kept)
        if yes:
            self.outcomes.append("confirmed")
            self._enter(Phase.WON, "game.confirmed")
        else:
            self._after_a_miss()

    def _your_turn(self) -> None:
        self.ink.clear()
        self._enter(Phase.ASKING, "game.your_turn")

    # --- time ------------------------------------------------------------------------------------
    def tick(self) -> None:
        """What the time calls for: read a finished drawing, help a child who does not start, move on."""
        phase, waited_ms = self.phase, self.phase_ms
        if phase is Phase.ASKING:
            if self.lifted_at is not None and (self.clock() - self.lifted_at) * 1000 >= ANSWER_AFTER_MS:
                self._judge()
            elif self.ink.is_empty and not self.helped and waited_ms >= HELP_IF_IDLE_MS:
                self._help()
        elif phase is Phase.CONFIRMING and waited_ms >= CONFIRM_MS:
            self.confirm(None)
        elif phase is Phase.HELPING and waited_ms >= HELP_MS:
            self._your_turn()
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
        self.judged = strokes = self.ink.copy_strokes()
        self.answer = answer = self.read(strokes)
        read_as = answer.digit if answer is not None else None
        if read_as == self.digit:
            self.outcomes.append("helped" if self.helped else "won")
            self.events.write(type="round_won", digit=self.digit, round=self.round + 1, helped=self.helped)
            if self.keep is not None:  # a known label the kiosk itself agrees with: worth keeping
                self.keep(strokes, answer, self.digit)
            self._enter(Phase.WON, "game.won")
            return
        self.events.write(type="round_missed", digit=self.digit, round=self.round + 1, read=read_as)
        if self._may_ask(answer):
            self._enter(Phase.CONFIRMING, confirm_id(self.digit))
        else:
            self._after_a_miss()

    def _may_ask(self, answer: Prediction | None) -> bool:
        """Ask "Is this your five?" as the drawing screen asks "Did I get it right?": only when drawings are
        kept, and never about a drawing that does not look like a number at all (a scribble)."""
        return self.keep is not None and answer is not None and (answer.digit is not None or answer.digit_like)

    def _after_a_miss(self) -> None:
        """The hand shows how the first time; after it, a good try and the next round."""
        if not self.helped:
            self._help()
            return
        self.outcomes.append("tried")
        self.ink.clear()
        self._enter(Phase.GOOD_TRY, "game.good_try")
