"""One visitor after another, in a running kiosk: each starts afresh, and only grown-ups reach the exit."""

import pygame
import pytest

from kiosk.input import PointerDown, PointerMove, PointerUp


def touch(app, kind, x, y):
    """A real SDL finger event, through the kiosk's own input translation."""
    width, height = app.surface.get_size()
    pygame.event.post(
        pygame.event.Event(kind, x=x / width, y=y / height, dx=0.0, dy=0.0, finger_id=0, touch_id=0, pressure=1.0)
    )


def draw_a_one(app):
    draw = app.screens["draw"]
    c = draw.canvas
    draw.handle(PointerDown(c.centerx, c.y + 30))
    draw.handle(PointerMove(c.centerx, c.bottom - 30))
    draw.handle(PointerUp(c.centerx, c.bottom - 30))
    return draw


def run_for(app, ms, step=50):
    for _ in range(int(ms // step)):
        app.frame(step)


def test_the_next_visitor_gets_the_configured_language_model_and_settings(app_factory):
    app = app_factory(idle_timeout_s=10, language="en")
    app.switch_language()  # the last visitor chose Spanish ...
    from kiosk.learning.live_settings import LiveSettings

    train = app.screens["settings"]
    train.choice = train.choice.with_choice("learning_rate", 1.0)  # ... and the "too big" learning rate ...
    app.screens["draw"].active = 1  # ... and made the MLP's answer the big one
    run_for(app, 10_500)
    assert app.phrases.lang == "en" and train.choice == LiveSettings() and app.screens["draw"].active == 0
    assert app.screen is app.screens["draw"] and app.screen.attract_ms is not None


def test_a_finger_resting_in_the_canvas_corner_never_opens_the_pin_pad(app):
    draw = app.screens["draw"]
    c = draw.canvas
    touch(app, pygame.FINGERDOWN, c.x + 3, c.y + 3)  # where the old corner was: a slow small "o"
    for i in range(40):
        run_for(app, 100)
        touch(app, pygame.FINGERMOTION, c.x + 3 + (i % 4), c.y + 3 + (i % 3))
    touch(app, pygame.FINGERUP, c.x + 5, c.y + 5)
    run_for(app, 100)
    assert app.screen is draw and draw.ink.strokes, "still drawing, and the drawing is still there"


def test_holding_the_grown_ups_corner_opens_the_pin_pad_and_keeps_the_drawing(app):
    draw = draw_a_one(app)
    c = draw.canvas
    zone = app.theme.admin_zone
    assert not zone.colliderect(c) and not any(zone.colliderect(b.rect) for b in draw.buttons.values())
    touch(app, pygame.FINGERDOWN, *zone.center)
    run_for(app, 2900)
    assert app.screen is draw
    run_for(app, 200)
    assert app.screen is app.screens["admin"]
    touch(app, pygame.FINGERUP, *zone.center)
    run_for(app, 50)
    assert draw.ink.strokes, "the corner is outside the canvas: nothing to wipe"


def test_the_settings_and_learn_screens_get_the_childs_drawing_whichever_tab_led_there(app):
    draw = draw_a_one(app)
    for tab in ("examples", "settings"):  # Draw -> Examples -> Settings
        app.screen.next_screen = tab
        app.frame(16)
    assert app.screen is app.screens["settings"] and app.screen.child_image is not None, (
        "the child's drawing, to answer as it learns"
    )
    app.screen.next_screen = "learn"
    app.frame(16)
    import numpy as np
    from kiosk.recognition.preprocess import clean_strokes

    # Learn keeps the drawing cleaned as the kiosk's preprocessing cleans it (it looks inside the network with it)
    shown, handed = app.screen.strokes, clean_strokes(draw.handover())
    assert len(shown) == len(handed) and all(np.array_equal(a, b) for a, b in zip(shown, handed)), (
        "the child's 1, not the example 7"
    )


def test_an_example_handed_over_is_as_big_on_a_big_screen_as_a_child_draws(app_factory):
    import pygame as pg

    from kiosk.app import App, LaunchOptions

    app = app_factory()
    big = App(app.config, LaunchOptions(headless=True, size=(1920, 1080)))
    try:
        for kiosk in (app, big):
            examples, canvas = kiosk.screens["examples"], kiosk.screens["draw"].canvas
            examples.select(7, 0)
            points = [p for stroke in examples.handover() for p in stroke]
            span = max(
                max(x for x, _ in points) - min(x for x, _ in points),
                max(y for _, y in points) - min(y for _, y in points),
            )
            assert 0.5 * canvas.width < span <= 0.7 * canvas.width
    finally:
        big.speaker.close()
        pg.display.quit()


@pytest.mark.slow
def test_try_my_brain_until_the_next_visitor(app_factory, tmp_path):
    from kiosk.learning.live import LiveTraining, check_learned_model
    from kiosk.learning.live_protocol import Done
    from kiosk.learning.live_settings import LiveSettings

    app = app_factory(idle_timeout_s=10)
    training = LiveTraining(LiveSettings(max_epochs=1), folder=tmp_path / "live").start()
    deadline = __import__("time").monotonic() + 60
    done = None
    while done is None and __import__("time").monotonic() < deadline:
        done = next((m for m in training.poll() if isinstance(m, Done)), None)
    train = app.screens["settings"]
    app.screen = train
    train.go("draw", model_path=str(check_learned_model(done)))  # "Try my brain"
    app.frame(16)
    draw = app.screens["draw"]
    assert app.screen is draw and "trained_by" in draw.recognizer.metadata, (
        "the draw screen answers with the visitor's brain"
    )
    from kiosk.ui.widgets import recording_text

    with recording_text() as texts:
        draw.draw(pygame.Surface((800, 480)))
    assert "Your brain is answering!" in [t.text for t in texts], "said in the panel, where ink never covers it"
    run_for(app, 10_500)  # nobody around: the next visitor gets the kiosk's own brain back
    assert "trained_by" not in draw.recognizer.metadata


def test_a_quiet_drawing_screen_is_a_new_visitor_the_brain_and_the_lessons_go(app):
    from kiosk.session.visitor import QUIET_S

    app.try_visitor_model(app.config.model_dir_path / "mlp128.onnx")  # "Try my brain" (any model file will do)
    draw = draw_a_one(app)
    draw.memory.teach(draw.recognizer.recognize(draw.handover()).image, 7)
    assert app.visitor_model.answering and len(draw.memory) == 1
    run_for(app, QUIET_S * 1000 - 500)
    assert app.visitor_model.answering, "the same child, thinking"
    run_for(app, 1000)  # a queue of children: far from the attract loop's 90 s
    assert not app.visitor_model.answering and len(draw.memory) == 0
    assert app.screen.attract_ms is None, "no attract loop: the next child is already here"


def test_a_language_change_is_a_new_visitor(app):
    draw = draw_a_one(app)
    draw.memory.teach(draw.recognizer.recognize(draw.handover()).image, 7)
    app.switch_language()
    assert len(draw.memory) == 0


def test_from_the_training_to_the_full_training_grid_and_back(app):
    app.screen.next_screen = "settings"
    app.frame(16)
    train = app.screens["settings"]
    train.next_screen = "full_training"
    app.frame(16)
    grid = app.screens["full_training"]
    assert app.screen is grid
    grid.handle(PointerDown(*dict(grid.nav.tabs)["settings"].center))  # the lit Settings tab leads back
    app.frame(16)
    assert app.screen is train


def test_the_games_start_is_a_new_visitor(app):
    app.try_visitor_model(app.config.model_dir_path / "mlp128.onnx")
    draw = draw_a_one(app)
    draw.memory.teach(draw.recognizer.recognize(draw.handover()).image, 7)
    app.switch_to("game")
    assert len(draw.memory) == 0 and not app.visitor_model.answering, "the game reads with the kiosk's own models"


class EndlessTraining:
    """A live training that is still learning whenever asked, and would report a result if left running."""

    def __init__(self):
        self.finished, self.stopped = False, False

    def poll(self):
        return []

    def stop(self):
        self.stopped = self.finished = True


def test_idle_wins_over_a_training_the_visitor_walked_away_from(app_factory):
    # Spanish, Settings, a model and a step chosen, Train, walk away: the idle timeout stops the training,
    # gives the next child the configured language, tab and settings, and says no result to an empty room.
    from kiosk.learning.live_settings import LiveSettings

    app = app_factory(idle_timeout_s=10, language="en")
    app.switch_language()
    app.switch_to("settings")
    train = app.screens["settings"]
    train.choice = train.choice.with_choice("learning_rate", 1.0)
    train.training, train.state = EndlessTraining(), "learning"
    training = train.training
    draw = app.screens["draw"]
    draw.memory.teach(draw.recognizer.recognize(draw_a_one(app).handover()).image, 7)
    assert app.screen is train and train.animating
    said = []
    speaker_say = app.speaker.say
    app.speaker.say = lambda phrase_id, lang, **values: said.append(phrase_id) or speaker_say(phrase_id, lang, **values)
    run_for(app, 10_500)
    assert training.stopped and train.state == "choosing" and train.choice == LiveSettings()
    assert app.phrases.lang == "en" and app.screen is draw and draw.attract_ms is not None and len(draw.memory) == 0
    assert not [p for p in said if p.startswith("live.")], "no training result spoken once nobody is here"
    attract_started = draw.attract_ms
    run_for(app, 2_000)
    assert draw.attract_ms > attract_started, "the attract loop runs on: idle does not start it again every frame"
