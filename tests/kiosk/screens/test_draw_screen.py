"""The drawing screen driven with pointer events (dummy video driver), with the shipped models."""

import numpy as np
import pygame
import pytest

from kiosk.recognition.model_files import load_recognizers
from kiosk.config import KioskConfig
from kiosk.event_log import EventLog
from kiosk.input import PointerDown, PointerMove, PointerUp
from kiosk.language.phrases import Phrases
from kiosk.screens.draw import FADE_MS, DrawScreen
from kiosk.session.drawing_session import ADD_STROKE_GRACE_MS
from kiosk.voice.speaker import SilentSpeaker
from kiosk.ui.theme import Theme


class RecordingSpeaker(SilentSpeaker):
    def __init__(self):
        self.said, self.next, self.chimes = [], [], []

    def say(self, phrase_id, lang):
        self.said.append(phrase_id)
        return "none"

    def say_next(self, phrase_id, lang):
        self.next.append(phrase_id)

    def chime(self, name):
        self.chimes.append(name)


@pytest.fixture(scope="module")
def recognizers():
    return load_recognizers(KioskConfig.load(None))


@pytest.fixture
def screen(recognizers):
    pygame.display.init()
    pygame.font.init()
    yield DrawScreen(recognizers, RecordingSpeaker(), Theme(800, 480), 1600, EventLog(None), Phrases("en"))
    pygame.display.quit()


def draw_one(screen):
    c = screen.canvas
    screen.handle(PointerDown(c.x + c.w * 0.5, c.y + c.h * 0.15))
    for i in range(1, 30):
        screen.handle(PointerMove(c.x + c.w * 0.5, c.y + c.h * (0.15 + 0.7 * i / 29)))
    screen.handle(PointerUp(c.x + c.w * 0.5, c.y + c.h * 0.85))


def test_resting_finger_triggers_recognition_after_the_delay(screen):
    draw_one(screen)
    screen.update(1500)
    assert screen.prediction is None
    screen.update(200)
    assert screen.prediction is not None and screen.prediction.best == 1
    assert screen.speaker.said == [screen.message_id] == ["result.1"]


def test_both_models_answer_and_a_tap_on_a_chip_switches(screen):
    draw_one(screen)
    screen.press("recognize")
    assert [r.kind for r in screen.recognizers] == ["cnn", "mlp"] and len(screen.answers) == 2
    screen.draw(pygame.Surface((800, 480)))  # lays out the chips
    mlp_chip = screen.model_chips[1][0]
    screen.handle(PointerDown(*mlp_chip.center))
    assert screen.recognizer.kind == "mlp" and screen.prediction is screen.answers[1]
    assert screen.ink.copy_strokes(), "a tap on a chip must not draw"


def test_clear_and_undo_buttons(screen):
    draw_one(screen)
    draw_one(screen)
    screen.handle(PointerDown(*screen.buttons["undo"].rect.center))
    assert len(screen.ink.strokes) == 1
    screen.handle(PointerDown(*screen.buttons["clear"].rect.center))
    assert screen.ink.is_empty and screen.message == "Draw a number!"


def test_strokes_leaving_the_canvas_are_clamped_to_its_edge(screen):
    c = screen.canvas
    screen.handle(PointerDown(c.x + 10, c.y + 10))
    screen.handle(PointerMove(c.right + 300, c.y + 10))
    x, _ = screen.ink.strokes[0][-1]
    assert x == c.width - 1


def test_undo_after_an_answer_takes_the_answer_away(screen):
    draw_one(screen)
    draw_one(screen)
    screen.press("recognize")
    screen.press("undo")
    assert screen.prediction is None and screen.message == "Keep drawing, or press Go!"
    screen.press("undo")
    assert screen.message == "Draw a number!"


def test_a_scribble_is_called_not_a_number(screen):
    import numpy as np

    c = screen.canvas
    points = np.cumsum(np.random.default_rng(3).normal(0, 30, (200, 2)), 0) + (c.w / 2, c.h / 2)
    points = np.clip(points, 5, c.w - 5) + (c.x, c.y)
    screen.handle(PointerDown(*points[0]))
    for x, y in points[1:]:
        screen.handle(PointerMove(float(x), float(y)))
    screen.handle(PointerUp(*points[-1]))
    screen.press("recognize")
    assert screen.prediction.digit is None and screen.message == "That doesn't look like a number. Try again!"


