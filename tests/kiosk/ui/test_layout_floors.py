"""Floors that hold on every screen, in every state, language and screen size, checked from the widgets'
own rectangles and colours as they are drawn (not from screenshots):

- touch targets at least 10 mm each way on a 7" 800x480 panel (52 x 56 px there, scaled with the
  screen's short side elsewhere), inside the screen, not overlapping, and never in the grown-ups' corner;
- text contrast at least 4.5:1 against what it is drawn on (3:1 for large text, WCAG 2.2);
- text inside the screen, and never under a 3 mm cap height on the 7" panel (16.8 px at 800x480,
  scaled with the short side), counting text squeezed to fit as the size it was drawn at.
"""
import copy

import numpy as np
import pygame
import pytest

from kiosk.config import KioskConfig
from kiosk.event_log import EventLog
from kiosk.input import PointerDown, PointerMove, PointerUp
from kiosk.language.phrases import LANGUAGES, Phrases
from kiosk.learning.live_protocol import Done, Progress
from kiosk.learning.live_settings import LiveSettings
from kiosk.recognition import explorer_grid
from kiosk.recognition.model_files import load_recognizers
from kiosk.recognition.recognizer import Prediction
from kiosk.screens.admin import PinScreen
from kiosk.screens.draw import DrawScreen
from kiosk.screens.examples import ExamplesScreen
from kiosk.screens.explore import ExploreScreen
from kiosk.screens.frame import lay_out_frame
from kiosk.screens.game import GameScreen
from kiosk.insight.brain import BrainShelf
from kiosk.teaching.status import TeachingStatus
from kiosk.screens.learn import LearnScreen
from kiosk.screens.train import TrainScreen
from kiosk.session import game as game_rules
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.ui.colours import contrast_ratio
from kiosk.ui.feedback_panel import ASK_MS
from kiosk.ui.text import recording_text
from kiosk.ui.theme import Theme
from kiosk.voice.speaker import SilentSpeaker

# The official 7" panel both ways up, in English, in the fast tier; the other languages and the bigger screens
# (seconds each) in the slow one, which CI runs whole.
FAST_SIZES = [(800, 480), (480, 800)]
SIZES = FAST_SIZES + [(1024, 600), (1280, 720), (1920, 1080), (600, 1024), (720, 1280)]
FLOOR_CASES = [
    pytest.param(size, lang, id=f"{size[0]}x{size[1]}-{lang}",
                 marks=() if size in FAST_SIZES and lang == "en" else pytest.mark.slow)
    for size in SIZES for lang in LANGUAGES
]
TARGET_MM = 10.0
CAP_MM = 3.0
PX_PER_MM_AT_800x480 = (5.2, 5.6)  # the official 7" panel: 154 x 86 mm


def target_floor(theme: Theme) -> tuple[float, float]:
    scale = min(theme.width, theme.height) / 480
    return TARGET_MM * PX_PER_MM_AT_800x480[0] * scale, TARGET_MM * PX_PER_MM_AT_800x480[1] * scale


def large(text) -> bool:
    # WCAG's large text is 18 pt, or 14 pt bold: at 96 dpi and a cap height of 0.7 em, caps of 16.8 / 13 px.
    return text.cap_px >= (13.0 if text.bold else 16.8)


@pytest.fixture(scope="module")
def recognizers():
    pygame.display.init()
    pygame.font.init()
    return load_recognizers(KioskConfig.load(None))


def _image_of(screen):
    from kiosk.recognition.preprocess import strokes_to_image

    return strokes_to_image(screen.ink.copy_strokes())


def draw_a_four(screen):
    c = screen.canvas
    points = [(0.35, 0.15), (0.25, 0.6), (0.7, 0.6)]
    screen.handle(PointerDown(c.x + c.w * points[0][0], c.y + c.h * points[0][1]))
    for x, y in points[1:]:
        screen.handle(PointerMove(c.x + c.w * x, c.y + c.h * y))
    screen.handle(PointerUp(c.x + c.w * 0.7, c.y + c.h * 0.6))
    screen.handle(PointerDown(c.x + c.w * 0.55, c.y + c.h * 0.2))
    screen.handle(PointerMove(c.x + c.w * 0.55, c.y + c.h * 0.9))
    screen.handle(PointerUp(c.x + c.w * 0.55, c.y + c.h * 0.9))


