"""Train it yourself: pick the settings, press Train, watch it learn, stop it at once, try the brain."""

import sys
import time

import pygame
import pytest

from kiosk.input import PointerDown
from kiosk.language.phrases import Phrases
from kiosk.learning.live import STOP_GRACE_S, LiveTraining
from kiosk.learning.live_pacing import minimum_ms
from kiosk.learning.live_protocol import Checking, Done, Progress, encode
from kiosk.learning.live_settings import LiveSettings
from kiosk.screens.train import TrainScreen
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import NavBar


@pytest.fixture
def screen(tmp_path):
    pygame.display.init()
    pygame.font.init()
    said = []
    train = TrainScreen(
        Theme(800, 480),
        NavBar(pygame.Rect(420, 12, 368, 56), Phrases("en")),
        pygame.Rect(420, 80, 368, 388),
        Phrases("en"),
        say=lambda phrase_id, **values: said.append((phrase_id, values)),
        data_folder=tmp_path,
        say_next=lambda phrase_id: said.append((phrase_id, {})),
    )
    train.said = said
    yield train
    train.leave()
    pygame.display.quit()


def tap(screen, axis, value):
    rect = next(b.rect for b, (a, v) in screen.buttons if (a, v) == (axis, value))
    screen.handle(PointerDown(*rect.center))


def run(screen, seconds=60):
    deadline = time.monotonic() + seconds
    while screen.state == "learning" and time.monotonic() < deadline:
        screen.update(50)
        screen.draw(pygame.Surface((800, 480)))
        time.sleep(0.05)


@pytest.mark.slow
def test_a_child_trains_the_mlp_watches_it_learn_and_tries_its_brain(screen):
    screen.enter([[(100.0, 50.0), (100.0, 350.0)]])  # the child's 1
    tap(screen, "max_epochs", 5)
    screen.handle(PointerDown(*screen.action.rect.center))
    assert screen.state == "learning" and screen.animating
    run(screen)
    assert screen.state == "done" and len(screen.curve) >= 5 and screen.curve[-1][1] > screen.curve[0][1]
    phrase, values = screen.said[-2]
    assert phrase == "live.result" and values["right"] >= 90, "I got 9x of 100 right!"
    assert screen.said[-1] == ("live.try", {}), "then, as its button appears: Try my brain!"
    assert screen.progress.child is not None
    screen.draw(pygame.Surface((800, 480)))
    screen.handle(PointerDown(*screen.try_button.rect.center))
    assert screen.next_screen == "draw" and screen.transition.model_path.endswith(".onnx")


def test_the_screen_says_when_it_takes_its_big_test(screen):
    screen.start()
    screen.training.stop()
    screen.training.poll = lambda: [Checking(seen=50_000)]  # as the learner says it
    screen.update(50)
    assert (screen.state, screen.message_id) == ("learning", "live.learning"), "'I'm learning...' stays a while"
    screen.update(minimum_ms("live.learning"))
    assert (screen.state, screen.message_id) == ("learning", "live.checking")
    screen.draw(pygame.Surface((800, 480)))


def test_stop_works_at_once_and_says_how_far_it_got(screen):
    tap(screen, "kind", "cnn")
    tap(screen, "max_epochs", 20)
    screen.handle(PointerDown(*screen.action.rect.center))
    deadline = time.monotonic() + 30
    while screen.progress is None and time.monotonic() < deadline:
        screen.update(50)
        time.sleep(0.05)
    asked = time.monotonic()
    screen.handle(PointerDown(*screen.action.rect.center))  # the same button says Stop now
    assert time.monotonic() - asked <= STOP_BUDGET_S and screen.state == "done"
    assert screen.said[-1][0] == "live.stopped" and ended(screen.training)


def test_leaving_stops_the_learning(screen):
    screen.handle(PointerDown(*screen.action.rect.center))
    screen.leave()
    assert screen.state == "choosing" and ended(screen.training)


STOP_BUDGET_S = 0.033  # one frame at 30 fps
# A learner in its big test that never reads stdin again (the learner's real big test does not listen either).
STUBBORN = [sys.executable, "-c", "import sys, time; sys.stdin.readline(); "
            f"sys.stdout.write({encode(Checking(1000))!r}); sys.stdout.flush(); time.sleep(60)"]


def ended(training, within_s=3.0):
    """The learner's process is gone soon after Stop (Stop itself never waits for it)."""
    deadline = time.monotonic() + within_s
    while training.alive and time.monotonic() < deadline:
        time.sleep(0.01)
    return not training.alive