def test_say_it_again_repeats_the_answer(screen):
    draw_one(screen)
    screen.press("recognize")
    screen.handle(PointerDown(*screen.say_again.center))
    assert screen.speaker.said == [screen.message_id, screen.message_id]


@pytest.fixture
def teachable(recognizers, tmp_path):
    from kiosk.teaching.feedback_store import FeedbackStore

    pygame.display.init()
    pygame.font.init()
    store = FeedbackStore(tmp_path / "feedback")
    yield DrawScreen(recognizers, RecordingSpeaker(), Theme(800, 480), 700, EventLog(None), Phrases("en"), store)
    pygame.display.quit()


def answer_then_lay_out(screen):
    draw_one(screen)
    screen.press("recognize")
    screen.draw(pygame.Surface((800, 480)))  # lays out the question row
    return screen.feedback


def test_yes_keeps_the_drawing_labelled_with_the_answer_and_says_thanks(teachable):
    feedback = answer_then_lay_out(teachable)
    assert feedback.asking and teachable.prediction.digit == 1
    teachable.handle(PointerDown(*feedback.buttons["yes"].rect.center))
    records = teachable.feedback_store.load()
    assert [(r.label, r.answer, r.model) for r in records] == [(1, 1, "cnn")]
    assert records[0].model_version == teachable.recognizer.version and len(records[0].strokes) == 1
    assert np.array_equal(records[0].image, teachable.prediction.image)
    assert teachable.speaker.said[-1] == "feedback.yay" and not feedback.asking, "a right answer is celebrated"
    assert teachable.speaker.chimes[-1] == "yay" and teachable.confetti.running and teachable.animating
    from kiosk.ui.confetti import CONFETTI_MS

    teachable.update(CONFETTI_MS + 1)
    assert not teachable.confetti.running, "and the confetti is gone soon"
    assert len(teachable.ink.strokes) == 1, "a tap on the question never draws"


def test_no_opens_the_keypad_and_the_childs_number_is_kept(teachable):
    feedback = answer_then_lay_out(teachable)
    teachable.handle(PointerDown(*feedback.buttons["no"].rect.center))
    assert teachable.speaker.said[-1] == "feedback.which"
    teachable.draw(pygame.Surface((800, 480)))
    seven = next(button for button, digit in feedback.keys if digit == 7)
    teachable.handle(PointerDown(*seven.rect.center))
    assert [(r.label, r.answer) for r in teachable.feedback_store.load()] == [(7, 1)]
    assert teachable.speaker.said[-1] == "feedback.thanks"
    # the screen now tells the digit taught, not the answer that was wrong
    assert teachable.prediction.digit == 7 and teachable.message == "Thank you! That helps me learn."
    shown = teachable._shown_probabilities(teachable.prediction, tentative=False)
    assert max(range(10), key=lambda d: shown[d]) == 7, "the bars agree with the digit on screen"
    teachable.update(3000)
    assert feedback.state.value == "hidden", "the thank-you goes, the model chips come back"


def test_a_correction_is_remembered_for_this_visitor_only(teachable):
    feedback = answer_then_lay_out(teachable)
    teachable.handle(PointerDown(*feedback.buttons["no"].rect.center))
    teachable.draw(pygame.Surface((800, 480)))
    teachable.handle(PointerDown(*next(b for b, d in feedback.keys if d == 7).rect.center))  # "it was a 7"
    teachable.update(3000)
    teachable.press("clear")
    answer_then_lay_out(teachable)  # the same child draws the same 1 again
    assert teachable.prediction.digit == 7 and teachable.prediction.remembered, "the lesson shows at once"
    assert teachable.message == "You taught me!" and teachable.speaker.said[-1] == "memory.taught", "big and said"
    assert teachable.prediction.best == 1, "the model's own belief is kept (and logged)"
    shown = teachable._shown_probabilities(teachable.prediction, tentative=False)
    assert max(range(10), key=lambda d: shown[d]) == 7, "but the bars agree with the answer given"
    teachable.start_attract()  # nobody here: the next child gets the kiosk's own answer
    teachable.attract_ms = None
    answer_then_lay_out(teachable)
    assert teachable.prediction.digit == 1 and not teachable.prediction.remembered


def test_no_question_when_collection_is_off_or_for_an_example(teachable, screen):
    answer_then_lay_out(screen)  # the plain screen has no store: collection is off
    assert not screen.feedback.asking
    teachable.enter([[(100.0, 50.0), (100.0, 300.0)]])  # an example handed over from the wall
    assert teachable.prediction is not None and not teachable.feedback.asking
    draw_one(teachable)  # a new stroke: now it is the child's drawing
    teachable.press("recognize")
    assert teachable.feedback.asking


