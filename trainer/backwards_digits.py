"""Backwards digits: how often the kiosk names a mirrored digit, calls an ordinary digit or a letter backwards.

Every drawing of the dev writers the shipped models never trained on is read as drawn and mirrored, as the
kiosk reads a child's (`recognize_all`, then `kiosk.recognition.backwards`). A mirrored digit is a real
digit turned left-right, the way a young child writes it. The rule's thresholds are fitted on the writers of
some sites (--fit-sites) and the figures reported on the others, so no figure comes from the writers it was
fitted on. The whole answer's latency (both views, every model, the gate) is timed on one core.

    digit-kiosk-trainer backwards-digits [--fit-sites ced] [--limit N] [--json FILE]
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.backwards import BACKWARDS_DIGITS, RULES, BackwardsRule, mirror_score, mirrored
from trainer import drawings
from trainer.unseen_writers import site_of, trained_writers

LETTERS_BUDGET = 0.0015  # of the letters, called backwards as one digit: seven digits stay near 1% together
ORDINARY_BUDGET = 0.001  # of the ordinary digits, called backwards as one digit
SCORES = np.arange(0.0, 27.0, 1.0)  # the thresholds tried (the score's logits are clipped at +-13.8)
STROKES = (1, 2, 3)


@dataclass(frozen=True)
class Views:
    """Each drawing's answers as drawn and mirrored (the active model's), its stroke count and site."""

    drawn: list
    mirror: list
    strokes: np.ndarray
    sites: np.ndarray
    labels: np.ndarray


def read_both_ways(recognizers, drawn: drawings.Drawings, seed: int) -> Views:
    """Every drawing placed on the canvas and read as drawn and mirrored (None where it is too small)."""
    from kiosk.recognition.recognizer import recognize_all

    rng = np.random.default_rng(seed)
    normal, mirror = [], []
    for strokes in drawn.strokes:
        placed = [s.tolist() for s in drawings.on_canvas(strokes, rng)]
        try:
            normal.append(recognize_all(recognizers, placed)[0])
            mirror.append(recognize_all(recognizers, mirrored(placed))[0])
        except EmptyDrawing:
            normal.append(None)
            mirror.append(None)
    counts = np.array([len(s) for s in drawn.strokes])
    return Views(normal, mirror, counts, site_of(drawn.writers), drawn.labels)


def called(drawn: list, mirror: list, strokes: np.ndarray, rules: dict[int, BackwardsRule]) -> np.ndarray:
    """The backwards digit each drawing is called (-1: not backwards), by the kiosk's own rule."""
    from kiosk.recognition.backwards import backwards_digit

    return np.array([-1 if a is None else (backwards_digit(a, m, int(n), rules) or -1)
                     for a, m, n in zip(drawn, mirror, strokes)])


def _scores(drawn: list, mirror: list) -> tuple[np.ndarray, np.ndarray]:
    digit = np.array([-1 if m is None or m.digit is None else m.digit for m in mirror])
    score = np.array([-np.inf if a is None else mirror_score(a, m) for a, m in zip(drawn, mirror)])
    return digit, score


def fit_rules(digits: Views, letters: Views, keep: np.ndarray, keep_letters: np.ndarray) -> dict[int, BackwardsRule]:
    """Per digit, the threshold and stroke count naming the most backwards digits within the budgets."""
    ordinary_d, ordinary_s = _scores(digits.drawn, digits.mirror)
    back_d, back_s = _scores(digits.mirror, digits.drawn)  # a mirrored digit: its mirror is the digit as written
    letter_d, letter_s = _scores(letters.drawn, letters.mirror)
    rules = {}
    for digit in BACKWARDS_DIGITS:
        mine = keep & (digits.labels == digit)
        best = (-1.0, BackwardsRule(float(SCORES[-1]), 1))
        for most in STROKES:
            for low in SCORES:
                named = ((back_d == digit) & (back_s >= low) & (digits.strokes <= most))[mine].mean()
                ordinary = ((ordinary_d == digit) & (ordinary_s >= low) & (digits.strokes <= most))[keep].mean()
                letter = ((letter_d == digit) & (letter_s >= low) & (letters.strokes <= most))[keep_letters].mean()
                if letter <= LETTERS_BUDGET and ordinary <= ORDINARY_BUDGET and named > best[0]:
                    best = (named, BackwardsRule(float(low), most))
        rules[digit] = best[1]
    return rules


