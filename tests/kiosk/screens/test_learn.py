"""The Learn screen: the network lights up on the child's drawing, every stroke looks again, a touched light
shows what it looks for, and the story is told with its pictures (driven by update(), the injected clock)."""

import math
import threading

import numpy as np
import pygame
import pytest

from kiosk.config import KioskConfig
from kiosk.input import PointerDown, PointerMove, PointerUp
from kiosk.language.phrases import Phrases
from kiosk.recognition.model_files import load_recognizers
from kiosk.recognition.recognizer import Recognizer
from kiosk.insight.brain import BrainShelf
from kiosk.screens.learn import LearnScreen
from kiosk.screens.learn_view import field_cells
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import NavBar

MODELS = KioskConfig.load(None).model_dir_path


@pytest.fixture(scope="module")
def recognizers():
    pygame.display.init()
    pygame.font.init()
    return load_recognizers(KioskConfig.load(None))


@pytest.fixture(scope="module")
def shelf(recognizers):
    """The shipped models' brains, read once (as on a kiosk that has shown Learn before)."""
    shelf = BrainShelf()
    for recognizer in recognizers:
        shelf.brain(recognizer.path)
    return shelf


def learn(recognizers, said=None, size=(800, 480), status=None, shelf=None):
    nav = NavBar(pygame.Rect(420, 10, 370, 56), Phrases("en"))
    say = said.append if said is not None else None
    return LearnScreen(list(recognizers), Theme(*size), nav, Phrases("en"), status, say=say, shelf=shelf)