def test_a_new_stroke_or_clear_withdraws_the_question(teachable):
    feedback = answer_then_lay_out(teachable)
    draw_one(teachable)
    assert not feedback.asking
    teachable.press("recognize")
    teachable.press("clear")
    assert not feedback.asking and teachable.feedback_store.count() == 0


def test_an_unanswered_question_gives_way_to_the_model_chips(teachable):
    feedback = answer_then_lay_out(teachable)
    assert feedback.asking and teachable.model_chips == []
    from kiosk.ui.feedback_panel import ASK_MS

    teachable.update(ASK_MS - 100)
    assert feedback.asking, "long enough for a child who is still looking (it was 10 s)"
    teachable.update(100)
    teachable.draw(pygame.Surface((800, 480)))
    assert not feedback.asking and len(teachable.model_chips) == 2


def test_a_second_tap_before_the_question_is_drawn_is_harmless(teachable):
    draw_one(teachable)
    teachable.press("recognize")  # the question is asked but not drawn (laid out) yet
    teachable.handle(PointerDown(*teachable.buttons["recognize"].rect.center))
    assert teachable.prediction is not None and teachable.feedback.asking


def draw_stroke(screen, points):
    c = screen.canvas
    (x0, y0), rest = points[0], points[1:]
    screen.handle(PointerDown(c.x + c.w * x0, c.y + c.h * y0))
    for x, y in rest:
        screen.handle(PointerMove(c.x + c.w * x, c.y + c.h * y))
    screen.handle(PointerUp(c.x + c.w * rest[-1][0], c.y + c.h * rest[-1][1]))


def line(a, b, n=20):
    return [(a[0] + (b[0] - a[0]) * i / (n - 1), a[1] + (b[1] - a[1]) * i / (n - 1)) for i in range(n)]


def test_a_pause_between_two_strokes_gets_a_quiet_guess_not_an_answer(screen):
    # a 4 drawn as an L, a 1.2 s pause, then the down stroke (the child in the issue heard "six")
    draw_stroke(screen, line((0.35, 0.15), (0.25, 0.6)) + line((0.25, 0.6), (0.7, 0.6)))
    screen.update(600)
    assert screen.guess is not None and screen.prediction is None and screen.speaker.said == []
    screen.draw(pygame.Surface((800, 480)))  # the guess is drawn quietly, with no question and no chips
    assert screen.model_chips == [] and not screen.feedback.asking
    screen.update(600)
    assert screen.prediction is None, "1.2 s after the first stroke: still waiting for the rest"
    draw_stroke(screen, line((0.55, 0.2), (0.55, 0.9)))
    assert screen.guess is None
    screen.update(1599)
    assert screen.prediction is None
    screen.update(2)
    assert screen.prediction.best == 4 and screen.speaker.said == ["result.4"]


def test_after_an_answer_the_next_drawing_starts_afresh(screen):
    draw_one(screen)
    screen.press("recognize")
    assert screen.prediction.best == 1
    screen.draw(pygame.Surface((800, 480)))  # on screen, as every frame draws it
    screen.update(ADD_STROKE_GRACE_MS + 100)
    draw_stroke(screen, line((0.2, 0.3), (0.8, 0.3)))  # the next child's first stroke
    assert len(screen.ink.strokes) == 1 and screen.prediction is None, "the 1 went away by itself"
    assert screen._fading is not None, "with a visible fade"
    screen.draw(pygame.Surface((800, 480)))
    screen.update(FADE_MS + 1)
    assert screen._fading is None


def test_a_stroke_soon_after_the_answer_is_added_to_the_same_digit(screen):
    draw_stroke(screen, line((0.3, 0.2), (0.7, 0.2)) + line((0.7, 0.2), (0.4, 0.85)))  # a 7 ...
    screen.update(1600)
    assert screen.prediction is not None
    screen.update(ADD_STROKE_GRACE_MS - 200)
    draw_stroke(screen, line((0.4, 0.5), (0.65, 0.5)))  # ... and its crossbar, a moment later
    assert len(screen.ink.strokes) == 2 and screen.prediction is None
    screen.update(1600)
    assert screen.prediction.best == 7


