"""The hand's walk along a digit's strokes: stroke after stroke, by length."""

import pytest

from kiosk.ui.attract import GHOST_DIGITS, ghost_strokes
from kiosk.ui.hand_drawing import drawn_so_far, segment_lengths

TWO_STROKES = [[(0.0, 0.0), (1.0, 0.0)], [(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)]]  # lengths 1 and 2


def test_nothing_is_drawn_before_the_hand_starts_and_everything_at_the_end():
    assert drawn_so_far(TWO_STROKES, 0.0) == []
    assert drawn_so_far(TWO_STROKES, 1.0) == TWO_STROKES, "whole"


def test_the_hand_finishes_one_stroke_before_it_begins_the_next():
    first_half = drawn_so_far(TWO_STROKES, 1 / 6)  # half of the first stroke's length 1 of 3
    assert first_half == [[(0.0, 0.0), (0.5, 0.0)]]
    drawn = drawn_so_far(TWO_STROKES, 2 / 3)  # the first stroke and half the second
    assert drawn[0] == TWO_STROKES[0]
    assert drawn[1][0] == (0.0, 1.0) and drawn[1][-1] == pytest.approx((0.0, 2.0))


def test_kept_lengths_give_the_same_walk():
    lengths = segment_lengths(TWO_STROKES)
    assert lengths == [[1.0], [1.0, 1.0]]
    assert drawn_so_far(TWO_STROKES, 0.4, lengths) == drawn_so_far(TWO_STROKES, 0.4)


def test_the_attract_loop_draws_its_digit_along_the_same_walk():
    digit, drawn = ghost_strokes(1.05)  # half-way through the first digit's drawing time (0.7 of 3 s)
    expected = drawn_so_far(GHOST_DIGITS[digit], 0.5)
    assert len(drawn) == len(expected) == 1 and len(drawn[0]) == len(expected[0])
    flat = [[c for point in stroke for c in point] for stroke in (drawn[0], expected[0])]
    assert flat[0] == pytest.approx(flat[1])
    assert len(expected[0]) < len(GHOST_DIGITS[digit][0]), "half-way, the hand is still drawing"
    whole = [[c for point in stroke for c in point] for stroke in (ghost_strokes(2.5)[1][0], GHOST_DIGITS[digit][0])]
    assert whole[0] == pytest.approx(whole[1]), "finished, the digit rests whole"
