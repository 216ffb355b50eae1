"""The hand drawing a digit stroke by stroke: which part of its strokes is on the canvas at a moment.

One walk for every hand that shows how a digit is drawn: the attract loop's, the game's "Fives look like
this" and the backwards-digit lesson's "Threes go like this". Plain arithmetic on points, no pygame.
"""

from __future__ import annotations

import math

Stroke = list[tuple[float, float]]


def segment_lengths(strokes: list[Stroke]) -> list[list[float]]:
    """Each stroke's segment lengths, to work out once for strokes the hand draws again and again."""
    return [[math.dist(a, b) for a, b in zip(stroke, stroke[1:])] for stroke in strokes]


def drawn_so_far(strokes: list[Stroke], progress: float, lengths: list[list[float]] | None = None) -> list[Stroke]:
    """The first `progress` (0..1) of strokes by length, one stroke after another, as a hand draws them.

    The strokes begun so far, the last cut where the pen is now (its tip is drawn[-1][-1]); strokes not yet
    begun are left out. Points in whatever units the strokes are in (unit square or canvas pixels).
    lengths: segment_lengths(strokes), when the caller keeps them.
    """
    lengths = segment_lengths(strokes) if lengths is None else lengths
    budget = progress * sum(sum(segments) for segments in lengths)
    drawn = []
    for stroke, segments in zip(strokes, lengths):
        if budget <= 0:
            break
        partial = [stroke[0]]
        for (a, b), length in zip(zip(stroke, stroke[1:]), segments):
            if budget <= 0:
                break
            t = min(1.0, budget / length) if length else 1.0
            partial.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
            budget -= length
        drawn.append(partial)
    return drawn
