"""Backwards digits: the mirrored view, the rule, and the shipped models on real mirrored digits."""

import numpy as np
import pytest

from kiosk.recognition.backwards import (
    BACKWARDS_DIGITS, RULES, RULES_WITHOUT_GATE, BackwardsReader, BackwardsRule, backwards_digit, mirror_score,
    mirrored,
)
from kiosk.recognition.recognizer import Prediction

IMAGE = np.zeros((28, 28), np.uint8)


def answer(digit, p, not_digit=None, best=None, image=IMAGE):
    best = digit if best is None else best
    rest = (1 - p) / 9
    return Prediction(digit, tuple(p if d == best else rest for d in range(10)), image, best=best,
                      runner_up=(best + 1) % 10, not_digit=not_digit)


def test_mirrored_turns_the_drawing_left_right_about_its_own_centre():
    strokes = [[(10.0, 5.0), (30.0, 6.0)], [(20.0, 7.0)]]
    assert mirrored(strokes) == [[(30.0, 5.0), (10.0, 6.0)], [(20.0, 7.0)]]
    assert mirrored(mirrored(strokes)) == strokes and mirrored([]) == []


def test_a_sure_mirror_of_a_drawing_that_is_no_digit_is_that_digit_backwards():
    drawn, mirror = answer(None, 0.3, not_digit=0.99, best=8), answer(3, 0.999, not_digit=0.001)
    assert mirror_score(drawn, mirror) > 15
    assert backwards_digit(drawn, mirror, 1, RULES_WITHOUT_GATE) == 3
    assert backwards_digit(drawn, mirror, 1, RULES, upright=(0.99, 0.01)) == 3, "the gate: drawn wrong, mirror right"


def test_a_sure_drawing_stays_what_it_is_even_when_its_mirror_is_a_digit():
    drawn, mirror = answer(5, 0.999, not_digit=0.001), answer(2, 0.98, not_digit=0.002)
    assert mirror_score(drawn, mirror) < 0 and backwards_digit(drawn, mirror, 1, RULES_WITHOUT_GATE) is None


@pytest.mark.parametrize("digit", [0, 1, 8])
def test_zero_one_and_eight_are_never_backwards(digit):
    drawn, mirror = answer(None, 0.2, not_digit=0.999, best=7), answer(digit, 0.99999, not_digit=1e-6)
    assert digit not in BACKWARDS_DIGITS
    for rules, upright in ((RULES_WITHOUT_GATE, None), (RULES, (0.999, 0.001))):
        assert backwards_digit(drawn, mirror, 1, rules, upright) is None


def test_a_letters_many_strokes_and_an_unsure_mirror_are_not_backwards():
    drawn, mirror = answer(None, 0.3, not_digit=0.99, best=8), answer(3, 0.999, not_digit=0.001)
    assert backwards_digit(drawn, mirror, RULES[3].max_strokes + 1, RULES, (0.99, 0.01)) is None, "an E's strokes"
    assert backwards_digit(drawn, answer(None, 0.6, best=3), 1, RULES, (0.99, 0.01)) is None
    assert backwards_digit(drawn, mirror, 1, {3: BackwardsRule(1, 99.0)}) is None


def test_the_gate_tells_a_backwards_three_from_a_mirrored_letter():
    drawn, mirror = answer(None, 0.3, not_digit=0.99, best=8), answer(3, 0.999, not_digit=0.001)
    rule = {3: BackwardsRule(1, mirror_below=0.1, drawn_above=0.9)}
    assert backwards_digit(drawn, mirror, 1, rule, upright=(0.97, 0.02)) == 3
    assert backwards_digit(drawn, mirror, 1, rule, upright=(0.97, 0.6)) is None, "the mirror is no upright digit"
    assert backwards_digit(drawn, mirror, 1, rule, upright=(0.5, 0.02)) is None, "the drawing may be upright"


def ell(facing_right: bool) -> np.ndarray:
    """An L: a tall bar with a short foot, the foot to the right of the bar (or turned, to its left)."""
    picture = np.zeros((28, 28), np.uint8)
    picture[4:24, 10:12], picture[21:24, 10:20] = 255, 255
    return picture if facing_right else np.ascontiguousarray(picture[:, ::-1])


class SidedModel:
    """A model that reads an L (a stroke drawn left to right) as a sure 3, and a turned L as nothing."""

    kind, version, metadata, failed, slow_noted = "cnn", "v", {}, None, False

    def __init__(self):
        from kiosk.recognition.recognizer import ModelLimits

        self.limits = ModelLimits()

    def recognize(self, strokes):
        return self.classify_image(ell(facing_right=strokes[0][-1][0] > strokes[0][0][0]))

    def classify_image(self, image, digit_like=True, not_digit=None, stroke_answer=None, channels=None):
        columns = image.sum(axis=0)
        facing_right = int(np.argmax(columns)) < (columns * np.arange(28)).sum() / columns.sum()
        return answer(3, 0.9999, 1e-5, image=image) if facing_right else answer(None, 0.4, 0.999, 8, image)