def draw_a_backwards_two(screen):
    """A two written mirrored, one stroke (the shipped models read it as a backwards two)."""
    c, points = screen.canvas, [(0.62, 0.21), (0.44, 0.13), (0.26, 0.21), (0.29, 0.33), (0.62, 0.57), (0.2, 0.57)]
    screen.handle(PointerDown(c.x + c.w * points[0][0], c.y + c.h * points[0][1]))
    for x, y in points[1:]:
        screen.handle(PointerMove(c.x + c.w * x, c.y + c.h * y))
    screen.handle(PointerUp(c.x + c.w * points[-1][0], c.y + c.h * points[-1][1]))


BLANK = np.zeros((28, 28), np.uint8)


def game_states(theme, phrases, recognizers, store):
    """The drawing game's phases, each read as the digit asked or as another, by a fake reader."""

    def game(*reads):
        screen = GameScreen(recognizers, theme, lay_out_frame(theme, phrases), phrases, lambda *a: None,
                            EventLog(None), store)
        screen.enter()
        for i, read in enumerate(reads):  # True: the asked digit is read; False: another one ("No" if asked)
            asked = screen.game.digit
            digit = asked if read else (asked + 1) % 10
            screen.game.read = lambda strokes, d=digit: Prediction(d, (0.1,) * 10, BLANK, best=d)
            draw_a_four(screen)
            screen.update(game_rules.ANSWER_AFTER_MS + 50)
            if screen.game.phase is game_rules.Phase.CONFIRMING and i < len(reads) - 1:
                screen.game.confirm(False)
            if screen.game.phase is game_rules.Phase.HELPING and i < len(reads) - 1:
                screen.update(game_rules.HELP_MS + 50)
        return screen

    yield "game, asking", game()
    drawing = game()
    draw_a_four(drawing)
    drawing.update(20)
    yield "game, drawing", drawing
    confirming = game(False)  # read as another digit: "Is this your five?" with a big tick and cross
    assert confirming.game.phase is game_rules.Phase.CONFIRMING
    yield "game, is this your digit?", confirming
    helping = game(False)
    helping.game.confirm(False)
    helping.update(game_rules.HELP_MS / 2)
    yield "game, the hand shows how", helping
    yield "game, won", game(True)
    taught = game(False)
    taught.game.confirm(True)
    taught.update(50)
    yield "game, won by the child's Yes", taught
    good_try = game(False, False)
    good_try.game.confirm(False)
    yield "game, a good try", good_try
    ended = game()
    ended.game.rounds, ended.game.outcomes, ended.game.round = 5, ["won", "helped", "tried", "won"], 4
    ended.game.read = lambda strokes: Prediction(ended.game.digit, (0.1,) * 10, BLANK, best=0)
    draw_a_four(ended)
    ended.update(game_rules.ANSWER_AFTER_MS + 50)
    ended.update(game_rules.CHEER_MS + 50)
    assert ended.game.phase is game_rules.Phase.ENDED and ended.game.stars == 4
    assert "play again" in dict(ended.targets()), "the ending has its big Play again"
    yield "game, the ending with stars, confetti and Play again", ended


def try_my_brain(theme, phrases, recognizers, store):
    """"Try my brain", as the app sets it up (the visitor's model first, the kiosk's of the other kind after it),
    a four drawn and answered: the question is shown."""
    visitor = copy.copy(recognizers[1])
    visitor.metadata = {**visitor.metadata, "trained_by": "a visitor"}
    screen = DrawScreen([visitor, recognizers[0]], SilentSpeaker(), theme, 1600, EventLog(None), phrases, store)
    draw_a_four(screen)
    screen.press("recognize")
    screen.update(1000)
    assert screen.feedback.asking and screen.recognizer is visitor
    return screen