def test_stop_during_the_big_test_never_holds_up_the_kiosks_frame(app, tmp_path):
    settings = app.screens["settings"]
    app.switch_to("settings")
    frame_ms, stop_frames_ms = [], []
    for _ in range(5):
        settings.training = LiveTraining(settings.choice, folder=tmp_path, command=STUBBORN).start()
        settings.state = "learning"
        while settings.message_id != "live.checking":
            app.frame(33)
        for _ in range(3):
            started = time.perf_counter()
            app.frame(33)
            frame_ms.append(1000 * (time.perf_counter() - started))
        x, y = settings.action.rect.center  # Stop, as a finger presses it
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1, touch=False))
        started = time.perf_counter()
        app.frame(33)
        stop_frames_ms.append(1000 * (time.perf_counter() - started))
        assert settings.state == "done" and ended(settings.training)
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(x, y), button=1, touch=False))
        app.frame(33)
    # Every frame with a Stop in it: never the learner's grace (the old Stop waited it out, 504-509 ms a time);
    # the usual one within a frame's budget of the others (a busy test machine may delay any single frame).
    typical, usual_stop = sorted(frame_ms)[len(frame_ms) // 2], sorted(stop_frames_ms)[len(stop_frames_ms) // 2]
    assert max(stop_frames_ms) < 1000 * STOP_GRACE_S and usual_stop <= typical + 1000 * STOP_BUDGET_S, stop_frames_ms


def test_steps_too_big_are_said_at_once_and_that_brain_is_not_offered_to_try(screen):
    tap(screen, "learning_rate", 1.0)
    tap(screen, "max_epochs", 20)
    screen.handle(PointerDown(*screen.action.rect.center))
    run(screen)
    assert screen.said[-1][0] == "live.too_big" and screen.result.model_path is None
    assert screen.result.seen < LiveSettings().round_images, "it says so within the first round, not after 20"
    screen.draw(pygame.Surface((800, 480)))
    assert "try my brain" not in [name for name, _ in screen.targets()]


def test_the_full_training_grid_is_one_tap_away(screen):
    screen.draw(pygame.Surface((800, 480)))
    screen.handle(PointerDown(*screen.compare.rect.center))
    assert screen.next_screen == "full_training"


def test_the_kiosk_removes_a_model_file_left_half_written_when_it_starts(app_factory, tmp_path):
    live = tmp_path / "data" / "live"  # the data dir app_factory gives
    live.mkdir(parents=True)
    leftover = live / ".live.onnx.k1ll3d.tmp"
    leftover.write_bytes(b"\0" * 815_000)  # a learner killed between write and rename, an 815 KB orphan
    app_factory()
    assert not leftover.exists()


def test_each_phase_is_said_once_when_it_appears(screen, monkeypatch):
    spoken = lambda: [phrase for phrase, _ in screen.said]  # noqa: E731
    screen.enter(None)
    assert spoken() == ["live.pick"], "the instruction, when the screen appears"
    screen.start()
    screen.training.stop()
    assert spoken()[-1] == "live.learning", "the start of a training"
    screen.training.poll = lambda: [Checking(seen=50_000)]
    screen.update(minimum_ms("live.learning"))  # its line said, "I'm learning..." gives way to the big test
    for _ in range(5):  # the learner may say it more than once; frames go by
        screen.update(50)
        screen.draw(pygame.Surface((800, 480)))
    assert spoken().count("live.checking") == 1, "its big test, once"
    monkeypatch.setattr("kiosk.screens.train.check_learned_model", lambda done: None)
    done = Done(accuracy=0.96, seen=50_000, seconds=3.0, broke=False, settings=screen.choice, model_path="brain.onnx")
    screen.training.poll = lambda: [done]
    screen.update(minimum_ms("live.checking"))
    for _ in range(5):
        screen.update(50)
        screen.draw(pygame.Surface((800, 480)))
    assert spoken() == ["live.pick", "live.learning", "live.checking", "live.result", "live.try"]
    assert "try my brain" in [name for name, _ in screen.targets()], "'Try my brain!' is said as its button appears"


class InstantLearner:
    """A learner that has learned, taken its big test and finished before the first frame (a fast machine)."""

    def __init__(self, settings, child_image=None, folder=None):
        progress = Progress(epoch=1, seen=6000, seconds=0.3, accuracy=0.97, strip=tuple(range(10)),
                            strip_labels=tuple(range(10)), child=None, broke=False)
        done = Done(accuracy=0.97, seen=6000, seconds=0.4, broke=False, settings=settings)
        self.messages, self.finished = [progress, Checking(seen=6000), done], False

    def start(self):
        return self

    def poll(self):
        said, self.messages = self.messages, []
        return said

    def stop(self):
        self.finished = True


def test_a_quick_learner_still_shows_and_says_each_phase_whole(screen, monkeypatch):
    monkeypatch.setattr("kiosk.screens.train.LiveTraining", InstantLearner)
    screen.start()
    shown, t = {}, 0
    while screen.state == "learning" and t < 20_000:
        screen.update(50)
        t += 50
        shown.setdefault(screen.message_id, t)
    assert screen.progress is not None and shown["live.learning"] == 50, "the curve shows at once"
    assert shown["live.checking"] >= minimum_ms("live.learning"), "'I'm learning...' is on screen until said"
    assert shown["live.result"] - shown["live.checking"] >= minimum_ms("live.checking"), "so is the big test"
    assert [phrase for phrase, _ in screen.said] == ["live.learning", "live.checking", "live.result"]


def test_stop_and_the_idle_reset_never_wait_for_a_phase_held_on_screen(screen, monkeypatch):
    monkeypatch.setattr("kiosk.screens.train.LiveTraining", InstantLearner)
    screen.start()
    screen.update(50)  # the big test and the result are held while "I'm learning..." is said
    screen.handle(PointerDown(*screen.action.rect.center))  # Stop
    assert screen.state == "done" and screen.said[-1][0] == "live.stopped"
    screen.start()
    screen.update(50)
    screen.reset()  # nobody here: the idle reset
    assert screen.state == "choosing"
    screen.update(60_000)
    assert screen.state == "choosing" and screen.said[-1][0] == "live.learning", "nothing held comes back"