class SlowShelf(BrainShelf):
    """A shelf whose first read is still going on until the test lets it finish (gate.set())."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()

    def brain(self, path):
        self.gate.wait(timeout=60)
        return super().brain(path)


def test_the_first_brain_is_read_beside_the_loop_and_the_story_waits_before_its_lights(recognizers):
    said = []
    shelf = SlowShelf()
    screen = learn(recognizers, said, shelf=shelf)  # a shelf of its own: nothing read yet
    screen.enter([[(100, 50), (100, 350)]])
    assert said == ["learn.say1"] and screen.image is not None, "the drawing and its picture come at once"
    assert screen._reading is not None
    from kiosk.ui.text import recording_text

    with recording_text() as texts:
        shot(screen)
    kind = recognizers[0].kind.upper()
    assert kind in [t.text for t in texts], "the MLP/CNN button names the network shown, while its file is read too"
    for _ in range(100):  # five seconds of frames, at once: the file is still being read
        screen.update(50)
    assert screen.story.elapsed_s < screen.story.beats[1].at_s and said == ["learn.say1"], "no lights before lights"
    shelf.gate.set()
    screen.wait_for_brain()
    assert screen.look is not None and screen.look.answer == 1
    for _ in range(100):
        screen.update(50)
    assert said[1] == screen.story.beats[1].phrase_id


def shot(screen, size=(800, 480)) -> bytes:
    surface = pygame.Surface(size)
    screen.draw(surface)
    return pygame.image.tobytes(surface, "RGB")


def stroke(screen, points):
    """A stroke on the Learn canvas, points as fractions of it."""
    c = screen.layout()["canvas"]
    xy = [(c.x + c.w * x, c.y + c.h * y) for x, y in points]
    screen.handle(PointerDown(*xy[0]))
    for p in xy[1:]:
        screen.handle(PointerMove(*p))
    screen.handle(PointerUp(*xy[-1]))


def test_an_example_seven_or_the_childs_drawing_flows_through_the_network(recognizers, shelf):
    screen = learn(recognizers, shelf=shelf)
    screen.enter([])
    assert screen.brain.kind == recognizers[0].kind and screen.look.answer == 7
    screen.enter([[(100, 50), (100, 350)]])
    assert screen.look.answer == 1
    assert len(screen.look.layers) >= 2 and screen.glow and len(screen.glow[0]) == 2
    screen.handle(PointerDown(*screen.nav.tabs[0][1].center))
    assert screen.next_screen == "draw"


def test_every_stroke_drawn_on_learn_looks_again(recognizers, shelf):
    screen = learn(recognizers, shelf=shelf)
    screen.enter([])
    looks = []
    see = screen.see
    screen.see = lambda: (see(), looks.append(screen.look))
    stroke(screen, [(0.5, 0.1), (0.5, 0.5), (0.5, 0.9)])  # the first touch starts the child's own drawing
    assert screen.own and len(screen.strokes) == 1 and len(looks) == 1
    assert looks[0].answer == 1
    ring = [(0.5 + 0.3 * math.sin(a / 24 * math.tau), 0.5 - 0.4 * math.cos(a / 24 * math.tau)) for a in range(25)]
    clear = screen.clear_button(screen.layout()).rect
    screen.handle(PointerDown(*clear.center))
    assert screen.strokes == [] and screen.look is None
    stroke(screen, ring)
    assert len(looks) == 3 and screen.look.answer == 0, "a new drawing, a new look"


def test_a_hostile_stroke_stays_bounded(recognizers, shelf):
    import time

    screen = learn(recognizers, shelf=shelf)
    screen.enter([])
    c = screen.layout()["canvas"]
    screen.handle(PointerDown(c.x + 1, c.y + 1))
    for i in range(10_000):  # a stuck finger scribbling
        screen.handle(PointerMove(c.x + (i * 7) % c.w, c.y + (i * 13) % c.h))
    screen.handle(PointerUp(c.centerx, c.centery))
    assert sum(len(s) for s in screen.strokes) <= 4_000, "thinned as the kiosk's preprocessing thins a drawing"
    started = time.process_time()
    shot(screen)
    assert time.process_time() - started < 0.5


def learn_showing(kind, recognizers, said, shelf):
    """Learn with no drawing, switched by its model button to the network of that kind."""
    screen = learn(recognizers, said, shelf=shelf)
    screen.enter([])
    if screen.brain.kind != kind:
        screen.handle(PointerDown(*screen.model_button(screen.layout()).rect.center))
    return screen


@pytest.mark.slow
def test_touching_a_light_of_the_mlp_shows_what_it_looks_for(recognizers, shelf):
    said = []
    screen = learn_showing("mlp", recognizers, said, shelf)
    assert screen.brain.kind == "mlp"
    screen.update(30_000)
    before = shot(screen)
    values = screen.look.layers[0].values
    _, cols, cell, (x0, y0) = field_cells(len(values), screen._rows(screen.layout()["lights"])[-1])
    screen.handle(PointerDown(x0 + cell // 2, y0 + cell // 2))  # on the first light: the brightest near it answers
    near = [r * cols + c for r in range(3) for c in range(3)]
    assert screen.unit in near and values[screen.unit] == max(values[near]) > 0 and said[-1] == "insight.unit"
    assert shot(screen) != before, "its incoming weights appear as a picture, and the light is ringed"
    np.testing.assert_array_equal(screen.brain.looks_for(screen.unit),
                                  screen.brain.network.layers[1].weight.value[screen.unit].reshape(28, 28))


@pytest.mark.slow
def test_touching_a_first_layer_map_of_the_cnn_shows_its_stroke_detector(recognizers, shelf):
    said = []
    screen = learn_showing("cnn", recognizers, said, shelf)
    screen.update(30_000)
    first_row = screen._rows(screen.layout()["lights"])[0]
    screen.handle(PointerDown(first_row.x + 2, first_row.centery))
    assert screen.unit is not None and said[-1] == "insight.filter"
    assert screen.brain.first_filters()[screen.unit].shape == (3, 3)
    shot(screen)


def test_the_view_moves_while_the_story_is_told(recognizers, shelf):
    said = []
    screen = learn(recognizers, said, shelf=shelf)
    screen.enter([[(100, 50), (100, 350)]])
    shots = {}
    for tick in range(1, 301):  # 30 s, ten frames a second
        screen.update(100)
        if tick in (3, 15, 40, 90, 300):
            shots[tick] = shot(screen)
    assert said == [b.phrase_id for b in screen.story.beats]
    assert len(set(shots.values())) == len(shots), "every step of the story changes the picture"
    assert not screen.animating


def test_a_stalled_frame_pauses_the_story_instead_of_skipping_lines(recognizers, shelf):
    said = []
    screen = learn(recognizers, said, shelf=shelf)
    screen.enter([])
    screen.update(3_000)  # the first look read the model file: one long frame
    assert said == ["learn.say1"] and screen.story.elapsed_s < 0.3


def test_a_visitors_own_brain_is_read_from_its_file(recognizers, shelf, tmp_path):
    path = tmp_path / "my-brain.onnx"
    path.write_bytes((MODELS / "mlp128-e1.onnx").read_bytes())
    mine = [Recognizer(path), *recognizers]
    screen = learn(mine, shelf=shelf)
    screen.enter([])
    settle(screen)
    assert len(screen.look.layers[0].values) == 128, "the visitor's 128 lights, not the shipped MLP's 800"
    path.write_bytes((MODELS / "mlp128.onnx").read_bytes())  # it learned again
    first = screen.brain
    screen.enter([])
    settle(screen)
    assert screen.brain is not None and screen.brain is not first


def settle(screen):
    """Until the brain being read beside the loop has come."""
    screen.wait_for_brain()


def test_learn_tells_what_children_taught_it_once_the_story_is_told(recognizers, tmp_path):
    import json

    from kiosk.teaching.feedback_store import FeedbackStore
    from kiosk.teaching.status import teaching_status

    store = FeedbackStore(tmp_path / "feedback")
    screen = learn(recognizers, status=lambda: teaching_status(store, tmp_path))
    screen.enter([])
    assert screen._taught_words(screen.teaching) == "Teach me: tell me when I get it wrong!"
    for label in (1, 2):
        store.append([[(0.0, 0.0), (1.0, float(label))]], 300, np.zeros((28, 28), np.uint8), label, None, "cnn", "v")
    (tmp_path / "retrain_report.json").write_text(
        json.dumps({"promoted": True, "before": {"held_out": 0.9}, "after": {"held_out": 0.95}})
    )
    screen.enter([])
    assert screen._taught_words(screen.teaching) == (
        "Children have taught me 2 drawings. My last lesson took me from 90.0% to 95.0% right on your drawings."
    )
    screen.update(30_000)
    shot(screen)


@pytest.mark.slow
def test_learn_draws_at_other_sizes(recognizers, shelf):
    screen = learn(recognizers, shelf=shelf)
    screen.enter([])
    for size in ((800, 480), (480, 800), (1920, 1080)):  # even with tabs laid out for another size: no crash
        screen.theme = Theme(*size)
        shot(screen, size)


def test_after_an_answer_the_draw_screen_rings_the_learn_tab_to_peek_inside(recognizers, tmp_path):
    from kiosk.event_log import EventLog
    from kiosk.screens.draw import DrawScreen
    from kiosk.teaching.feedback_store import FeedbackStore
    from kiosk.ui import colours
    from kiosk.voice.speaker import SilentSpeaker

    draw = DrawScreen(list(recognizers), SilentSpeaker(), Theme(800, 480), 1600, EventLog(None), Phrases("en"),
                      FeedbackStore(tmp_path / "feedback"))
    tab = dict(draw.nav.tabs)["learn"]
    corner = (tab.x - 1, tab.centery)  # just outside the tab: where the ring is drawn

    def ring_shown() -> bool:
        surface = pygame.Surface((800, 480))
        draw.draw(surface)
        return tuple(surface.get_at(corner))[:3] == colours.COUNT_DOT

    assert not ring_shown(), "nothing to peek at before an answer"
    c = draw.canvas
    draw.handle(PointerDown(c.x + c.w * 0.5, c.y + c.h * 0.1))
    draw.handle(PointerMove(c.x + c.w * 0.5, c.y + c.h * 0.9))
    draw.handle(PointerUp(c.x + c.w * 0.5, c.y + c.h * 0.9))
    draw.press("recognize")
    draw.update(1000)
    assert draw.prediction is not None and ring_shown()
    draw.handle(PointerDown(*tab.center))
    assert draw.next_screen == "learn"  # and the App hands Learn the drawing (kiosk/app/loop.py)