def states(size, lang, recognizers, tmp_path):
    """(name, screen) for every screen and state a child can reach, drawn once so their layout is known."""
    theme, phrases = Theme(*size), Phrases(lang)
    store = FeedbackStore(tmp_path / "feedback")

    def draw_screen():
        return DrawScreen(recognizers, SilentSpeaker(), theme, 1600, EventLog(None), phrases, store)

    empty = draw_screen()
    yield "draw, empty", empty
    attract = draw_screen()
    attract.start_attract()
    attract.update(1500)
    yield "draw, attract", attract
    guessing = draw_screen()
    draw_a_four(guessing)
    guessing.update(600)
    yield "draw, quiet guess", guessing
    answered = draw_screen()
    draw_a_four(answered)
    answered.press("recognize")
    yield "draw, answer and question", answered
    answered.draw(pygame.Surface(size))
    answered.handle(PointerDown(*answered.feedback.buttons["no"].rect.center))
    yield "draw, keypad", answered
    unsure = draw_screen()
    unsure.enter([[(100.0, 100.0), (300.0, 300.0), (100.0, 300.0), (300.0, 100.0)]])
    yield "draw, unsure", unsure
    spiral = draw_screen()  # a zigzag: "That doesn't look like a number. Try again!" (three lines at 800x480)
    turns = [(0.1 + i * 0.08, 0.25 + (i % 2) * 0.5) for i in range(11)]
    c = spiral.canvas
    spiral.handle(PointerDown(c.x + c.w * turns[0][0], c.y + c.h * turns[0][1]))
    for x, y in turns[1:]:
        spiral.handle(PointerMove(c.x + c.w * x, c.y + c.h * y))
    spiral.handle(PointerUp(c.x + c.w * turns[-1][0], c.y + c.h * turns[-1][1]))
    spiral.press("recognize")
    spiral.update(2000)
    assert spiral.message_id == "unsure.not_digit" and not spiral.feedback.asking, "not a digit: nothing asked"
    yield "draw, not a digit", spiral
    asked = draw_screen()  # the child's own scribble: the kiosk is not sure and asks which number it was
    c = asked.canvas
    for a, b in (((0.2, 0.2), (0.8, 0.8)), ((0.8, 0.2), (0.2, 0.8)), ((0.2, 0.5), (0.8, 0.5))):
        asked.handle(PointerDown(c.x + c.w * a[0], c.y + c.h * a[1]))
        asked.handle(PointerMove(c.x + c.w * b[0], c.y + c.h * b[1]))
        asked.handle(PointerUp(c.x + c.w * b[0], c.y + c.h * b[1]))
    asked.press("recognize")
    asked.feedback.offer(None)  # as for an answer it was not sure of: "Which number did you draw?" and a keypad button
    asked.update(2000)
    yield "draw, unsure and asking", asked
    thanked = draw_screen()
    draw_a_four(thanked)
    thanked.press("recognize")
    thanked.update(2000)
    thanked.draw(pygame.Surface(size))
    thanked.handle(PointerDown(*thanked.feedback.buttons["yes"].rect.center))
    yield "draw, thanked", thanked
    corrected = draw_screen()  # "No" and then 7 on the keypad: the screen shows the 7 and thanks
    draw_a_four(corrected)
    corrected.press("recognize")
    corrected.update(2000)
    corrected.draw(pygame.Surface(size))
    corrected.handle(PointerDown(*corrected.feedback.buttons["no"].rect.center))
    corrected.draw(pygame.Surface(size))
    corrected.handle(PointerDown(*next(b for b, d in corrected.feedback.keys if d == 7).rect.center))
    assert corrected.prediction.digit == 7, "the taught digit shows"
    yield "draw, after a correction", corrected
    corrected.update(3000)
    yield "draw, after a correction, the chips back", corrected
    remembered = draw_screen()  # after "No, it was a 7": the same drawing again gets the taught digit
    draw_a_four(remembered)
    remembered.memory.teach(_image_of(remembered), 7)
    remembered.press("recognize")
    remembered.update(2000)
    assert remembered.prediction.remembered and remembered.message_id == "memory.taught", "'You taught me!', big"
    yield "draw, a lesson remembered", remembered
    backwards = draw_screen()  # "That's a backwards two! Twos go like this.", the hand drawing a two
    backwards.configure(KioskConfig.load(None))  # as the app does: the shipped right-way-round gate judges
    draw_a_backwards_two(backwards)
    backwards.press("recognize")
    backwards.update(1500)
    assert backwards.prediction.mirrored and backwards.message_id == "backwards.2", "named backwards"
    yield "draw, a backwards digit", backwards
    chips = draw_screen()  # the question unanswered: the model chips come back, one per model
    draw_a_four(chips)
    chips.press("recognize")
    chips.update(ASK_MS + 100)
    assert chips.model_chips, "the chips show"
    yield "draw, the model chips", chips
    visitor = copy.copy(recognizers[1])  # "Try my brain": the model this visitor trained answers in its chip
    visitor.metadata = {**visitor.metadata, "trained_by": "a visitor"}
    yours = DrawScreen([recognizers[0], visitor], SilentSpeaker(), theme, 1600, EventLog(None), phrases, store)
    draw_a_four(yours)
    yours.press("recognize")
    yours.update(ASK_MS + 100)
    yield "draw, 'your brain says' chip", yours
    yield "draw, 'Try my brain' asking", try_my_brain(theme, phrases, recognizers, store)
    yield from game_states(theme, phrases, recognizers, store)
    nav, panel = empty.nav, empty.panel
    explore = ExploreScreen(explorer_grid.load(KioskConfig.load(None).model_dir_path), theme, nav, panel, phrases)
    explore.enter([])
    yield "explore, no drawing", explore
    explore.enter(empty.handover() or [[(100.0, 50.0), (100.0, 350.0)]])
    explore.select("learning_rate", max(explore.grids["cnn"].axes["learning_rate"]))
    yield "explore, a setting changed", explore
    examples = ExamplesScreen(recognizers, theme, nav, panel, phrases)
    yield "examples", examples
    examples2 = ExamplesScreen(recognizers, theme, nav, panel, phrases)
    examples2.select(*[(d, s) for _, d, s in examples2.tiles][7])
    yield "examples, one chosen", examples2
    shelf = BrainShelf()  # the brains read before, as on a kiosk that has shown Learn once
    for recognizer in recognizers:
        shelf.brain(recognizer.path)
    learn = LearnScreen(recognizers, theme, nav, phrases, lambda: None, shelf=shelf)
    learn.enter([])
    yield "learn", learn
    scanning = LearnScreen(recognizers, theme, nav, phrases, lambda: None, shelf=shelf)
    scanning.enter([])
    scanning.update(900)  # the picture half made, the scan line over the drawing
    yield "learn, the picture being made", scanning
    lighting = LearnScreen(recognizers, theme, nav, phrases, lambda: None, shelf=shelf)
    lighting.enter([])
    for _ in range(24):
        lighting.update(250)  # the layers lighting up, one after another, the caption changing
    yield "learn, the layers lighting up", lighting
    taught = TeachingStatus(drawings=12, before=0.9, after=0.95)  # what children taught it, said under the story
    told = LearnScreen(recognizers, theme, nav, phrases, lambda: taught, shelf=shelf)
    told.enter([])
    for _ in range(120):
        told.update(250)  # the story told: the votes grown, what mattered glowing, "draw here, or touch a light"
    yield "learn, the story told", told
    other = LearnScreen(recognizers, theme, nav, phrases, lambda: None, shelf=shelf)
    other.enter([])
    other.handle(PointerDown(*other.model_button(other.layout()).rect.center))  # the other network
    for _ in range(120):
        other.update(250)
    lights = other.layout()["lights"]
    other.handle(PointerDown(*lights.center))  # a light touched: what it looks for, beside what it sees
    yield "learn, the other network with a light touched", other
    yield "admin", PinScreen("2468", theme, phrases)
    typed = PinScreen("2468", theme, phrases)
    for key in "24":
        typed.press(key)
    yield "admin, two digits typed", typed
    locked = PinScreen("2468", theme, phrases)
    for _ in range(6):  # wrong PINs until the keypad locks: the minutes left, big, over grey keys
        for key in "1111":
            locked.press(key)
        locked.press("OK")
        locked.count_down(locked.wait_ms if locked.message_id != "admin.locked" else 0)
    assert locked.locked and locked.message_id == "admin.locked"
    yield "admin, locked out with the countdown", locked
    train = TrainScreen(theme, nav, panel, phrases)
    train.enter([[(100.0, 50.0), (100.0, 350.0)]])
    yield "train, choosing", train
    learning = TrainScreen(theme, nav, panel, phrases)
    learning.enter([[(100.0, 50.0), (100.0, 350.0)]])
    learning.state, learning.message_id = "learning", "live.learning"  # as the learner reports, without running one
    learning.progress = Progress(epoch=3, seen=25_000, seconds=12.0, accuracy=0.9, strip=(0, 1, 2, 3, 4, 5, 6, 1, 8, 9),
                                 strip_labels=tuple(range(10)), child=(0.0, 0.9) + (0.0125,) * 8, broke=False)
    learning.curve = [(0, 0.1), (5_000, 0.7), (25_000, 0.9)]
    yield "train, learning", learning
    checking = TrainScreen(theme, nav, panel, phrases)
    checking.state, checking.message_id = "learning", "live.checking"
    checking.progress, checking.curve = learning.progress, learning.curve
    yield "train, its big test", checking
    grid = ExploreScreen(explorer_grid.load(KioskConfig.load(None).model_dir_path), theme, nav, panel, phrases)
    grid.enter([])
    yield "grid (from train)", grid
    done = TrainScreen(theme, nav, panel, phrases)
    done.state, done.message_id, done.message_values = "done", "live.too_small", {"right": 71}
    done.result = Done(accuracy=0.71, seen=60_000, seconds=30.0, broke=False, settings=LiveSettings(),
                       model_path="/tmp/mine.onnx")
    done.progress = learning.progress
    yield "train, done", done
    yield "train, stopped", stopped_training(theme, nav, panel, phrases, learning.progress)
    yield "train, too big", too_big_training(theme, nav, panel, phrases, learning.progress)


