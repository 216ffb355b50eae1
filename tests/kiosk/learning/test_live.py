"""Live training in its own process: it learns, reports as it goes, gives a model the kiosk can load,
stops at once when asked, and says what went wrong instead of dying silently."""
import time

import numpy as np
import pytest

from kiosk.learning.live import LiveTraining, check_learned_model
from kiosk.learning.live_learner import to_input
from kiosk.learning.live_protocol import Checking, Done, Failed, Progress
from kiosk.learning.live_settings import LiveSettings
from kiosk.recognition.preprocess import to_model_input
from kiosk.recognition.recognizer import Recognizer


def run_to_end(training, timeout_s=120, on_progress=None):
    messages, deadline = [], time.monotonic() + timeout_s
    while not training.finished and time.monotonic() < deadline:
        for message in training.poll():
            messages.append(message)
            if on_progress and isinstance(message, Progress):
                on_progress(message)
        time.sleep(0.02)
    assert training.finished, "the learner ended in time"
    return messages


def test_the_learners_input_is_the_kiosks_preprocessing():
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    assert np.array_equal(to_input(images), to_model_input(images))


def test_the_learner_runs_without_opencv_onnxruntime_or_pygame():
    import subprocess
    import sys

    code = ("import sys, kiosk.learning.live_learner, kiosk.learning.network, kiosk.learning.onnx_io; "
            "print(sorted(m for m in ('cv2', 'onnxruntime', 'pygame') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_default_mlp_learns_reports_as_it_goes_and_gives_a_model_the_kiosk_loads(tmp_path):
    one = np.zeros((28, 28), np.uint8)
    one[4:24, 13:15] = 255
    settings = LiveSettings()
    messages = run_to_end(LiveTraining(settings, child_image=one, folder=tmp_path).start())
    progress = [m for m in messages if isinstance(m, Progress)]
    done = messages[-1]
    assert isinstance(done, Done) and done.accuracy >= 0.95 and not done.broke, "the default reaches 95%"
    assert len(progress) >= 5, "the curve gets several points, not just an end"
    assert [type(m) for m in messages[-3:]] == [Checking, Progress, Done], "the big test is announced before it runs"
    assert progress[0].accuracy < 0.5 < progress[-1].accuracy, "it starts knowing nothing and learns"
    assert progress[-1].strip_labels == tuple(range(10))
    assert sum(a == b for a, b in zip(progress[-1].strip, range(10))) >= 7
    assert progress[-1].child is not None and int(np.argmax(progress[-1].child)) == 1, "it answers the child's drawing"
    path = check_learned_model(done)  # onnxruntime answers as the learner did
    recognizer = Recognizer(path)
    assert recognizer.kind == "mlp" and recognizer.classify_image(one).best == 1
    assert done.settings == settings


def test_stop_ends_it_at_once():
    training = LiveTraining(LiveSettings(kind="cnn", max_epochs=20)).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(isinstance(m, Progress) and m.seen > 0 for m in training.poll()):
        time.sleep(0.05)
    asked = time.monotonic()
    training.stop()
    assert not training.alive and training.finished
    assert time.monotonic() - asked < 3.0, "a Stop that always works at once (the learner checks every step)"


@pytest.mark.slow
def test_steps_too_big_never_learn_and_the_kiosk_says_so():
    settings = LiveSettings(learning_rate=1.0, max_epochs=1)
    done = run_to_end(LiveTraining(settings).start())[-1]
    assert isinstance(done, Done) and done.accuracy < 0.5


def test_damaged_digits_are_one_calm_message(tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not an archive")
    messages = run_to_end(LiveTraining(LiveSettings(), data_path=broken).start(), timeout_s=60)
    assert isinstance(messages[-1], Failed) and "rebuild them" in messages[-1].message


def test_settings_outside_the_choices_are_refused():
    with pytest.raises(ValueError):
        LiveSettings(kind="rnn")
    with pytest.raises(ValueError):
        LiveSettings(dropout_rate=1.0)
