"""The drawing game's decisions, on a fake clock and a fake reader (no SDL, no models)."""

import json
import random

import numpy as np

from kiosk.event_log import EventLog
from kiosk.recognition.recognizer import Prediction
from kiosk.session.game import (
    ANSWER_AFTER_MS,
    CHEER_MS,
    ENDING_MS,
    GOOD_TRY_MS,
    HELP_IF_IDLE_MS,
    HELP_MS,
    DrawingGame,
    Phase,
)


class Clock:
    def __init__(self):
        self.s = 0.0

    def __call__(self):
        return self.s

    def wait(self, ms, game=None):
        """Advance in 50 ms frames, ticking the game every frame as the screen does."""
        end = self.s + ms / 1000
        while self.s < end - 1e-9:
            self.s = min(end, self.s + 0.05)
            if game is not None:
                game.tick()


def prediction(digit):
    probabilities = tuple(1.0 if d == digit else 0.0 for d in range(10))
    return Prediction(digit, probabilities, np.zeros((28, 28), np.uint8), best=digit or 0)


def make_game(tmp_path, reads):
    """A game whose reader answers the digits in reads, one per finished drawing."""
    clock, said, kept = Clock(), [], []
    answers = iter(reads)
    events = EventLog(tmp_path / "events.jsonl", clock=clock)
    game = DrawingGame(
        clock,
        lambda strokes: prediction(next(answers)),
        said.append,
        events,
        canvas_side_px=400,
        keep=lambda strokes, answer, digit: kept.append((digit, answer.digit)),
        rng=random.Random(7),
    )
    game.start()
    return game, clock, said, kept


def draw(game, clock):
    game.begin_stroke(100, 100)
    game.extend_stroke(200, 300)
    game.end_stroke()
    clock.wait(ANSWER_AFTER_MS + 50, game)


def events(tmp_path):
    return [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]


def test_a_round_asks_a_digit_aloud_and_logs_it(tmp_path):
    game, clock, said, _ = make_game(tmp_path, [])
    assert game.phase is Phase.ASKING
    assert said == [f"game.ask.{game.digit}"]
    first = events(tmp_path)[0]
    assert first["type"] == "round_asked" and first["digit"] == game.digit and "t" in first


def test_five_rounds_ask_five_different_digits(tmp_path):
    game, _, _, _ = make_game(tmp_path, [])
    assert len(game.digits) == 5 and len(set(game.digits)) == 5


def test_drawing_the_asked_digit_wins_the_round_and_keeps_the_drawing(tmp_path):
    game, clock, said, kept = make_game(tmp_path, [])
    asked = game.digit
    game.read = lambda strokes: prediction(asked)
    draw(game, clock)
    assert game.phase is Phase.WON and said[-1] == "game.won"
    assert kept == [(asked, asked)]
    clock.wait(CHEER_MS, game)
    assert game.phase is Phase.ASKING and game.round == 1 and said[-1] == f"game.ask.{game.digit}"


def test_the_answer_waits_until_the_finger_has_rested(tmp_path):
    game, clock, _, _ = make_game(tmp_path, [])
    game.read = lambda strokes: prediction(game.digit)
    game.begin_stroke(100, 100)
    game.extend_stroke(200, 300)
    game.end_stroke()
    clock.wait(ANSWER_AFTER_MS - 200, game)
    game.begin_stroke(150, 100)  # a second stroke of the same digit
    clock.wait(1000, game)
    assert game.phase is Phase.ASKING
    game.extend_stroke(150, 350)
    game.end_stroke()
    clock.wait(ANSWER_AFTER_MS + 50, game)
    assert game.phase is Phase.WON and len(game.answer.probabilities) == 10


def test_a_miss_brings_the_hand_that_shows_how_then_the_childs_turn_again(tmp_path):
    game, clock, said, kept = make_game(tmp_path, [])
    asked = game.digit
    game.read = lambda strokes: prediction((asked + 1) % 10)
    draw(game, clock)
    assert game.phase is Phase.HELPING and said[-1] == f"game.help.{asked}"
    assert game.ink.is_empty and kept == []  # a drawing read as another digit is not kept
    clock.wait(HELP_MS, game)
    assert game.phase is Phase.ASKING and game.digit == asked and said[-1] == "game.your_turn"
    game.read = lambda strokes: prediction(asked)
    draw(game, clock)
    assert game.phase is Phase.WON and game.outcomes == ["helped"] and game.stars == 1