def learning_training(theme, nav, panel, phrases, progress):
    screen = TrainScreen(theme, nav, panel, phrases)
    screen.enter([[(100.0, 50.0), (100.0, 350.0)]])
    screen.state, screen.message_id = "learning", "live.learning"  # as the learner reports, without running one
    screen.progress, screen.curve = progress, [(0, 0.1), (5_000, 0.7), (25_000, 0.9)]
    return screen


def stopped_training(theme, nav, panel, phrases, progress):
    screen = learning_training(theme, nav, panel, phrases, progress)
    screen.stop()  # the child pressed Stop
    return screen


def too_big_training(theme, nav, panel, phrases, progress):
    screen = learning_training(theme, nav, panel, phrases, progress)
    screen.choice = screen.choice.with_choice("learning_rate", 1.0)
    screen._finish(Done(accuracy=0.1, seen=6_000, seconds=3.0, broke=True, settings=screen.choice, model_path=None))
    assert screen.message_id == "live.too_big"
    return screen


def survey(size, lang, recognizers, tmp_path):
    problems = []
    for name, screen in states(size, lang, recognizers, tmp_path):
        theme = Theme(*size)
        surface = pygame.Surface(size)
        with recording_text() as texts:
            screen.draw(surface)
        bounds = surface.get_rect()
        floor_w, floor_h = target_floor(theme)
        targets = screen.targets()
        for label, rect in targets:
            if not bounds.contains(rect):
                problems.append(f"{name}: target {label} {rect} is off the screen")
            if rect.width < floor_w - 0.5 or rect.height < floor_h - 0.5:
                size = f"{rect.width}x{rect.height} px"
                problems.append(f"{name}: target {label} is {size}, under {floor_w:.0f}x{floor_h:.0f}")
            if not name.startswith("admin") and rect.colliderect(theme.admin_zone):
                problems.append(f"{name}: target {label} is in the grown-ups' corner")
        for i, (label, rect) in enumerate(targets):
            for other, rect2 in targets[i + 1:]:
                if rect.colliderect(rect2):
                    problems.append(f"{name}: targets {label} and {other} overlap")
        for text in texts:
            if not text.text.strip():
                continue
            if not bounds.contains(text.rect):
                problems.append(f"{name}: text {text.text!r} is cut off by the screen edge")
            smallest_cap = CAP_MM * PX_PER_MM_AT_800x480[1] * min(size) / 480
            if text.cap_px < smallest_cap - 0.05:
                how = " (squeezed to fit)" if text.squeezed else ""
                cap = f"{text.cap_px:.1f} px{how}"
                problems.append(f"{name}: text {text.text!r} has a cap height of {cap}, under {smallest_cap:.1f}")
            ratio = contrast_ratio(text.colour, text.background)
            needed = 3.0 if large(text) else 4.5
            if ratio < needed:
                seen = f"{ratio:.2f}:1 on {text.background}"
                problems.append(f"{name}: text {text.text!r} has contrast {seen}, under {needed}:1")
    return problems


