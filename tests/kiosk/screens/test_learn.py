import pygame

from kiosk.language.phrases import Phrases
from kiosk.recognition.model_files import load_recognizers
from kiosk.config import KioskConfig
from kiosk.input import PointerDown
from kiosk.screens.learn import LearnScreen
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import NavBar


def test_learn_screen_shows_the_childs_drawing_or_an_example_and_navigates():
    pygame.display.init()
    pygame.font.init()
    recognizers = load_recognizers(KioskConfig.load(None))
    nav = NavBar(pygame.Rect(420, 10, 370, 36), Phrases("en"))
    screen = LearnScreen(recognizers, Theme(800, 480), nav, Phrases("en"))
    screen.enter([])  # nothing drawn yet: an example 7 flows through the steps
    assert screen.prediction is not None and screen.prediction.best == 7
    screen.enter([[(100, 50), (100, 350)]])
    assert screen.prediction.best == 1
    for size in ((800, 480), (480, 800)):  # even with tabs laid out for another size: no crash
        screen.theme = Theme(*size)
        screen.draw(pygame.Surface(size))
    screen.handle(PointerDown(*nav.tabs[0][1].center))
    assert screen.next_screen == "draw"
    pygame.display.quit()


def test_learn_screen_tells_what_children_taught_it(tmp_path):
    from kiosk.teaching.feedback_store import FeedbackStore
    from kiosk.teaching.status import teaching_status

    import json
    import numpy as np

    pygame.display.init()
    pygame.font.init()
    store = FeedbackStore(tmp_path / "feedback")
    status = lambda: teaching_status(store, tmp_path)  # noqa: E731
    screen = LearnScreen(
        load_recognizers(KioskConfig.load(None)),
        Theme(800, 480),
        NavBar(pygame.Rect(420, 10, 370, 36), Phrases("en")),
        Phrases("en"),
        status,
    )
    screen.enter([])
    assert screen._taught_words(screen.teaching) == "Teach me: tell me when I get it wrong!"
    for label in (1, 2):
        # two drawings (the same strokes labelled again would replace the first label, not add one)
        store.append([[(0.0, 0.0), (1.0, float(label))]], 300, np.zeros((28, 28), np.uint8), label, None, "cnn", "v")
    (tmp_path / "retrain_report.json").write_text(
        json.dumps({"promoted": True, "before": {"held_out": 0.9}, "after": {"held_out": 0.95}})
    )
    screen.enter([])
    assert screen._taught_words(screen.teaching) == (
        "Children have taught me 2 drawings. My last lesson took me from 90.0% to 95.0% right on your drawings."
    )
    screen.draw(pygame.Surface((800, 480)))
    pygame.display.quit()


def test_the_numbers_card_shows_dots_with_ink_in_them_and_the_card_before_frames_where():
    import math

    pygame.display.init()
    pygame.font.init()
    recognizers = load_recognizers(KioskConfig.load(None))
    screen = LearnScreen(
        recognizers, Theme(800, 480), NavBar(pygame.Rect(420, 10, 370, 56), Phrases("en")), Phrases("en")
    )
    ring = [[(200 + 120 * math.sin(a / 20 * math.tau), 200 - 150 * math.cos(a / 20 * math.tau)) for a in range(21)]]
    screen.enter(ring)  # a 0: its centre 7x7 dots are all dark
    row, col = screen.number_window()
    image = screen.prediction.image
    assert image[10:17, 10:17].sum() < image[row : row + 7, col : col + 7].sum(), (
        "the window is on the ink, not the empty middle"
    )
    surface = pygame.Surface((800, 480))
    screen.draw(surface)  # the frame on the 28x28 card is drawn without error
    pygame.display.quit()


def _learn_screen(said):
    pygame.display.init()
    pygame.font.init()
    nav = NavBar(pygame.Rect(420, 10, 370, 36), Phrases("en"))
    return LearnScreen(load_recognizers(KioskConfig.load(None)), Theme(800, 480), nav, Phrases("en"), say=said.append)


def test_learn_tells_each_card_once_in_order_and_paced():
    said = []
    screen = _learn_screen(said)
    screen.enter([[(100, 50), (100, 350)]])
    assert said == ["learn.say1"], "the first card is told the moment the screen appears"
    heard_at = {"learn.say1": 0.0}
    for frame in range(1, 16 * 30):  # 16 s at 30 frames a second
        screen.update(1000 / 30)
        if len(said) > len(heard_at):
            heard_at[said[-1]] = frame / 30
    assert said == ["learn.say1", "learn.say2", "learn.say3", "learn.say4"], "each card once, in order"
    times = list(heard_at.values())
    assert all(later - earlier >= 2.0 for earlier, later in zip(times, times[1:])), times  # no line cuts another
    assert not screen.animating
    screen.enter([])  # coming back tells the story again, once
    assert said[-1] == "learn.say1" and len(said) == 5
    screen.update(12_000)  # one long frame (a machine waking up): only the line due now, its card lit
    assert said[5:] == ["learn.say4"] and screen.told == 4
    pygame.display.quit()


def test_learn_moves_within_the_first_second_and_the_story_reaches_the_votes():
    screen = _learn_screen([])
    screen.enter([[(100, 50), (100, 350)]])
    shots = {}
    for at_ms in (300, 1500, 4000):
        screen.update(at_ms - 1000 * screen.elapsed_s)
        surface = pygame.Surface((800, 480))
        screen.draw(surface)
        shots[at_ms] = pygame.image.tobytes(surface, "RGB")
    assert screen.animating or screen.elapsed_s >= 4
    assert shots[300] != shots[1500], "Learn is not still: its pixels change between 0.3 s and 1.5 s"
    assert shots[1500] != shots[4000], "the picture finishes and the votes grow"
    assert screen.scan_rows() == 28
    pygame.display.quit()