def figures(digits: Views, letters: Views, rules, keep: np.ndarray, keep_letters: np.ndarray) -> dict:
    """Backwards digits named, ordinary digits and letters called backwards, and the ordinary answers."""
    back = keep & np.isin(digits.labels, BACKWARDS_DIGITS)
    as_back = called(digits.mirror, digits.drawn, digits.strokes, rules)  # mirrored digits, read as drawn
    as_ordinary = called(digits.drawn, digits.mirror, digits.strokes, rules)
    answer = np.array([-1 if a is None or a.digit is None else a.digit for a in digits.drawn])
    letter_calls = called(letters.drawn, letters.mirror, letters.strokes, rules)[keep_letters]
    letter_answer = np.array([a is not None and a.digit is not None for a in letters.drawn])[keep_letters]
    per_digit = {int(d): float((as_back == d)[back & (digits.labels == d)].mean()) for d in BACKWARDS_DIGITS}
    return {
        "backwards_digits": int(back.sum()),
        "named_backwards": float((as_back == digits.labels)[back].mean()),
        "per_digit": per_digit,
        "ordinary_digits": int(keep.sum()),
        "ordinary_called_backwards": float((as_ordinary >= 0)[keep].mean()),
        "ordinary_right_before": float((answer == digits.labels)[keep].mean()),
        "ordinary_right_after": float(((answer == digits.labels) & (as_ordinary < 0))[keep].mean()),
        "letters": int(keep_letters.sum()),
        "letters_called_backwards": float((letter_calls >= 0).mean()),
        "letters_answered_before": float(letter_answer.mean()),
        "letters_answered_after": float((letter_answer | (letter_calls >= 0)).mean()),
    }


def answer_latency_ms(recognizers, strokes: list, repeats: int = 2) -> tuple[float, float]:
    """p50 and p99 of the whole answer (both views, every model, the gate, the rule) on one core."""
    from kiosk.recognition.backwards import with_backwards
    from kiosk.recognition.recognizer import recognize_all

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng, times = np.random.default_rng(2), []
    placed = [[s.tolist() for s in drawings.on_canvas(d, rng)] for d in strokes]
    for _ in range(repeats):
        for drawing in placed:
            started = time.perf_counter()
            try:
                with_backwards(recognizers, drawing, recognize_all(recognizers, drawing))
            except EmptyDrawing:
                continue
            times.append((time.perf_counter() - started) * 1000)
    p50, p99 = np.percentile(times, [50, 99])
    return float(p50), float(p99)


def report(fit_sites: tuple[str, ...] = ("ced",), limit: int | None = None, refit: bool = False) -> dict:
    """Print and return the figures on the sites not fitted on; refit: use the rules fitted here, not RULES."""
    from kiosk.config import KioskConfig
    from kiosk.recognition.model_files import load_recognizers

    config = KioskConfig.load(None)
    seen = list(trained_writers(config.model_dir_path))
    digits, letters = drawings.load_digits(), drawings.load_letters()
    digits = digits.subset(~np.isin(digits.writers, seen))
    letters = letters.subset(~np.isin(letters.writers, seen) & np.isin(letters.characters(),
                                                                       list(drawings.NOT_DIGIT_LIKE)))
    if limit is not None:
        digits, letters = (d.subset(np.arange(len(d)) % max(1, len(d) // limit) == 0) for d in (digits, letters))
    recognizers = load_recognizers(config)
    d, x = read_both_ways(recognizers, digits, seed=0), read_both_ways(recognizers, letters, seed=1)
    fit_d, fit_x = np.isin(d.sites, fit_sites), np.isin(x.sites, fit_sites)
    fitted = fit_rules(d, x, fit_d, fit_x)
    print(f"fitted on {', '.join(fit_sites)} ({fit_d.sum()} digits, {fit_x.sum()} letters): "
          + ", ".join(f"{k}: score >= {r.min_score:g}, <= {r.max_strokes} strokes" for k, r in fitted.items()))
    rules = fitted if refit else RULES
    result = figures(d, x, rules, ~fit_d, ~fit_x)
    writers = len(set(digits.writers[~fit_d]))
    print(f"on sites {', '.join(sorted(set(d.sites[~fit_d])))} ({writers} writers), "
          f"{'the refitted' if refit else 'the kiosk'}'s rule: " + summary(result))
    result["p50_ms"], result["p99_ms"] = answer_latency_ms(recognizers, digits.strokes[:400])
    print(f"whole answer, both views, one core: p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms")
    result["fitted_rules"] = {k: [r.min_score, r.max_strokes] for k, r in fitted.items()}
    return result


def summary(result: dict) -> str:
    """The figures in one paragraph."""
    per_digit = ", ".join(f"{k}: {100 * v:.0f}%" for k, v in result["per_digit"].items())
    return (f"{100 * result['named_backwards']:.1f}% of {result['backwards_digits']} backwards digits named "
            f"({per_digit}); {100 * result['ordinary_called_backwards']:.2f}% of {result['ordinary_digits']} "
            f"ordinary digits called backwards (right {100 * result['ordinary_right_before']:.2f}% -> "
            f"{100 * result['ordinary_right_after']:.2f}%); letters answered with a digit "
            f"{100 * result['letters_answered_before']:.1f}% -> {100 * result['letters_answered_after']:.1f}% "
            f"of {result['letters']}")