@pytest.mark.parametrize(("size", "lang"), FLOOR_CASES)
def test_every_screen_meets_the_floors(size, lang, recognizers, tmp_path):
    problems = survey(size, lang, recognizers, tmp_path)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize(("size", "lang"), FLOOR_CASES)
def test_try_my_brain_says_whose_brain_answered_while_it_asks(size, lang, recognizers, tmp_path):
    theme, phrases = Theme(*size), Phrases(lang)
    screen = try_my_brain(theme, phrases, recognizers, FeedbackStore(tmp_path / "feedback"))
    with recording_text() as texts:
        screen.draw(pygame.Surface(size))
    chip = phrases.text("live.chip", digit=str(screen.answers[0].best))
    shown = [text for text in texts if text.text == chip]
    assert len(shown) == 1, f"{chip!r} is on the screen while 'Did I get it right?' is asked"
    rect = shown[0].rect
    assert screen.panel.contains(rect) and not shown[0].squeezed, "whole, at its size, inside the panel"
    overlapping = [text.text for text in texts if text is not shown[0] and rect.colliderect(text.rect)]
    overlapping += [label for label, target in screen.targets() if rect.colliderect(target)]
    assert not overlapping, f"{chip!r} overlaps {overlapping}"
    screen.handle(PointerDown(*screen.feedback.buttons["yes"].rect.center))
    with recording_text() as texts:
        screen.draw(pygame.Surface(size))
    assert chip not in [text.text for text in texts], "once answered, 'Thank you!' is the story"


