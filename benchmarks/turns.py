"""Turns: after an answer, is the child's next digit answered as itself? Pairs of real drawn digits (A, then a
different digit B) replayed through the headless kiosk, nobody pressing Clear or Go: B starts a set time after
A's answer, anywhere on the canvas, at 35-80% of its size; the strokes of one digit follow each other after
0.2-1.5 s pauses, as a thinking child's do.

For each gap it reports how often B's final answer was B (a stroke merged into A would be answered as A plus
B), how often a multi-stroke digit was answered before its last stroke, and the gaps the kiosk really saw
(answers come on a frame, so the scripted gap is met to within a frame).

It also reports the rule's cost: multi-stroke digits whose last stroke comes --late s after the answer to
the strokes before it (a child who thought longer than the answer's wait), answered whole or not.

Usage: python -m benchmarks turns [--pairs 60] [--gaps 0.6,1.0,3.0] [--late 0.2,0.6] [--seed 0]
                                  [--drawn-dir DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from kiosk.config import KioskConfig
from kiosk.replay import ReplayEvent
from benchmarks.headless_replay import add_arguments, answers_to, draw, load_drawn, play
from benchmarks.report import emit

ANSWER_DELAY_MS = KioskConfig().auto_recognize_delay_ms  # the kiosk's own wait, so A's answer time is known
SIZE = (0.35, 0.8)  # a digit's longest side, as a share of the canvas side (trainer.drawings.on_canvas's range)
AFTER_PAIR_S = 4.0  # after B's answer the next pair starts (a new digit under any rule)


def unit_strokes(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """A drawn digit (canvas pixels) back to its own box: the longest side runs 0..1."""
    points = np.concatenate(strokes)
    low, side = points.min(axis=0), max(float(np.ptp(points, axis=0).max()), 1.0)
    return [(s - low) / side for s in strokes]


def anywhere(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """The digit at a random size and place on the canvas, in canvas fractions (what a replay takes)."""
    size = rng.uniform(*SIZE)
    offset = rng.uniform(0, 1 - size, 2)
    return [s * size + offset for s in unit_strokes(strokes)]


def build_replay(pairs, gap_s: float, seed: int) -> tuple[list[ReplayEvent], list[dict]]:
    """A after A, B gap_s after A's answer; the same pairs, places and pauses for every gap."""
    rng = np.random.default_rng(seed)
    events, digits, t = [], [], 0.5
    for a, b in pairs:
        for (strokes, label), role in ((a, "A"), (b, "B")):
            start, last_up = draw(anywhere(strokes, rng), t, rng, events)
            digits.append(
                {"role": role, "label": int(label), "start": start, "last_up": last_up, "strokes": len(strokes)}
            )
            t = last_up + ANSWER_DELAY_MS / 1000 + (gap_s if role == "A" else AFTER_PAIR_S)
    return events, digits


def build_late_replay(samples, late_s: float, seed: int) -> tuple[list[ReplayEvent], list[dict]]:
    """Multi-stroke digits whose last stroke comes late_s after the answer to the strokes before it: the
    cost of the rule (a child who thinks longer than the answer's wait gets two answers)."""
    rng = np.random.default_rng(seed)
    events, digits, t = [], [], 0.5
    for strokes, label in samples:
        placed = anywhere(strokes, rng)
        start, first_up = draw(placed[:-1], t, rng, events)
        _, last_up = draw(placed[-1:], first_up + ANSWER_DELAY_MS / 1000 + late_s, rng, events)
        digits.append({"role": "late", "label": int(label), "start": start, "last_up": last_up})
        t = last_up + ANSWER_DELAY_MS / 1000 + AFTER_PAIR_S
    return events, digits


