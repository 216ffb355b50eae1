"""Each setting still teaches its lesson in a training short enough for a child: a step too big never learns
and stops at once, too small crawls, much dropout learns slower, more rounds learn more and then stop helping;
and the first point of the curve comes before any learning. The learner runs in this process on a few
hundred digits, so each lesson takes a second or two."""

import threading
import time

import numpy as np
import pytest

from kiosk.learning import live_data, live_learner
from kiosk.learning.live_learner import BATCH, GIVE_UP_IMAGES, learn
from kiosk.learning.live_protocol import Done, LiveJob, Progress
from kiosk.learning.live_settings import ROUND_IMAGES, LiveSettings


@pytest.fixture(scope="module")
def few_digits(tmp_path_factory):
    """1,000 digits to learn from and 300 held out, from the subset the kiosk carries."""
    data = live_data.load()
    path = tmp_path_factory.mktemp("digits") / "few.npz"
    np.savez(path, train_images=data.train_images[:1000], train_labels=data.train_labels[:1000],
             test_images=data.test_images[:300], test_labels=data.test_labels[:300])
    return path


@pytest.fixture(autouse=True)
def a_point_every_report_digits(monkeypatch):
    """The curve gets its points at the same digits on a fast core or a busy one (not every 0.2 s as well)."""
    monkeypatch.setattr(live_learner, "REPORT_EVERY_S", 0.0)


def train(tmp_path, data_path=None, **choices):
    """(every message, the CPU seconds each came at) of one training in this process."""
    messages, times, started = [], [], time.process_time()  # what it asks of a core, however busy the machine

    def say(message):
        messages.append(message)
        times.append(time.process_time() - started)

    job = LiveJob(LiveSettings(**choices), str(tmp_path / "live.onnx"), "test",
                  str(data_path) if data_path else None)
    learn(job, say, threading.Event())
    return messages, times


def curve(messages):
    return [m.accuracy for m in messages if isinstance(m, Progress)]


def test_steps_too_big_never_learn_and_it_stops_as_soon_as_that_is_clear(tmp_path):
    messages, _ = train(tmp_path, learning_rate=1.0, max_epochs=20)
    done = messages[-1]
    assert isinstance(done, Done) and done.broke and done.accuracy < 0.5, "the kiosk says: the steps were too big"
    assert done.seen < GIVE_UP_IMAGES + BATCH["mlp"], "judged at the same digit on a fast core or a slow one"
    assert done.seen < ROUND_IMAGES["mlp"], "it stops within the first round, not after 20"
    assert done.model_path is None


def test_a_good_step_is_not_mistaken_for_too_big(tmp_path, few_digits):
    done = train(tmp_path, few_digits, learning_rate=0.01, max_epochs=3)[0][-1]
    assert not done.broke and done.seen == 3 * 1000 and done.accuracy > 0.7


def test_steps_too_small_crawl(tmp_path, few_digits):
    small = train(tmp_path, few_digits, learning_rate=0.00001, max_epochs=5)[0][-1]
    right = train(tmp_path, few_digits, max_epochs=5)[0][-1]
    assert not small.broke and small.seen == right.seen
    assert small.accuracy < 0.8 <= right.accuracy and right.accuracy - small.accuracy > 0.2


def test_much_dropout_learns_slower(tmp_path, few_digits):
    much = curve(train(tmp_path, few_digits, dropout_rate=0.8, max_epochs=3)[0])
    none = curve(train(tmp_path, few_digits, dropout_rate=0.0, max_epochs=3)[0])
    assert np.mean(much) < np.mean(none) - 0.03, "its curve climbs slower"


def test_more_rounds_learn_more_and_then_stop_helping(tmp_path, few_digits):
    one, five, twenty = (train(tmp_path, few_digits, max_epochs=n)[0][-1].accuracy for n in (1, 5, 20))
    assert one + 0.05 < five, "five rounds learn more than one"
    assert twenty - five < (five - one) / 2, "fifteen more rounds add less than four did"


def test_the_first_point_of_the_curve_comes_before_any_learning(tmp_path):
    messages, times = train(tmp_path, kind="cnn", learning_rate=1.0, max_epochs=1)
    first = messages[0]
    assert isinstance(first, Progress) and first.seen == 0
    assert times[0] < 0.5, "the digits are loaded, the network made and the curve's first point scored in 0.5 s"


def test_a_round_is_a_share_of_the_digits_that_fits_a_childs_patience(tmp_path):
    done = train(tmp_path, max_epochs=2)[0][-1]
    assert done.seen == 2 * ROUND_IMAGES["mlp"] < 2 * len(live_data.load().train_labels)
    assert done.accuracy >= 0.85, "two short rounds already get most digits right"


def test_the_curve_has_its_points_however_fast_the_core(tmp_path, few_digits, monkeypatch):
    monkeypatch.setattr(live_learner, "REPORT_EVERY_S", 1e9)  # a core so fast that no report is ever due by time
    messages, _ = train(tmp_path, few_digits, max_epochs=2)
    assert len(curve(messages)) >= live_learner.MIN_POINTS, "the child still sees it learn, point by point"
