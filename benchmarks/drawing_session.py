"""How the kiosk waits for a whole digit: real drawn digits replayed through the headless kiosk, with a
child's pauses between strokes, and one child after another with no Clear pressed.

For each answer delay it reports how often a multi-stroke digit got its answer before its last stroke,
how long a finished digit waited for its answer (and for the quiet guess), and how often the answer
was right (a drawing merged with the one before would be wrong).

Usage: python -m benchmarks drawing-session [--digits 200] [--delays 700,1600] [--seed 0] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from kiosk.replay import ReplayEvent
from benchmarks.headless_replay import add_arguments, answers_to, draw, load_drawn, play
from benchmarks.report import emit

CANVAS_PX = 450  # drawn_digits puts a 300 px digit 75 px in from the corner
NEXT_CHILD_S = 4.0  # after the last stroke, the next digit starts (nobody presses Clear)


def build_replay(samples, rng) -> tuple[list[ReplayEvent], list[dict]]:
    events, digits, t = [], [], 0.5
    for strokes, label in samples:
        start, last_up = draw([np.asarray(stroke) / CANVAS_PX for stroke in strokes], t, rng, events)
        digits.append({"label": int(label), "start": start, "last_up": last_up, "strokes": len(strokes)})
        t = last_up + NEXT_CHILD_S
    return events, digits


def run(delay_ms: int, events: list[ReplayEvent], digits: list[dict]) -> dict:
    logged = play(events, auto_recognize_delay_ms=delay_ms)
    answers = [e for e in logged if e.get("type") == "recognized"]
    guesses = [e for e in logged if e.get("type") == "guess"]
    early, waits, guess_waits, right, multi = 0, [], [], 0, 0
    for index, digit in enumerate(digits):
        end, before_last_stroke, final = answers_to(answers, digits, index)
        if digit["strokes"] > 1:
            multi += 1
            early += before_last_stroke
        if final:
            waits.append(final[0]["t"] - digit["last_up"])
            right += final[0]["digit"] == digit["label"]
        quiet = [g for g in guesses if digit["last_up"] <= g["t"] < end]
        if quiet:
            guess_waits.append(quiet[0]["t"] - digit["last_up"])
    return {
        "answer_delay_ms": delay_ms,
        "digits": len(digits),
        "multi_stroke": multi,
        "multi_stroke_answered_early": early,
        "answered": len(waits),
        "wait_s_median": round(float(np.median(waits)), 2) if waits else None,
        "wait_s_p90": round(float(np.percentile(waits, 90)), 2) if waits else None,
        "quiet_guess_s_median": round(float(np.median(guess_waits)), 2) if guess_waits else None,
        "right": right,
    }


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--digits", type=int, default=200)
    parser.add_argument("--delays", default="700,1600", help="answer delays to compare, in ms")
    add_arguments(parser)
    args = parser.parse_args(argv)
    drawn = load_drawn(args)
    rng = np.random.default_rng(args.seed)
    multi = [i for i in range(len(drawn)) if len(drawn.strokes[i]) > 1]
    single = [i for i in range(len(drawn)) if len(drawn.strokes[i]) == 1]
    # Half multi-stroke digits (where waiting matters), half single-stroke ones.
    chosen = list(rng.choice(multi, args.digits // 2, replace=False)) + list(
        rng.choice(single, args.digits - args.digits // 2, replace=False)
    )
    rng.shuffle(chosen)
    events, digits = build_replay([(drawn.strokes[i], drawn.labels[i]) for i in chosen], rng)
    results = []
    for delay in (int(d) for d in args.delays.split(",")):
        result = run(delay, events, digits)
        results.append(result)
        print(
            f"answer after {delay} ms: {result['multi_stroke_answered_early']} of {result['multi_stroke']} "
            "multi-stroke digits "
            f"answered before their last stroke; a finished digit waited {result['wait_s_median']} s (median, "
            f"p90 {result['wait_s_p90']} s) for its answer, {result['quiet_guess_s_median']} s for the quiet guess; "
            f"{result['right']} of {result['answered']} answers right",
            file=sys.stderr,
        )
    return emit({"seed": args.seed, "results": results}, args.out)


if __name__ == "__main__":
    sys.exit(main())
