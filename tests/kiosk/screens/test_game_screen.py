"""The game screen with the shipped models: a child draws the asked digit and wins; after a miss "Is this your
five?" with Yes and No, then the hand shows how; a drawing is kept only when read as the asked digit or
confirmed with Yes (and the nightly doubt still refuses a burst); the bin and loudspeaker stay usable; the game
ends with confetti and Play again, then goes back to the drawing screen."""

import json
import random

import pygame
import pytest

from kiosk.config import KioskConfig
from kiosk.event_log import EventLog
from kiosk.input import PointerDown, PointerMove, PointerUp
from kiosk.language.phrases import Phrases
from kiosk.recognition.example_digits import EXAMPLES
from kiosk.recognition.model_files import load_recognizers
from kiosk.screens.frame import lay_out_frame
from kiosk.screens.game import GameScreen
from kiosk.session.game import ANSWER_AFTER_MS, CHEER_MS, ENDING_MS, HELP_MS, Phase
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import NavBar


@pytest.fixture(scope="module")
def recognizers():
    pygame.display.init()
    pygame.font.init()
    return load_recognizers(KioskConfig.load(None))


@pytest.fixture
def screen(recognizers, tmp_path):
    theme, phrases = Theme(800, 480), Phrases("en")
    said = []
    store = FeedbackStore(tmp_path / "feedback")
    events = EventLog(tmp_path / "events.jsonl")
    game = GameScreen(
        recognizers, theme, lay_out_frame(theme, phrases), phrases, said.append, events, store, random.Random(3)
    )
    game.said, game.store, game.events_path = said, store, tmp_path / "events.jsonl"
    game.enter()
    return game


def run(screen, ms):
    for _ in range(int(ms / 50) + 1):
        screen.update(50)


def draw_digit(screen, digit, shift_px=0):
    c = screen.canvas
    side = c.width * 0.66
    for stroke in EXAMPLES[digit][0]:
        points = [(c.x + (c.width - side) / 2 + x * side + shift_px, c.y + (c.height - side) / 2 + y * side)
                  for x, y in stroke]
        screen.handle(PointerDown(*points[0]))
        for point in points[1:]:
            screen.handle(PointerMove(*point))
        screen.handle(PointerUp(*points[-1]))
    run(screen, ANSWER_AFTER_MS + 100)


def test_the_game_has_a_tab_of_its_own():
    assert "game" in NavBar.TABS


def test_drawing_the_asked_digit_wins_with_confetti_and_keeps_the_drawing(screen):
    asked = screen.game.digit
    assert screen.said == [f"game.ask.{asked}"]
    draw_digit(screen, asked)
    assert screen.game.phase is Phase.WON and screen.confetti.running and screen.said[-1] == "game.won"
    records = screen.store.load()
    assert [r.label for r in records] == [asked]
    surface = pygame.Surface((800, 480))
    screen.draw(surface)
    run(screen, CHEER_MS)
    assert screen.game.phase is Phase.ASKING and screen.game.round == 1


def press(screen, name):
    screen.draw(pygame.Surface((800, 480)))
    screen.handle(PointerDown(*dict(screen.targets())[name].center))


def test_a_miss_shows_the_hand_drawing_the_digit_and_keeps_nothing(screen):
    asked = screen.game.digit
    draw_digit(screen, (asked + 5) % 10)
    assert screen.game.phase is Phase.CONFIRMING and screen.said[-1] == f"game.confirm.{asked}"
    press(screen, "no")
    assert screen.game.phase is Phase.HELPING and screen.said[-1] == f"game.help.{asked}"
    run(screen, HELP_MS / 2)
    assert screen.animating and screen._ghost  # the hand is drawing
    screen.draw(pygame.Surface((800, 480)))
    assert screen.store.load() == []
    run(screen, HELP_MS)
    assert screen.game.phase is Phase.ASKING and screen.said[-1] == "game.your_turn"


def test_the_loudspeaker_says_the_question_again(screen):
    screen.handle(PointerDown(*screen.say_again.center))
    assert screen.said[-1] == f"game.ask.{screen.game.digit}"


def test_the_game_ends_on_the_drawing_screen(screen):
    for _ in range(5):
        draw_digit(screen, screen.game.digit)
        run(screen, CHEER_MS)
    assert screen.game.phase is Phase.ENDED and screen.said[-2:] == ["game.end.5", "game.play_again"]
    screen.draw(pygame.Surface((800, 480)))
    run(screen, ENDING_MS)
    assert screen.next_screen == "draw"
    types = [json.loads(line)["type"] for line in screen.events_path.read_text().splitlines()]
    assert types.count("round_won") == 5 and types[-1] == "game_ended"


def test_leaving_stops_the_game(screen):
    screen.leave()
    assert screen.game.phase is Phase.DONE and not screen.animating