def test_a_second_miss_is_a_good_try_and_the_game_goes_on(tmp_path):
    game, clock, said, kept = make_game(tmp_path, [])
    game.read = lambda strokes: prediction(None)  # "not sure" is not the asked digit either
    draw(game, clock)
    clock.wait(HELP_MS, game)
    draw(game, clock)
    assert game.phase is Phase.GOOD_TRY and said[-1] == "game.good_try" and game.stars == 0
    clock.wait(GOOD_TRY_MS, game)
    assert game.phase is Phase.ASKING and game.round == 1 and kept == []


def test_a_child_who_does_not_start_is_shown_how(tmp_path):
    game, clock, said, _ = make_game(tmp_path, [])
    clock.wait(HELP_IF_IDLE_MS - 100, game)
    assert game.phase is Phase.ASKING
    clock.wait(200, game)
    assert game.phase is Phase.HELPING and said[-1] == f"game.help.{game.digit}"


def test_a_tap_is_not_a_try(tmp_path):
    game, clock, said, _ = make_game(tmp_path, [])
    game.read = lambda strokes: prediction(3)
    game.begin_stroke(100, 100)
    game.end_stroke()
    clock.wait(ANSWER_AFTER_MS + 50, game)
    assert game.phase is Phase.ASKING and game.ink.is_empty and len(said) == 1


def test_strokes_outside_a_question_are_not_drawn(tmp_path):
    game, clock, _, _ = make_game(tmp_path, [])
    game.read = lambda strokes: prediction((game.digit + 1) % 10)
    draw(game, clock)
    assert game.phase is Phase.HELPING
    assert game.begin_stroke(10, 10) is False and game.ink.is_empty


def test_the_game_ends_with_stars_then_goes_back_to_drawing(tmp_path):
    game, clock, said, kept = make_game(tmp_path, [])
    for round_ in range(5):
        asked = game.digit
        game.read = lambda strokes, a=asked, r=round_: prediction(a if r != 2 else (a + 1) % 10)
        draw(game, clock)
        if round_ == 2:  # missed twice: a good try
            clock.wait(HELP_MS, game)
            draw(game, clock)
            clock.wait(GOOD_TRY_MS, game)
        else:
            clock.wait(CHEER_MS, game)
    assert game.phase is Phase.ENDED and said[-1] == "game.end.4" and game.stars == 4 and len(kept) == 4
    clock.wait(ENDING_MS, game)
    assert game.phase is Phase.DONE
    log = events(tmp_path)
    assert [e["type"] for e in log].count("round_asked") == 5
    assert [e["type"] for e in log].count("round_won") == 4
    ended = [e for e in log if e["type"] == "game_ended"]
    assert ended == [ended[0]] and ended[0]["won"] == 4 and ended[0]["rounds"] == 5
    assert all("t" in e for e in log)


def test_a_tap_ends_the_ending_only_after_its_first_seconds(tmp_path):
    game, clock, _, _ = make_game(tmp_path, [])
    game.rounds, game.digits = 1, game.digits[:1]
    game.read = lambda strokes: prediction(game.digit)
    draw(game, clock)
    clock.wait(CHEER_MS, game)
    assert game.phase is Phase.ENDED
    game.begin_stroke(10, 10)
    assert game.phase is Phase.ENDED
    clock.wait(2500, game)
    game.begin_stroke(10, 10)
    assert game.phase is Phase.DONE


def test_every_line_the_game_can_say_is_a_cached_phrase(tmp_path):
    from kiosk.language.phrases import SPOKEN_IDS
    from kiosk.session.game import ROUNDS

    game, _, _, _ = make_game(tmp_path, [])
    lines = {f"game.ask.{d}" for d in range(10)} | {f"game.help.{d}" for d in range(10)}
    lines |= {f"game.end.{n}" for n in range(game.rounds + 1)} | {"game.won", "game.your_turn", "game.good_try"}
    assert game.rounds == ROUNDS and lines <= set(SPOKEN_IDS)
