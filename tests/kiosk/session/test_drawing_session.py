"""The child's turn without pygame: a fake clock, fake models, and the timings a child meets."""

import subprocess
import sys

import numpy as np
import pytest

from kiosk.errors import EmptyDrawing
from kiosk.recognition.preprocess import clean_strokes, strokes_to_image
from kiosk.recognition.recognizer import ModelLimits, Prediction
from kiosk.recognition.backwards import BackwardsReader, shipped_reader
from kiosk.session.drawing_session import ADD_STROKE_GRACE_MS, GUESS_AFTER_MS, DrawingSession

DELAY_MS = 1600
SIDE = 400  # canvas pixels


class FakeClock:
    def __init__(self):
        self.s = 1000.25  # any origin: the session only takes differences

    def __call__(self):
        return self.s

    def advance(self, ms):
        self.s += ms / 1000


class FakeModel:
    """Answers one digit (None: "not sure") for any drawing, and sees the drawing as the kiosk does."""

    def __init__(self, kind, digit, best=None):
        self.kind, self.version, self.metadata, self.digit, self.best = kind, f"{kind}-v1", {}, digit, best
        self.failed, self.slow_noted, self.limits = None, False, ModelLimits()  # what recognize_all checks
        self.path = f"{kind}.onnx"  # named in the log when a loaded machine makes an answer slow

    def recognize(self, strokes):
        image = strokes_to_image(clean_strokes(strokes))  # raises EmptyDrawing for no ink
        return self.classify_image(image)

    def classify_image(self, image, digit_like=True, not_digit=None):
        best = self.digit if self.best is None else self.best
        probabilities = tuple(0.91 if d == best else 0.01 for d in range(10))
        return Prediction(self.digit, probabilities, image, best=best, runner_up=(best + 1) % 10, digit_like=digit_like)


class Events:
    def __init__(self):
        self.written = []

    def write(self, **event):
        self.written.append(event)

    def types(self):
        return [e["type"] for e in self.written]


class FakeStore:
    def __init__(self):
        self.kept = []

    def append(self, strokes, canvas_px, image, label, answer, model, version):
        self.kept.append((label, answer, model, version, len(strokes)))
        return True


@pytest.fixture
def clock():
    return FakeClock()


def make(clock, models=None, store=None, delay_ms=DELAY_MS):
    said, asked, events = [], [], Events()
    session = DrawingSession(
        models or [FakeModel("cnn", 1), FakeModel("mlp", 7)],
        events,
        clock,
        said.append,
        asked.append,
        SIDE,
        delay_ms,
        store,
    )
    return session, said, asked, events


def stroke(session, points):
    session.begin_stroke(*points[0])
    for x, y in points[1:]:
        session.extend_stroke(x, y)
    session.end_stroke()


ONE = [(200.0, 40.0), (200.0, 200.0), (200.0, 360.0)]