def tap(app, x, y):
    width, height = app.surface.get_size()
    for kind in (pygame.FINGERDOWN, pygame.FINGERUP):
        pygame.event.post(
            pygame.event.Event(kind, x=x / width, y=y / height, dx=0.0, dy=0.0, finger_id=0, touch_id=0, pressure=1.0)
        )


def test_the_star_tab_starts_a_game_and_idle_ends_it(app_factory):
    app = app_factory(idle_timeout_s=10)
    star = dict(app.screens["draw"].nav.tabs)["game"]
    tap(app, *star.center)
    app.frame(20)
    app.frame(20)
    assert app.screen is app.screens["game"] and app.screen.game.phase is Phase.ASKING
    for _ in range(210):  # nobody draws: the idle timeout still wins
        app.frame(50)
    assert app.screen is app.screens["draw"] and app.screens["game"].game.phase is Phase.DONE


def test_the_star_tab_at_the_end_starts_another_game(screen):
    for _ in range(5):
        draw_digit(screen, screen.game.digit)
        run(screen, CHEER_MS)
    assert screen.game.phase is Phase.ENDED
    screen.handle(PointerDown(*dict(screen.nav.tabs)["game"].center))
    assert screen.game.phase is Phase.ASKING and screen.game.round == 0 and screen.game.outcomes == []
    assert screen.said[-1] == f"game.ask.{screen.game.digit}"


def test_yes_keeps_the_drawing_labelled_with_the_asked_digit(screen):
    asked = screen.game.digit
    other = (asked + 5) % 10
    draw_digit(screen, other)
    press(screen, "yes")
    run(screen, 50)
    assert screen.game.phase is Phase.WON and screen.said[-1] == "game.confirmed" and screen.confetti.running
    records = screen.store.load()
    assert [(r.label, r.answer) for r in records] == [(asked, other)], "the child's digit, and what the kiosk read"
    events = [json.loads(line) for line in screen.events_path.read_text().splitlines()]
    confirmed = [e for e in events if e["type"] == "round_confirmed"]
    assert confirmed[0]["confirmed"] is True and confirmed[0]["kept"] is True


def test_no_keeps_nothing(screen):
    draw_digit(screen, (screen.game.digit + 5) % 10)
    press(screen, "no")
    assert screen.store.load() == []


def test_the_bin_and_loudspeaker_stay_during_the_help_and_the_win(screen):
    asked = screen.game.digit
    draw_digit(screen, (asked + 5) % 10)
    press(screen, "no")
    run(screen, HELP_MS / 2)
    assert {"clear", "say it again"} <= set(dict(screen.targets()))
    press(screen, "say it again")
    assert screen.said[-1] == f"game.help.{asked}"
    press(screen, "clear")  # the child wants to draw now: the help ends, the turn is theirs
    assert screen.game.phase is Phase.ASKING and screen.said[-1] == "game.your_turn"
    draw_digit(screen, asked)
    assert screen.game.phase is Phase.WON and {"clear", "say it again"} <= set(dict(screen.targets()))
    press(screen, "say it again")
    assert screen.said[-1] == "game.won"
    press(screen, "clear")
    assert screen.game.ink.is_empty and screen.game.phase is Phase.WON


def test_the_ending_has_confetti_and_a_big_spoken_play_again(screen):
    for _ in range(5):
        draw_digit(screen, screen.game.digit)
        run(screen, CHEER_MS)
    assert screen.game.phase is Phase.ENDED and screen.confetti.running
    assert screen.said[-2:] == ["game.end.5", "game.play_again"]
    button = dict(screen.targets())["play again"]
    assert button.height >= screen.theme.button_height and button.width >= 2 * button.height, "big"
    press(screen, "say it again")
    assert screen.said[-2:] == ["game.end.5", "game.play_again"]
    press(screen, "play again")
    assert screen.game.phase is Phase.ASKING and screen.game.round == 0 and screen.game.outcomes == []


def test_a_burst_of_yes_to_a_prank_is_refused_by_the_nightly_doubt_as_on_the_drawing_screen(screen, recognizers):
    from kiosk.retraining.doubt import doubted
    from kiosk.retraining.judging import probabilities
    from kiosk.retraining.nightly import images_of

    screen.game.digits = [7, 7, 7, 7, 7, 3]  # a prankster draws clear 1s for "Can you draw a seven?" and says Yes
    screen.game.rounds = 6
    for i in range(5):
        draw_digit(screen, 1, shift_px=4 * i)  # five different drawings (one drawing counts once)
        assert screen.game.answer.digit == 1 and screen.game.phase is Phase.CONFIRMING
        press(screen, "yes")
        run(screen, CHEER_MS)
    draw_digit(screen, 3)  # and one honest round
    records = screen.store.load()
    assert [r.label for r in records] == [7] * 5 + [3]
    images, labels = images_of(records)
    doubt = doubted(probabilities(str(recognizers[0].path), images), labels)
    assert doubt.tolist() == [True] * 5 + [False], "the prank is neither learned nor judged by; the 3 is kept"