def score_late(logged: list[dict], digits: list[dict], late_s: float) -> dict:
    answers = [e for e in logged if e.get("type") == "recognized"]
    right = 0
    for index, digit in enumerate(digits):
        final = answers_to(answers, digits, index)[2]
        right += bool(final) and final[-1]["digit"] == digit["label"]
    return {
        "late_s": late_s,
        "digits": len(digits),
        "answered_whole": right,
        "answered_whole_pct": round(100 * right / max(len(digits), 1), 1),
    }


def score(logged: list[dict], digits: list[dict], gap_s: float) -> dict:
    answers = [e for e in logged if e.get("type") == "recognized"]
    right, early, multi, gaps, unanswered_a = 0, 0, 0, [], 0
    for index, digit in enumerate(digits):
        end, before_last_stroke, final = answers_to(answers, digits, index)
        if digit["strokes"] > 1:
            multi += 1
            early += before_last_stroke
        if digit["role"] == "A":
            if final:
                gaps.append(end - final[0]["t"])  # B's first touch after A's answer
            else:
                unanswered_a += 1
        else:
            right += bool(final) and final[-1]["digit"] == digit["label"]
    pairs = len(digits) // 2
    return {
        "gap_s": gap_s,
        "pairs": pairs,
        "b_answered_as_itself": right,
        "b_answered_as_itself_pct": round(100 * right / pairs, 1),
        "multi_stroke": multi,
        "multi_stroke_answered_early": early,
        "multi_stroke_answered_early_pct": round(100 * early / max(multi, 1), 1),
        "a_unanswered": unanswered_a,
        "gap_seen_s_min": round(min(gaps), 3) if gaps else None,
        "gap_seen_s_max": round(max(gaps), 3) if gaps else None,
    }


def choose_pairs(drawn, count: int, rng: np.random.Generator) -> list:
    """count pairs of two different digits, half of them multi-stroke (where a pause can split a digit)."""
    multi = [i for i in range(len(drawn.labels)) if len(drawn.strokes[i]) > 1]
    order = list(rng.permutation(len(drawn.labels)))
    pairs = []
    for k in range(count):
        a = int(rng.choice(multi)) if k % 2 == 0 else order.pop()
        b = next(i for i in order if drawn.labels[i] != drawn.labels[a])
        order.remove(b)
        pairs.append(((drawn.strokes[a], drawn.labels[a]), (drawn.strokes[b], drawn.labels[b])))
    return pairs


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=60)
    parser.add_argument("--gaps", default="0.6,1.0,3.0", help="seconds from A's answer to B's first touch")
    parser.add_argument("--late", default="0.2,0.6", help="a last stroke this long after the answer, in s")
    add_arguments(parser)
    args = parser.parse_args(argv)
    drawn = load_drawn(args)
    pairs = choose_pairs(drawn, args.pairs, np.random.default_rng(args.seed))
    results = []
    for gap in (float(g) for g in args.gaps.split(",")):
        events, digits = build_replay(pairs, gap, args.seed)
        result = score(play(events), digits, gap)
        results.append(result)
        print(
            f"B {gap} s after A's answer (seen {result['gap_seen_s_min']}-{result['gap_seen_s_max']} s): "
            f"answered as itself in {result['b_answered_as_itself']} of {result['pairs']} pairs; "
            f"{result['multi_stroke_answered_early']} of {result['multi_stroke']} multi-stroke digits answered "
            "before their last stroke",
            file=sys.stderr,
        )
    multi = [a for a, _ in pairs if len(a[0]) > 1]
    late = []
    for late_s in (float(g) for g in args.late.split(",") if g):
        events, digits = build_late_replay(multi, late_s, args.seed)
        late.append(score_late(play(events), digits, late_s))
        print(
            f"a last stroke {late_s} s after the answer: the whole digit answered in "
            f"{late[-1]['answered_whole']} of {late[-1]['digits']}",
            file=sys.stderr,
        )
    return emit(
        {"seed": args.seed, "answer_delay_ms": ANSWER_DELAY_MS, "results": results, "late_last_stroke": late}, args.out
    )


if __name__ == "__main__":
    sys.exit(main())