def test_the_reader_replaces_the_answer_by_the_mirrors_digit_marked_mirrored():
    backwards = [[(300.0, 100.0), (250.0, 150.0), (200.0, 300.0)]]
    reader = BackwardsReader()
    [drawn] = reader.read([SidedModel()], backwards, [SidedModel().recognize(backwards)])
    assert drawn.mirrored and drawn.digit == 3 and drawn.best == 3 and drawn.digit_like
    forwards = mirrored(backwards)
    [plain] = reader.read([SidedModel()], forwards, [SidedModel().recognize(forwards)])
    assert not plain.mirrored and plain.digit == 3


@pytest.fixture(scope="module")
def shipped():
    from kiosk.config import KioskConfig
    from kiosk.recognition.model_files import load_recognizers

    return load_recognizers(KioskConfig.load(None))


def test_the_shipped_models_name_a_backwards_two_and_leave_a_two_alone(shipped):
    from kiosk.recognition.recognizer import recognize_all

    two = [[(60.0, 80.0), (120.0, 40.0), (180.0, 80.0), (170.0, 140.0), (60.0, 260.0), (200.0, 260.0)]]
    for strokes, mirrored_expected in ((two, False), (mirrored(two), True)):
        [first, *_] = BackwardsReader().read(shipped, strokes, recognize_all(shipped, strokes))
        assert first.digit == 2 and first.mirrored is mirrored_expected


def test_the_mirrored_view_is_the_drawings_own_picture_and_channels_turned_not_a_second_preprocessing(
        shipped, monkeypatch):
    from kiosk.recognition import recognizer
    from kiosk.recognition.recognizer import recognize_all

    two = [[(60.0, 80.0), (120.0, 40.0), (180.0, 80.0), (170.0, 140.0), (60.0, 260.0), (200.0, 260.0)]]
    backwards_two = mirrored(two)
    answers = recognize_all(shipped, backwards_two)
    preprocessed = []
    real = recognizer.image_and_frame
    monkeypatch.setattr(recognizer, "image_and_frame", lambda cleaned: preprocessed.append(1) or real(cleaned))
    [first, *_] = BackwardsReader().read(shipped, backwards_two, answers)
    assert first.mirrored and first.digit == 2 and preprocessed == [], "read mirrored without preprocessing again"


def test_the_mirrored_view_matches_the_mirrored_strokes_channel_by_channel():
    from kiosk.recognition.backwards import mirror_view
    from kiosk.recognition.preprocess import clean_strokes
    from kiosk.recognition.stroke_channels import CHANNELS, stroke_channels

    # a seven drawn with a south-east slash: mirrored, its bar runs west and its slash south-west
    seven = [[(40.0, 40.0), (200.0, 40.0), (90.0, 260.0)], [(80.0, 150.0), (170.0, 150.0)]]
    image, channels = stroke_channels(clean_strokes(seven))
    turned_image, turned = mirror_view(image, channels)
    expected_image, expected = stroke_channels(clean_strokes(mirrored(seven)))
    ink = expected[0] > 0.5
    assert np.abs(turned_image.astype(int) - expected_image).mean() < 3, "the same picture, give or take rounding"
    for name, got, want in zip(CHANNELS, turned, expected):
        assert np.abs(got - want)[ink].mean() < 0.05, name
    east = CHANNELS.index("east")
    assert turned[east][ink].mean() < 0 < channels[east][channels[0] > 0.5].mean(), "east becomes west"


def test_a_long_scribble_is_not_read_twice(shipped):
    from kiosk.recognition.recognizer import recognize_all

    rng = np.random.default_rng(0)
    scribble = [rng.uniform(0, 400, (5_000, 2)).tolist()]
    answers = recognize_all(shipped, scribble)
    calls = []
    reader = BackwardsReader()
    reader.judge = lambda *args: calls.append(args)  # reached only after a mirrored read
    assert reader.read(shipped, scribble, answers) == answers and calls == []


def test_a_fresh_screen_reuses_the_gate_read_for_the_same_file_and_reads_a_replaced_one(tmp_path, monkeypatch):
    import os
    import shutil

    from kiosk.config import shipped_dir
    from kiosk.recognition import backwards

    shutil.copy(shipped_dir("models") / backwards.GATE_FILE, tmp_path)
    loads = []
    real = backwards.BackwardsReader.load.__func__
    monkeypatch.setattr(backwards.BackwardsReader, "load",
                        classmethod(lambda cls, model_dir, *a: loads.append(model_dir) or real(cls, model_dir, *a)))
    first = backwards.reader_for(tmp_path)
    assert backwards.reader_for(tmp_path) is first and len(loads) == 1, "an unchanged file is read and proved once"
    gate = tmp_path / backwards.GATE_FILE
    stat = gate.stat()
    os.utime(gate, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # replaced: another version on disk
    assert backwards.reader_for(tmp_path) is not first and len(loads) == 2 and first.gate is not None
    gate.unlink()
    assert backwards.reader_for(tmp_path).gate is None and len(loads) == 3, "removed: judged without it"
