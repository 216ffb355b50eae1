"""The drawing game's decisions, on a fake clock and a fake reader (no SDL, no models)."""

import json
import random

import numpy as np

from kiosk.event_log import EventLog
from kiosk.recognition.recognizer import Prediction
from kiosk.session.game import (
    ANSWER_AFTER_MS,
    CHEER_MS,
    CONFIRM_MS,
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


def prediction(digit, digit_like=True):
    probabilities = tuple(1.0 if d == digit else 0.0 for d in range(10))
    return Prediction(digit, probabilities, np.zeros((28, 28), np.uint8), best=digit or 0, digit_like=digit_like)


def make_game(tmp_path, reads, keeping=True):
    """A game whose reader answers the digits in reads, one per finished drawing; kept lists (label, read)."""
    clock, said, kept = Clock(), [], []
    answers = iter(reads)
    events = EventLog(tmp_path / "events.jsonl", clock=clock)
    game = DrawingGame(
        clock,
        lambda strokes: prediction(next(answers)),
        said.append,
        events,
        canvas_side_px=400,
        keep=(lambda strokes, answer, digit: kept.append((digit, answer.digit)) or True) if keeping else None,
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
    game.confirm(False)  # "Is this your five?" No
    assert game.phase is Phase.HELPING and said[-1] == f"game.help.{asked}"
    assert game.ink.is_empty and kept == []  # a drawing read as another digit is not kept
    clock.wait(HELP_MS + 50, game)
    assert game.phase is Phase.ASKING and game.digit == asked and said[-1] == "game.your_turn"
    game.read = lambda strokes: prediction(asked)
    draw(game, clock)
    assert game.phase is Phase.WON and game.outcomes == ["helped"] and game.stars == 1


def test_a_second_miss_is_a_good_try_and_the_game_goes_on(tmp_path):
    game, clock, said, kept = make_game(tmp_path, [])
    game.read = lambda strokes: prediction(None)  # "not sure" is not the asked digit either
    draw(game, clock)
    game.confirm(False)
    clock.wait(HELP_MS + 50, game)
    draw(game, clock)
    game.confirm(False)
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
    assert game.phase is Phase.CONFIRMING and game.begin_stroke(10, 10) is False
    game.confirm(False)
    assert game.phase is Phase.HELPING
    assert game.begin_stroke(10, 10) is False and game.ink.is_empty


def test_the_game_ends_with_stars_then_goes_back_to_drawing(tmp_path):
    game, clock, said, kept = make_game(tmp_path, [])
    for round_ in range(5):
        asked = game.digit
        game.read = lambda strokes, a=asked, r=round_: prediction(a if r != 2 else (a + 1) % 10)
        draw(game, clock)
        if round_ == 2:  # missed twice, and "No" each time: a good try
            game.confirm(False)
            clock.wait(HELP_MS + 50, game)
            draw(game, clock)
            game.confirm(False)
            clock.wait(GOOD_TRY_MS + 50, game)
        else:
            clock.wait(CHEER_MS, game)
    assert game.phase is Phase.ENDED and said[-2:] == ["game.end.4", "game.play_again"]
    assert game.stars == 4 and len(kept) == 4
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
    lines |= {f"game.confirm.{d}" for d in range(10)} | {"game.confirmed", "game.play_again"}
    assert game.rounds == ROUNDS and lines <= set(SPOKEN_IDS)


def confirming(tmp_path, read=None, digit_like=True, keeping=True):
    """A game whose first drawing was read as another digit (or, with read=None... as read)."""
    game, clock, said, kept = make_game(tmp_path, [], keeping)
    asked = game.digit
    other = (asked + 1) % 10 if read is None else read
    game.read = lambda strokes: prediction(other if read != "unsure" else None, digit_like)
    draw(game, clock)
    return game, clock, said, kept, asked


def logged(tmp_path, kind):
    return [e for e in events(tmp_path) if e["type"] == kind]


def test_a_drawing_read_as_another_digit_asks_is_this_your_digit_aloud(tmp_path):
    game, clock, said, kept, asked = confirming(tmp_path)
    assert game.phase is Phase.CONFIRMING and said[-1] == f"game.confirm.{asked}" == game.line_id
    assert not game.ink.is_empty, "the drawing stays on the canvas while it is asked about"
    assert kept == [] and logged(tmp_path, "round_missed")[0]["read"] == (asked + 1) % 10


def test_yes_keeps_the_drawing_labelled_with_the_asked_digit_and_earns_a_star(tmp_path):
    game, clock, said, kept, asked = confirming(tmp_path)
    strokes = game.ink.copy_strokes()
    stored = []
    game.keep = lambda s, answer, digit: stored.append((s, answer.digit, digit)) or True
    game.confirm(True)
    assert stored == [(strokes, (asked + 1) % 10, asked)], "the strokes, the kiosk's reading, the child's label"
    assert game.phase is Phase.WON and said[-1] == "game.confirmed" and game.outcomes == ["confirmed"]
    assert game.stars == 1
    (event,) = logged(tmp_path, "round_confirmed")
    assert event["confirmed"] is True and event["kept"] is True and event["digit"] == asked and "t" in event
    clock.wait(CHEER_MS + 50, game)
    assert game.phase is Phase.ASKING and game.round == 1


def test_not_sure_is_asked_about_too(tmp_path):
    game, _, said, kept, asked = confirming(tmp_path, read="unsure")
    assert game.phase is Phase.CONFIRMING
    game.confirm(True)
    assert kept == [(asked, None)]


def test_no_keeps_nothing_and_the_hand_shows_how(tmp_path):
    game, clock, said, kept, asked = confirming(tmp_path)
    game.confirm(False)
    assert kept == [] and game.phase is Phase.HELPING and said[-1] == f"game.help.{asked}"
    (event,) = logged(tmp_path, "round_confirmed")
    assert event["confirmed"] is False and event["kept"] is False


def test_no_answer_in_time_keeps_nothing(tmp_path):
    game, clock, said, kept, asked = confirming(tmp_path)
    clock.wait(CONFIRM_MS - 100, game)
    assert game.phase is Phase.CONFIRMING
    clock.wait(200, game)
    assert kept == [] and game.phase is Phase.HELPING
    assert logged(tmp_path, "round_confirmed")[0]["confirmed"] is None
    game.confirm(True)  # a Yes too late answers nothing
    assert kept == [] and game.phase is Phase.HELPING


def test_a_scribble_is_not_asked_about_as_on_the_drawing_screen(tmp_path):
    game, _, said, kept, asked = confirming(tmp_path, read="unsure", digit_like=False)
    assert game.phase is Phase.HELPING and kept == []


def test_without_a_store_nothing_is_asked(tmp_path):
    game, _, said, kept, asked = confirming(tmp_path, keeping=False)
    assert game.phase is Phase.HELPING


def test_a_yes_after_the_help_still_keeps_the_drawing(tmp_path):
    game, clock, said, kept, asked = confirming(tmp_path)
    game.confirm(False)
    clock.wait(HELP_MS + 50, game)
    draw(game, clock)
    assert game.phase is Phase.CONFIRMING
    game.confirm(True)
    assert kept == [(asked, (asked + 1) % 10)] and game.outcomes == ["confirmed"]


def test_the_bin_works_in_every_phase(tmp_path):
    game, clock, said, kept, asked = confirming(tmp_path)
    game.clear()  # while "Is this your five?" is asked: No, and nothing kept
    assert kept == [] and game.phase is Phase.HELPING and game.ink.is_empty
    game.clear()  # while the hand shows how: the child's turn now
    assert game.phase is Phase.ASKING and said[-1] == "game.your_turn"
    game.read = lambda strokes: prediction(asked)
    draw(game, clock)
    assert game.phase is Phase.WON and not game.ink.is_empty
    game.clear()  # while the confetti falls: the canvas is wiped, the round still won
    assert game.phase is Phase.WON and game.ink.is_empty and game.stars == 1


def test_the_loudspeaker_says_the_current_line_in_every_phase(tmp_path):
    game, clock, said, kept, asked = confirming(tmp_path)
    game.say_again()
    assert said[-1] == f"game.confirm.{asked}"
    game.confirm(False)
    game.say_again()
    assert said[-1] == f"game.help.{asked}"
    clock.wait(HELP_MS + 50, game)
    game.read = lambda strokes: prediction(asked)
    draw(game, clock)
    game.say_again()
    assert said[-1] == "game.won"


def test_the_ending_says_play_again_after_its_words_and_play_again_starts_a_new_game(tmp_path):
    game, clock, said, kept = make_game(tmp_path, [])
    game.rounds, game.digits = 1, game.digits[:1]
    game.read = lambda strokes: prediction(game.digit)
    draw(game, clock)
    clock.wait(CHEER_MS, game)
    assert game.phase is Phase.ENDED and said[-2:] == ["game.end.1", "game.play_again"]
    game.say_again()
    assert said[-2:] == ["game.end.1", "game.play_again"]
    game.start()
    assert game.phase is Phase.ASKING and game.outcomes == [] and said[-1] == f"game.ask.{game.digit}"
