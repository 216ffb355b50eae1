"""What the kiosk and its live learner say to each other: typed both ways, the same after a trip through JSON,
and a wrong line refused rather than half-read."""
import numpy as np
import pytest

from kiosk.learning.live_protocol import Checking, Done, Failed, LiveJob, Progress, Stopped, decode, encode
from kiosk.learning.live_settings import LiveSettings

PROGRESS = Progress(epoch=2, seen=640, seconds=1.25, accuracy=0.5, strip=tuple(range(10)),
                    strip_labels=tuple(range(10)), child=tuple([0.1] * 10), broke=False)


@pytest.mark.parametrize("message", [
    PROGRESS,
    Progress(0, 0, 0.0, 0.0, (-1,) * 10, tuple(range(10)), None, True),
    Checking(seen=10_000),
    Stopped(seen=640, last=PROGRESS),
    Done(0.97, 100_000, 20.5, False, LiveSettings(kind="cnn", max_epochs=5), "/tmp/live.onnx", ((0.5, 0.5),)),
    Done(0.1, 320, 1.0, True, LiveSettings(learning_rate=1.0)),
    Failed("ValueError: rebuild them"),
])
def test_every_message_survives_the_trip(message):
    line = encode(message)
    assert line.endswith("\n") and line.count("\n") == 1, "one message, one line"
    assert decode(line) == message


def test_the_job_survives_the_trip():
    image = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
    job = LiveJob(LiveSettings(dropout_rate=0.5), "/data/live.onnx", "3", None, tuple(map(tuple, image.tolist())))
    again = LiveJob.from_line(job.to_line())
    assert again == job and isinstance(again.settings, LiveSettings)
    assert np.array_equal(np.array(again.child_image, np.uint8), image)


@pytest.mark.parametrize("line", ['{"type": "progress"}', '{"type": "hello"}', "[1, 2]", "not json",
                                  '{"type": "done", "accuracy": 1, "seen": 1, "seconds": 1, "broke": false, '
                                  '"settings": {"kind": "rnn"}}'])
def test_a_line_that_is_not_a_message_is_refused(line):
    with pytest.raises((ValueError, KeyError, TypeError)):
        decode(line)


def test_settings_from_json_are_checked():
    assert LiveSettings.from_json(LiveSettings(kind="cnn").to_json()) == LiveSettings(kind="cnn")
    good = LiveSettings().to_json()
    for bad in ({"kind": "cnn"}, {**good, "extra": 1}, {**good, "max_epochs": 2.5}, {**good, "dropout_rate": 1.0}):
        with pytest.raises(ValueError):
            LiveSettings.from_json(bad)


def test_one_choice_changes_at_a_time():
    settings = LiveSettings().with_choice("learning_rate", 1.0).with_choice("kind", "cnn")
    assert (settings.kind, settings.learning_rate, settings.max_epochs) == ("cnn", 1.0, LiveSettings().max_epochs)
    with pytest.raises(ValueError):
        LiveSettings().with_choice("seed", 3)  # not a child's choice
    with pytest.raises(ValueError):
        LiveSettings().with_choice("max_epochs", 0)
