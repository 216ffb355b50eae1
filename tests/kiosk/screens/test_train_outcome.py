"""The phrase the Settings tab says at the end of a live training: a result, steps too big, or too small."""

from kiosk.learning.live_protocol import Done
from kiosk.learning.live_settings import LiveSettings
from kiosk.screens.train import outcome


def done(accuracy, settings, broke=False):
    return Done(accuracy, 10_000, 5.0, broke, settings)


def test_a_good_result_says_how_many_of_100():
    settings = LiveSettings()
    assert outcome(done(0.964, settings), settings) == ("live.result", {"right": 96})


def test_steps_too_big_say_so_whether_the_numbers_broke_or_it_learned_nothing():
    big = LiveSettings(learning_rate=1.0)
    assert outcome(done(0.11, big), big) == ("live.too_big", {})
    assert outcome(done(0.95, LiveSettings(), broke=True), LiveSettings())[0] == "live.too_big"
    assert outcome(done(0.9, big), big)[0] == "live.result", "a big step that did learn is a result"


def test_steps_too_small_say_so_when_it_learned_little():
    small = LiveSettings(learning_rate=0.00001)
    assert outcome(done(0.42, small), small) == ("live.too_small", {"right": 42})
    assert outcome(done(0.42, LiveSettings()), LiveSettings())[0] == "live.result"