def wait(session, clock, ms, step_ms=None):
    """Let ms pass, ticking every step_ms (a frame) or once at the end; what the ticks reported."""
    happened = []
    steps = [ms] if step_ms is None else [step_ms] * int(ms // step_ms)
    for dt in steps:
        clock.advance(dt)
        result = session.tick()
        if result:
            happened.append(result)
    return happened


def test_the_quiet_guess_comes_at_guess_after_ms_and_is_not_said(clock):
    session, said, _, events = make(clock)
    stroke(session, ONE)
    assert wait(session, clock, GUESS_AFTER_MS - 1) == [] and session.guess is None
    assert wait(session, clock, 1) == ["guess"] and session.guess.digit == 1
    assert session.prediction is None and said == [] and events.types() == ["guess"]
    assert wait(session, clock, 100) == [], "one guess per lift"


def test_the_answer_comes_exactly_auto_delay_ms_after_the_lift(clock):
    session, said, _, events = make(clock)
    stroke(session, ONE)
    assert wait(session, clock, DELAY_MS - 1, step_ms=1) == ["guess"]
    assert session.prediction is None
    assert wait(session, clock, 1) == ["answer"]
    assert session.prediction.digit == 1 and said == ["result.1"] and events.types()[-1] == "recognized"
    assert wait(session, clock, 5000, step_ms=16) == [], "answered once"


def test_a_new_stroke_restarts_the_wait(clock):
    session, said, _, _ = make(clock)
    stroke(session, ONE)
    wait(session, clock, DELAY_MS - 100)
    stroke(session, [(120.0, 200.0), (280.0, 200.0)])  # the 4's second stroke, just in time
    assert session.guess is None
    assert wait(session, clock, DELAY_MS - 1) == ["guess"] and session.prediction is None
    assert wait(session, clock, 1) == ["answer"] and len(session.ink.strokes) == 2


def test_a_stroke_within_the_grace_on_the_answered_digit_is_added_to_it(clock):
    session, said, _, events = make(clock)
    stroke(session, ONE)
    session.answer(asked=True)
    clock.advance(ADD_STROKE_GRACE_MS)  # at the edge of the grace, on the 1: its missing stroke
    assert not session.touch_starts_new_drawing(150.0, 100.0)
    stroke(session, [(150.0, 100.0), (250.0, 100.0)])
    assert len(session.ink.strokes) == 2 and session.prediction is None and session.message_id == "prompt.keep_drawing"
    assert "new_drawing" not in events.types()


def test_a_stroke_after_the_grace_starts_a_new_drawing(clock):
    session, said, _, events = make(clock)
    stroke(session, ONE)
    session.answer(asked=True)
    clock.advance(ADD_STROKE_GRACE_MS + 1)
    assert session.touch_starts_new_drawing(150.0, 100.0)
    assert session.begin_stroke(150.0, 100.0) is True
    assert len(session.ink.strokes) == 1 and session.prediction is None and events.types()[-1] == "new_drawing"


@pytest.mark.parametrize("after_ms", [600, 1000, 3000])
def test_a_touch_on_the_old_digit_once_the_answer_was_heard_starts_a_new_one(clock, after_ms):
    # The next digit 0.6 or 1 s after the answer, drawn where the last one was: a child who heard
    # "I think it's a one!" and draws a 7 over it means a 7 (1.2 s of grace merged 65% of such pairs).
    session, said, _, events = make(clock)
    stroke(session, ONE)
    session.answer(asked=True)
    clock.advance(after_ms)
    assert session.begin_stroke(*ONE[1]) is True
    assert len(session.ink.strokes) == 1 and session.prediction is None and events.types()[-1] == "new_drawing"


def test_a_touch_away_from_the_digit_starts_a_new_one_even_right_after_the_answer(clock):
    session, _, _, events = make(clock)
    stroke(session, ONE)  # a 1 down the canvas's middle
    session.answer(asked=True)
    clock.advance(100)
    assert session.touch_starts_new_drawing(SIDE * 0.95, SIDE * 0.5), "far right of the 1: another digit"
    assert not session.touch_starts_new_drawing(*ONE[1])


def test_strokes_before_the_answer_always_belong_to_the_digit(clock):
    session, _, _, events = make(clock)
    for x in (60.0, 200.0, 340.0):  # three strokes far apart, each after a long think under the answer's wait
        stroke(session, [(x, 40.0), (x, 360.0)])
        assert wait(session, clock, DELAY_MS - 1) == ["guess"]
    assert len(session.ink.strokes) == 3 and "new_drawing" not in events.types() and session.prediction is None


def test_a_tap_is_ignored_but_go_says_there_is_no_number_yet(clock):
    session, said, _, events = make(clock)
    stroke(session, [(200.0, 200.0), (201.0, 201.0)])
    assert wait(session, clock, DELAY_MS) == [] and session.ink.is_empty and said == []
    assert events.types() == ["ignored"]
    stroke(session, [(200.0, 200.0), (201.0, 201.0)])
    assert session.answer(asked=True) is False and said == ["prompt.empty"]


def test_without_an_auto_delay_only_go_answers(clock):
    session, said, _, _ = make(clock, delay_ms=0)
    stroke(session, ONE)
    assert wait(session, clock, 60_000, step_ms=500) == [] and session.prediction is None
    assert session.answer(asked=True) and said == ["result.1"]


def test_the_question_is_asked_of_the_childs_drawing_only_when_answers_are_kept(clock):
    session, _, asked, _ = make(clock)
    stroke(session, ONE)
    session.answer()
    assert session.question is None and asked == [], "collection off: nothing asked"
    session, _, asked, _ = make(clock, store=FakeStore())
    assert session.show_example([ONE]) and session.question is None, "an example is never asked about"
    stroke(session, ONE)
    session.answer()
    assert session.question.answer.digit == 1 and (session.question.kind, session.question.version) == ("cnn", "cnn-v1")
    assert asked == ["feedback.ask"]
    unsure, _, asked, _ = make(clock, models=[FakeModel("cnn", None, best=4), FakeModel("mlp", 4)], store=FakeStore())
    stroke(unsure, ONE)
    unsure.answer()
    assert unsure.message_id == "unsure.4_or_5" and asked == ["feedback.which"]


def test_a_correction_is_kept_remembered_for_this_visitor_and_forgotten_after(clock):
    store = FakeStore()
    session, said, _, events = make(clock, store=store)
    stroke(session, ONE)
    session.answer()
    assert session.label(7) is False and said[-1] == "feedback.thanks"
    assert store.kept == [(7, 1, "cnn", "cnn-v1", 1)] and events.types()[-1] == "feedback"
    session.clear()
    stroke(session, ONE)
    session.answer()
    assert session.prediction.digit == 7 and session.prediction.remembered and session.prediction.best == 1
    session.forget_visitor()
    stroke(session, ONE)
    session.answer()
    assert session.prediction.digit == 1 and not session.prediction.remembered


def test_a_yes_is_kept_and_celebrated_not_remembered(clock):
    store = FakeStore()
    session, said, _, _ = make(clock, store=store)
    stroke(session, ONE)
    session.answer()
    assert session.label(1) is True and said[-1] == "feedback.yay" and store.kept[0][:2] == (1, 1)


def test_choosing_another_model_shows_and_says_its_answer(clock):
    session, said, _, _ = make(clock)
    stroke(session, ONE)
    session.answer()
    assert session.choose_model(1) and session.prediction.digit == 7 and said == ["result.1", "result.7"]
    assert not session.choose_model(1) and not session.choose_model(5)


def test_undo_and_clear_take_the_answer_away(clock):
    session, _, _, _ = make(clock)
    stroke(session, ONE)
    stroke(session, ONE)
    session.answer()
    session.undo()
    assert session.prediction is None and session.message_id == "prompt.keep_drawing" and len(session.ink.strokes) == 1
    session.clear()
    assert session.ink.is_empty and session.message_id == "prompt.draw" and wait(session, clock, DELAY_MS) == []


def test_the_read_of_the_attract_hand_does_not_touch_the_turn(clock):
    session, said, _, events = make(clock)
    assert session.read([ONE]).digit == 1 and session.read([]) is None
    assert session.ink.is_empty and said == [] and events.written == []


def test_the_session_needs_no_pygame():
    code = "import sys, kiosk.session.drawing_session; print('pygame' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_empty_drawing_is_what_the_fake_model_raises_too():
    with pytest.raises(EmptyDrawing):
        FakeModel("cnn", 1).recognize([])
    assert np.asarray(FakeModel("cnn", 1).recognize([ONE]).image).shape == (28, 28)


def test_a_quiet_kiosk_marks_a_new_visitor_who_gets_the_kiosks_own_answers(clock):
    from kiosk.session.visitor import QUIET_S

    session, _, _, events = make(clock, store=FakeStore())
    told = []
    session.visitor.listen(told.append)  # the App listens: the visitor's own brain goes too
    stroke(session, ONE)
    session.answer()
    session.label(7)  # the last touch of the first child
    wait(session, clock, QUIET_S * 1000 - 100, step_ms=100)
    assert told == [] and len(session.memory) == 1, "a child thinking for a while is still the same child"
    wait(session, clock, 200, step_ms=100)
    assert told == ["quiet"] and len(session.memory) == 0
    assert {"type": "new_visitor", "sign": "quiet"} in events.written
    wait(session, clock, 60_000, step_ms=1000)
    assert told == ["quiet"], "one new visitor, not one a frame"
    session.visitor.touched()
    session.clear()
    stroke(session, ONE)
    session.answer()
    assert session.prediction.digit == 1 and not session.prediction.remembered


def test_the_same_drawing_corrected_again_and_again_is_one_lesson(clock):
    session, _, _, _ = make(clock, store=FakeStore())
    stroke(session, ONE)
    for digit in (7, 4, 2, 4, 2, 4, 2, 4):  # Go -> No -> a digit, eight times on one drawing
        session.answer(asked=True)
        session.label(digit)
    assert len(session.memory) == 1
    session.answer(asked=True)
    assert session.prediction.digit == 4 and session.prediction.remembered, "the last lesson replaced the others"
    session.clear()
    stroke(session, [(150.0, 40.0), (250.0, 360.0)])
    session.answer()
    session.label(4)
    assert len(session.memory) == 2, "a new drawing is a new lesson"


def test_no_to_a_remembered_answer_unlearns_the_lesson_that_gave_it(clock):
    session, _, _, _ = make(clock, store=FakeStore())
    stroke(session, ONE)
    session.answer()
    session.label(7)  # the last child's wrong lesson
    session.clear()
    stroke(session, ONE)  # the next child, a few seconds behind, draws a 1 like it
    session.answer()
    assert session.prediction.remembered and session.prediction.digit == 7
    session.label(1)  # No, then 1
    session.clear()
    stroke(session, ONE)
    session.answer()
    assert session.prediction.digit == 1 and not session.prediction.remembered, "the 7 lesson is gone"


FORWARDS_THREE = [(200.0, 60.0), (300.0, 120.0), (210.0, 200.0), (300.0, 300.0)]  # a zig-zag, left to right
BACKWARDS_THREE = [(500.0 - x, y) for x, y in FORWARDS_THREE]  # the same, turned left-right


class SidedModel(FakeModel):
    """A sure 3 for the zig-zag's picture the right way round (its gate sure it is a number); turned, no number."""

    def recognize(self, strokes):
        return self.classify_image(strokes_to_image(clean_strokes(strokes)))

    def classify_image(self, image, digit_like=True, not_digit=None, stroke_answer=None, channels=None):
        right_way = strokes_to_image(clean_strokes([FORWARDS_THREE])).astype(int)
        forwards = np.abs(image - right_way).sum() < np.abs(image - right_way[:, ::-1]).sum()
        best, p, gate = (3, 0.9999, 1e-5) if forwards else (8, 0.4, 0.999)
        probabilities = tuple(p if d == best else (1 - p) / 9 for d in range(10))
        return Prediction(3 if forwards else None, probabilities, image, best=best, runner_up=(best + 1) % 10,
                          not_digit=gate)


def test_a_backwards_three_is_named_taught_and_never_kept_as_a_three(clock):
    store = FakeStore()
    session, said, asked, events = make(clock, models=[SidedModel("cnn", 3)], store=store)
    session.backwards = BackwardsReader()  # the rule on the (fake) digit model alone: no gate to fool
    stroke(session, BACKWARDS_THREE)
    assert session.answer()
    assert session.prediction.mirrored and session.prediction.digit == 3
    assert said == ["backwards.3"] and asked == [], "taught, not asked: the answer is no label for a 3"
    assert session.question is None and store.kept == []
    recognized = [e for e in events.written if e["type"] == "recognized"][-1]
    assert recognized["mirrored"] is True and recognized["digit"] == 3
    session.clear()
    stroke(session, FORWARDS_THREE)  # the right way round
    assert session.answer() and not session.prediction.mirrored and session.message_id == "result.3"
    assert asked == ["feedback.ask"]
    assert [e["mirrored"] for e in events.written if e["type"] == "recognized"] == [True, False]


def test_a_lesson_this_visitor_taught_wins_over_a_backwards_reading(clock):
    session, said, _, events = make(clock, models=[SidedModel("cnn", 3)], store=FakeStore())
    session.backwards = BackwardsReader()
    stroke(session, BACKWARDS_THREE)
    session.memory.teach(strokes_to_image(clean_strokes([BACKWARDS_THREE])), 8)
    assert session.answer()
    assert session.prediction.remembered and session.prediction.digit == 8 and not session.prediction.mirrored
    assert said == ["memory.taught"] and events.written[-1]["mirrored"] is False


def test_a_turn_names_backwards_digits_with_the_shipped_gate_from_the_start(clock):
    session, *_ = make(clock)
    assert session.backwards is shipped_reader() and session.backwards.gate is not None
