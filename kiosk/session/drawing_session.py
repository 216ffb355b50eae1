"""DrawingSession: one child's turn at the canvas, without pygame, driven by an injected clock.

It owns the ink, the quiet guess, the answer's timing, whether a touch starts a new drawing or adds
to the one just answered, the "Did I get it right?" question, the child's corrections and this
visitor's memory of them. The drawing screen turns touches into these calls and draws the state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

from kiosk.errors import EmptyDrawing
from kiosk.event_log import EventLog
from kiosk.language.phrases import backwards_id, result_id, unsure_id
from kiosk.recognition.backwards import BackwardsReader, shipped_reader
from kiosk.recognition.recognizer import Prediction, Recognizer, recognize_all
from kiosk.recognition.strokes import Ink
from kiosk.session.visitor import VisitorWatch
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.teaching.session_memory import SessionMemory

GUESS_AFTER_MS = 500  # a quiet guess (bars, the digit in soft colours, no voice) this soon after a lift
# After the answer a touch starts a new digit, unless it comes this soon and on the digit just answered: a
# stroke begun within a child's reaction time of the answer was already on its way (a 4's second stroke
# after a long think), while one begun later answers the answer. 1.2 s merged 65% of next digits.
ADD_STROKE_GRACE_MS = 400
ON_THE_DIGIT = 0.25  # of the answered digit's longer side: a touch this close to its box is on it
SMALLEST_DIGIT = 0.05  # of the canvas side: a tap or a stray dot smaller than this is not a digit
CLOCK_SLACK_MS = 1e-3  # times are differences of float seconds: 1.6 s may come back as 1599.9999999 ms


@dataclass(frozen=True)
class Question:
    """ "Did I get it right?": the answer it is about and who gave it (a new model may come in meanwhile)."""

    answer: Prediction
    kind: str
    version: str


class DrawingSession:
    """One child's turn: strokes in, a quiet guess after a short rest, the answer after a longer one.

    clock returns seconds (any origin); say(phrase_id) speaks a phrase, say_next(phrase_id) speaks one
    after it (the question). auto_delay_ms <= 0 waits for Go.
    """

    def __init__(
        self,
        recognizers: list[Recognizer],
        events: EventLog,
        clock: Callable[[], float],
        say: Callable[[str], object],
        say_next: Callable[[str], object],
        canvas_side_px: float,
        auto_delay_ms: int,
        feedback_store: FeedbackStore | None = None,
    ):
        self.recognizers, self.events, self.clock = (
            recognizers,
            events,
            clock,
        )  # recognizers: replaced in place on a reload
        self.say, self.say_next = say, say_next
        self.canvas_side_px, self.auto_delay_ms = canvas_side_px, auto_delay_ms
        self.feedback_store = feedback_store  # the question is asked only when answers are kept
        self.ink = Ink()
        self.memory = SessionMemory()  # this visitor's corrections, forgotten when a new visitor comes
        self.backwards: BackwardsReader = shipped_reader()  # names a backwards 3 (configure() may give another)
        self.visitor = VisitorWatch(clock)  # decides when that is; the App listens too (the visitor's brain)
        self.visitor.listen(self._new_visitor)
        self.drawing = 0  # which drawing this is: one lesson per drawing, however often it is corrected
        self._counted_drawing: int | None = None  # the last drawing the memory counted
        self.active = 0  # which model's answer is the big one; the others are shown beside it
        self.answers: list[Prediction] = []
        self.prediction: Prediction | None = None  # the answer given (said, or shown as the answer)
        self.guess: Prediction | None = None  # a quiet guess while the child may still be drawing
        self.question: Question | None = None
        self.message_id = "prompt.draw"  # what the panel says (and the voice said)
        self.child_drew = False  # an example handed over from the examples wall is not the child's drawing
        self.lifted_at: float | None = None  # when the finger last lifted, while an answer may still come
        self.guessed = False  # the quiet guess for this lift was made
        self.answered_at: float | None = None

    @property
    def recognizer(self) -> Recognizer:
        return self.recognizers[self.active]

    # --- decisions -----------------------------------------------------------------------------
    def _waited_ms(self, since: float | None) -> float:
        return 0.0 if since is None else (self.clock() - since) * 1000

    def _reached(self, since: float | None, ms: float) -> bool:
        return since is not None and self._waited_ms(since) >= ms - CLOCK_SLACK_MS

    def touch_starts_new_drawing(self, x: float, y: float) -> bool:
        """After an answer, a touch at (x, y) starts a new drawing (the old one moves away), unless it
        comes within ADD_STROKE_GRACE_MS and on the digit just answered."""
        if self.prediction is None:
            return False
        soon = self._waited_ms(self.answered_at) <= ADD_STROKE_GRACE_MS + CLOCK_SLACK_MS
        return not (soon and self._on_the_digit(x, y))

    def _on_the_digit(self, x: float, y: float) -> bool:
        points = [p for stroke in self.ink.strokes for p in stroke]
        if not points:
            return False
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        margin = ON_THE_DIGIT * max(max(xs) - min(xs), max(ys) - min(ys))
        return min(xs) - margin <= x <= max(xs) + margin and min(ys) - margin <= y <= max(ys) + margin

    def guess_due(self) -> bool:
        """The finger has rested GUESS_AFTER_MS, not yet long enough for the answer, and no guess was made."""
        return (
            not self.guessed
            and self._reached(self.lifted_at, GUESS_AFTER_MS)
            and not self._reached(self.lifted_at, self.auto_delay_ms)
        )

    def answer_due(self) -> bool:
        """The finger has rested auto_delay_ms since it lifted."""
        return self._reached(self.lifted_at, self.auto_delay_ms)

    def too_small(self) -> bool:
        """A tap or a stray dot: too little ink to be anybody's digit."""
        points = [p for stroke in self.ink.strokes for p in stroke]
        if not points:
            return True
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return max(max(xs) - min(xs), max(ys) - min(ys)) < SMALLEST_DIGIT * self.canvas_side_px

    # --- the ink -------------------------------------------------------------------------------
    def begin_stroke(self, x: float, y: float) -> bool:
        """A finger on the canvas (canvas pixels); True if it started a new drawing."""
        self.visitor.touched()
        fresh = self.touch_starts_new_drawing(x, y)
        if fresh:
            self.clear()
            self.message_id = "prompt.keep_drawing"
            self.events.write(type="new_drawing")
        elif self.prediction is not None:  # a stroke added to the digit just answered: answer again
            self.prediction, self.answers, self.answered_at = None, [], None
            self.message_id = "prompt.keep_drawing"
        self.ink.begin(x, y)
        self.lifted_at, self.child_drew, self.guess, self.question = None, True, None, None
        return fresh

    def extend_stroke(self, x: float, y: float) -> None:
        self.ink.extend(x, y)

    def end_stroke(self) -> None:
        """The finger lifted: the wait for the quiet guess and the answer starts."""
        self.ink.end()
        self.lifted_at, self.guessed = self.clock(), False

    def clear(self) -> None:
        self.ink.clear()
        self.drawing += 1
        self.prediction, self.answers, self.message_id, self.lifted_at = None, [], "prompt.draw", None
        self.child_drew, self.guess, self.answered_at, self.question = False, None, None, None

    def undo(self) -> None:
        self.ink.undo()
        self.prediction, self.answers, self.guess, self.answered_at = None, [], None, None
        self.question = None
        self.message_id = "prompt.draw" if self.ink.is_empty else "prompt.keep_drawing"
        # What is left gets its answer after the usual wait, as after a lift.
        self.lifted_at, self.guessed = (None if self.ink.is_empty else self.clock()), False

    def show_example(self, strokes: list) -> bool:
        """An example handed over (canvas pixels) replaces the drawing and is answered, never asked about."""
        self.clear()
        for stroke in strokes:
            self.ink.begin(*stroke[0])
            for x, y in stroke[1:]:
                self.ink.extend(x, y)
            self.ink.end()
        return self.answer()

    def forget_visitor(self, sign: str = "attract") -> None:
        """Nobody is here: the drawing, the chosen model and the lessons go; the next child starts afresh."""
        self.clear()
        self.active = 0
        self.visitor.new_visitor(sign)

    def _new_visitor(self, sign: str) -> None:
        self.memory.forget()
        self.events.write(type="new_visitor", sign=sign)

    # --- time ----------------------------------------------------------------------------------
    def tick(self) -> str | None:
        """What the time since the lift calls for: "guess", "answer" (after answer(): True) or None."""
        self.visitor.tick()
        if self.lifted_at is None or self.auto_delay_ms <= 0 or self.ink.is_empty:
            return None
        if self.guess_due():
            self.guessed = True
            self.quiet_guess()
            return "guess"
        if self.answer_due():
            return "answer" if self.answer() else None
        return None

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

    def answer(self, asked: bool = False) -> bool:
        """Ask every model about the drawing; show and say the active model's answer. True if one is shown.

        asked: Go was pressed (a tiny drawing then gets "draw a number first"; on its own it is ignored)."""
        self.lifted_at = None
        if self.too_small() and not asked and not self.ink.is_empty:
            self.ink.clear()  # a tap or a stray dot: nothing to answer, and no dot left behind
            self.guess, self.message_id = None, "prompt.draw"  # the canvas is empty again, and says so
            self.events.write(type="ignored", reason="too small to be a digit")
            return False
        started = time.perf_counter()  # the models' own time, not the turn's clock
        try:
            if self.too_small():
                raise EmptyDrawing("too little ink to be a digit")
            # Every model sees the same picture; when they disagree the kiosk is not sure (a
            # second opinion catches scribbles that one model is sure of).
            strokes = self.ink.copy_strokes()
            # A backwards 3 is named as one (read mirrored too); never asked about, so never kept as a 3.
            answers = recognize_all(self.recognizers, strokes, self.active)
            self.answers = self._recall(self.backwards.read(self.recognizers, strokes, answers, self.active))
        except EmptyDrawing:
            self.prediction, self.answers, self.message_id, self.guess = None, [], "prompt.empty", None
            self.say(self.message_id)
            return False
        latency_ms = (time.perf_counter() - started) * 1000
        first = self.answers[self.active]
        self.guess, self.answered_at = None, self.clock()
        self._show(first)
        # "That doesn't look like a number" is not followed by "which number was it?": one message at a time.
        asking = (self.feedback_store is not None and self.child_drew and not first.mirrored
                  and (first.digit is not None or first.digit_like))
        # Remember who answered: a new model may be switched in while the question is on screen.
        self.question = Question(first, self.recognizer.kind, self.recognizer.version) if asking else None
        self.events.write(
            type="recognized",
            digit=first.digit,
            probabilities=list(first.probabilities),
            model=self.recognizer.kind,
            latency_ms=round(latency_ms, 3),
            remembered=first.remembered,
            mirrored=first.mirrored,
            answers={r.kind: a.digit for r, a in zip(self.recognizers, self.answers)},
        )
        self.say(self.message_id)
        if asking:  # asked aloud too, once the answer has been said: most children here cannot read yet
            self.say_next("feedback.ask" if first.digit is not None else "feedback.which")
        return True

    def read(self, strokes: list) -> Prediction | None:
        """The active model's answer to strokes that are not the child's (the attract loop's hand)."""
        try:
            return recognize_all(self.recognizers, strokes, self.active)[self.active]
        except EmptyDrawing:
            return None

    def _recall(self, answers: list[Prediction]) -> list[Prediction]:
        """A drawing very like one this visitor corrected gets the digit they taught (the active answer only)."""
        if self._counted_drawing != self.drawing:  # the first look at this drawing: lessons age by one
            self._counted_drawing = self.drawing
            self.memory.next_drawing()
        recalled = self.memory.recall(answers[self.active].image)
        if recalled is None or recalled[0] == answers[self.active].digit:
            return answers
        answers = list(answers)
        answers[self.active] = replace(answers[self.active], digit=recalled[0], digit_like=True, remembered=True,
                                       mirrored=False)
        return answers

    def choose_model(self, index: int) -> bool:
        """Make another model's answer the big one (and say it); True if the answer shown changed."""
        if index == self.active or not 0 <= index < len(self.recognizers):
            return False
        self.active = index
        if not self.answers:
            return False
        self._show(self.answers[index])
        self.say(self.message_id)
        return True

    def _show(self, prediction: Prediction) -> None:
        self.prediction = p = prediction
        if p.remembered and p.digit is not None:  # big and said: the digit shows what this child taught
            self.message_id = "memory.taught"
        elif p.mirrored and p.digit is not None:  # "That's a backwards three! Threes go like this."
            self.message_id = backwards_id(p.digit)
        elif p.digit is not None:
            self.message_id = result_id(p.digit)
        elif not p.digit_like:
            self.message_id = "unsure.not_digit"
        else:
            self.message_id = unsure_id(p.best, p.runner_up)

    # --- corrections ---------------------------------------------------------------------------
    def label(self, digit: int) -> bool:
        """The child said which number it was: kept for the nightly retraining, remembered for this
        visitor when it corrects the answer, and thanked. True if it confirmed the answer."""
        self.visitor.touched()
        question = self.question
        answer = question.answer
        stored = self.feedback_store.append(
            self.ink.copy_strokes(),
            self.canvas_side_px,
            answer.image,
            digit,
            answer.digit,
            question.kind,
            question.version,
        )
        self.events.write(type="feedback", label=digit, answer=answer.digit, model=question.kind, stored=stored)
        confirmed = digit == answer.digit
        if not confirmed:  # this visitor's next drawing like this one gets what they taught
            if answer.remembered:  # ... and the lesson that answered goes (another child's, or a slip)
                self.memory.unlearn(answer.image)
            self.memory.teach(answer.image, digit, drawing=self.drawing)
            # The screen shows the digit taught from now on, not the answer that was wrong.
            taught = replace(answer, digit=digit, digit_like=True, remembered=True)
            if self.prediction is answer and self.answers:
                self.answers[self.active] = taught
            self.prediction, self.message_id = taught, "feedback.thanks"
        self.say("feedback.yay" if confirmed else "feedback.thanks")
        return confirmed