def test_a_tap_is_not_a_digit(screen):
    c = screen.canvas
    screen.handle(PointerDown(c.centerx, c.centery))
    screen.handle(PointerUp(c.centerx + 2, c.centery + 1))
    screen.update(2000)
    assert screen.prediction is None and screen.speaker.said == [] and screen.ink.is_empty, "ignored, and the dot gone"
    screen.handle(PointerDown(c.centerx, c.centery))
    screen.handle(PointerUp(c.centerx + 2, c.centery + 1))
    screen.press("recognize")  # Go always answers: here, that there is no number yet
    assert screen.speaker.said == ["prompt.empty"]


def test_the_answer_arrives_with_motion_and_the_question_is_spoken(teachable):
    draw_one(teachable)
    teachable.press("recognize")
    assert teachable.speaker.said == ["result.1"] and teachable.speaker.next == ["feedback.ask"]
    surface = pygame.Surface((800, 480))
    teachable.draw(surface)  # the bars start at the bottom ...
    assert teachable.animating and teachable.speaker.chimes == []
    teachable.update(300)
    assert teachable.speaker.chimes == ["dot"], "the one dot to count appears, with a blip"
    teachable.update(2000)
    teachable.draw(surface)  # ... and end at their height
    assert not teachable.animating and teachable.speaker.chimes == ["dot"]


def test_counting_dots_appear_one_by_one(screen):
    draw_stroke(screen, line((0.3, 0.2), (0.7, 0.2)) + line((0.7, 0.2), (0.4, 0.85)))  # a 7
    screen.press("recognize")
    assert screen.prediction.digit == 7
    seen = []
    for _ in range(20):
        screen.update(100)
        seen.append(screen._dots_shown)
    assert seen[-1] == 7 and seen == sorted(seen) and len(set(seen)) == 8, "0, 1, 2 ... 7, one at a time"
    assert screen.speaker.chimes == ["dot"] * 7


def test_a_parade_digit_says_its_name_when_tapped(screen):
    screen.draw(pygame.Surface((800, 480)))
    rect, digit = screen.parade[3]
    screen.handle(PointerDown(*rect.center))
    assert digit == 3 and screen.speaker.said == ["digit.3"] and screen.ink.is_empty, "a tap on a digit is not ink"
    assert screen.animating


def test_the_attract_loop_draws_with_a_hand_and_says_its_guess_now_and_then(screen):
    screen.start_attract()
    surface = pygame.Surface((800, 480))
    for _ in range(26):  # 2.6 s: the hand has drawn the first digit (a 2) and the computer reads it
        screen.update(100)
        screen.draw(surface)
    assert screen.speaker.said == ["result.2"]
    for _ in range(120):  # the next 12 s: more guesses shown, none said (at most 12 an hour)
        screen.update(100)
        screen.draw(surface)
    assert screen.speaker.said == ["result.2"]


def test_when_the_models_disagree_words_bars_and_chips_tell_one_story(screen, monkeypatch):
    import dataclasses

    from kiosk.recognition.recognizer import name_the_other_guess
    from kiosk.session import drawing_session as draw_module  # where the models are asked

    real = draw_module.recognize_all

    def disagreeing(recognizers, strokes, active=0):
        cnn, mlp = real(recognizers, strokes, active)
        four = dataclasses.replace(mlp, best=4, probabilities=tuple(1.0 if d == 4 else 0.0 for d in range(10)))
        # the CNN (answering) is not sure; the MLP is sure of a 4
        return name_the_other_guess([dataclasses.replace(cnn, digit=None), dataclasses.replace(four, digit=4)])

    monkeypatch.setattr(draw_module, "recognize_all", disagreeing)
    draw_one(screen)
    screen.press("recognize")
    assert screen.message_id == "unsure.1_or_4", "the words name both answers"
    shown = screen._shown_probabilities(screen.prediction, tentative=False)
    assert shown[1] > 0.3 and shown[4] > 0.3, "the bars show both, not one model's certainty"
    screen.update(2000)
    screen.draw(pygame.Surface((800, 480)))
    assert len(screen.model_chips) == 2


def test_not_a_number_shows_no_digit_chips_and_no_raised_bars(screen, monkeypatch):
    import dataclasses

    from kiosk.session import drawing_session as draw_module

    real = draw_module.recognize_all

    def a_letter(recognizers, strokes, active=0):
        # a drawn A: the gate says "not a number", while each model on its own still leans to a digit
        leaning = tuple(0.9 if d == 4 else 0.1 / 9 for d in range(10))
        return [
            dataclasses.replace(a, digit=None, best=4, probabilities=leaning, digit_like=False)
            for a in real(recognizers, strokes, active)
        ]

    monkeypatch.setattr(draw_module, "recognize_all", a_letter)
    draw_one(screen)
    screen.press("recognize")
    assert screen.message == "That doesn't look like a number. Try again!"
    screen.update(2000)
    screen.draw(pygame.Surface((800, 480)))
    assert screen.model_chips == [], "no chip says 'CNN says 4' under 'that doesn't look like a number'"
    assert max(screen._shown_probabilities(screen.prediction, tentative=False)) == 0.0, "no digit bar stands raised"