def test_the_floors_can_fail(recognizers, tmp_path, monkeypatch):
    from kiosk.ui import colours

    monkeypatch.setattr(colours, "TEXT", (200, 200, 200))  # pale grey words on cream paper
    problems = survey((800, 480), "en", recognizers, tmp_path)
    assert any("contrast" in p for p in problems)
    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)


def training_pictures(screen, size):
    """The curve's, the child's drawing's and its bars' rectangles, as the training screen draws them."""
    drawn = {}
    curve, child = screen._draw_curve, screen._draw_child
    screen._draw_curve = lambda surface, rect: (drawn.__setitem__("curve", pygame.Rect(rect)), curve(surface, rect))
    screen._draw_child = lambda surface, view, bars: (drawn.update(view=pygame.Rect(view), bars=pygame.Rect(bars)),
                                                      child(surface, view, bars))
    screen.draw(pygame.Surface(size))
    return drawn


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("size", [(480, 800), (720, 1280)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_portrait_training_keeps_its_pictures_after_stop_and_too_big(size, lang, recognizers):
    theme, phrases = Theme(*size), Phrases(lang)
    frame = lay_out_frame(theme, phrases)
    progress = Progress(epoch=3, seen=25_000, seconds=12.0, accuracy=0.9, strip=(0, 1, 2, 3, 4, 5, 6, 1, 8, 9),
                        strip_labels=tuple(range(10)), child=(0.0, 0.9) + (0.0125,) * 8, broke=False)
    args = theme, frame.nav, frame.panel, phrases, progress
    learning = training_pictures(learning_training(*args), size)
    assert learning["view"].height >= 0.25 * frame.panel.width, "the child's drawing is big while it learns"
    for state, make in (("stopped", stopped_training), ("too big", too_big_training)):
        after = training_pictures(make(*args), size)
        for part in ("curve", "view", "bars"):
            assert abs(after[part].height - learning[part].height) <= 3, (
                f"{state}: the {part} shrank from {learning[part].height} to {after[part].height} px")
            assert abs(after[part].width - learning[part].width) <= 3, f"{state}: the {part}'s width changed"