def test_an_ignored_dot_leaves_the_empty_canvas_saying_draw_a_number(screen):
    c = screen.canvas
    screen.handle(PointerDown(c.centerx, c.centery))
    screen.handle(PointerUp(c.centerx + 2, c.centery + 1))
    screen.update(2000)
    assert screen.ink.is_empty and screen.message == "Draw a number!", "not 'Keep drawing, or press Go!'"


def test_after_undo_what_is_left_gets_its_answer_and_no_parade_shows_beside_the_ink(screen):
    draw_one(screen)
    draw_one(screen)
    screen.press("recognize")
    screen.press("undo")
    assert screen.prediction is None and not screen.ink.is_empty
    assert screen.parade == [], "the parade's digits cannot be tapped while there is ink: they do not show"
    screen.update(1700)  # the usual wait after a lift
    assert screen.prediction is not None and screen.speaker.said[-1] == screen.message_id == "result.1"


def test_the_keypads_back_is_an_arrow_with_the_same_tap_target(teachable):
    from kiosk.ui.text import recording_text

    feedback = answer_then_lay_out(teachable)
    teachable.handle(PointerDown(*feedback.buttons["no"].rect.center))
    with recording_text() as texts:
        teachable.draw(pygame.Surface((800, 480)))
    back = feedback.buttons["back"]
    assert back.icon == "back" and "Back" not in {t.text for t in texts}, "an arrow, not a word"
    assert back.rect.width >= 52 and back.rect.height >= 56
    teachable.handle(PointerDown(*back.rect.center))
    assert feedback.state.value == "ask", "and it still closes the keypad"


# A two as a child writes it, turned left-right (the shipped models read it as a backwards two).
BACKWARDS_TWO = [(0.7, 0.27), (0.4, 0.13), (0.1, 0.27), (0.15, 0.47), (0.7, 0.87), (0.0, 0.87)]


def test_a_backwards_two_is_named_and_the_hand_draws_a_two_the_right_way_round(recognizers, tmp_path):
    from kiosk.teaching.feedback_store import FeedbackStore
    from kiosk.ui import colours

    pygame.display.init()
    pygame.font.init()
    store = FeedbackStore(tmp_path)
    screen = DrawScreen(recognizers, RecordingSpeaker(), Theme(800, 480), 1600, EventLog(None), Phrases("en"), store)
    screen.configure(KioskConfig.load(None))  # as the app does: the shipped right-way-round gate judges
    c = screen.canvas
    points = [(0.2 + 0.6 * x, 0.05 + y) for x, y in BACKWARDS_TWO]  # of the canvas
    draw_stroke(screen, [p for a, b in zip(points, points[1:]) for p in line(a, b, 8)])
    screen.update(1700)
    assert screen.prediction.mirrored and screen.prediction.digit == 2
    assert screen.speaker.said == ["backwards.2"] and screen.speaker.next == [], "taught, not asked"
    assert "backwards" in screen.message and screen.lesson.running
    screen.update(1000)
    surface = pygame.Surface((800, 480))
    screen.draw(surface)
    ghost = pygame.surfarray.array3d(surface)[c.left:c.right, c.top:c.bottom]
    half_way = int((np.abs(ghost.astype(int) - colours.GHOST_INK).sum(axis=2) < 30).sum())
    screen.update(3000)
    screen.draw(surface)
    ghost = pygame.surfarray.array3d(surface)[c.left:c.right, c.top:c.bottom]
    drawn = int((np.abs(ghost.astype(int) - colours.GHOST_INK).sum(axis=2) < 30).sum())
    assert 0 < half_way < drawn and not screen.lesson.running, "the hand draws the two, then it rests"
    assert list(tmp_path.glob("*.json")) == [], "a backwards two is no label for a two"
    draw_stroke(screen, [p for a, b in zip(points, points[1:]) for p in line(a, b, 8)])  # try again: a new drawing
    assert screen.prediction is None
    pygame.display.quit()
