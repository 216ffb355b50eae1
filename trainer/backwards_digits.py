"""Backwards digits: how often the kiosk names a mirrored digit, calls an ordinary digit or a letter backwards.

Every drawing of the dev writers the shipped models never trained on is read as drawn and mirrored, as the
kiosk reads a child's (`recognize_all`, then `kiosk.recognition.backwards`: the answer's own picture and stroke
channels turned left-right). A backwards digit is a real digit's strokes turned left-right, the way a young child
writes it, read as a drawing. The rule's thresholds are fitted on the writers of some sites (--fit-sites) and
the figures reported on the others, so no figure comes from the writers it was fitted on. The whole answer's
latency (both views, every model, the gate) is timed on one core.

    digit-kiosk-trainer backwards-digits [--fit-sites ced] [--refit] [--gate-dir DIR | --without-gate] [--limit N]
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.backwards import (
    BACKWARDS_DIGITS, BackwardsReader, BackwardsRule, backwards_digit, mirror_read, mirror_score, mirrored,
)
from trainer import drawings
from trainer.unseen_writers import site_of, trained_writers, without_strokes_seen

LETTERS_BUDGET = 0.0015  # of the letters, called backwards as one digit: seven digits stay near 1% together
ORDINARY_BUDGET = 0.0  # of the ordinary digits, called backwards as one digit: none (their answers stay as they were)
STROKES = (1, 2, 3)
SCORES = (-math.inf, 0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0)  # the digit model's score (clipped at about +-27.6)
MIRROR_BELOW = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)  # the gate's "not right way round" on the mirror, under
DRAWN_ABOVE = (0.75, 0.8, 0.9, 0.95, 0.98)  # ... and on the drawing as drawn, over (0.7: 1.25% read twice)


@dataclass(frozen=True)
class Views:
    """Each drawing read as drawn and mirrored (the active model's answers; None where too small), the
    right-way-round gate's "not right way round" on each view (NaN without a gate), strokes, sites, labels;
    backwards: the same drawings turned left-right and read the same way (what a child who writes them
    backwards draws), when asked for."""

    drawn: list
    mirror: list
    upright_drawn: np.ndarray
    upright_mirror: np.ndarray
    strokes: np.ndarray
    sites: np.ndarray
    labels: np.ndarray
    backwards: "Views | None" = None

    def turned(self) -> "Views":
        """The same drawings written backwards."""
        if self.backwards is None:
            raise ValueError("these drawings were not read written backwards (read_both_ways(..., turned=True))")
        return self.backwards


def read_both_ways(recognizers, reader: BackwardsReader, drawn: drawings.Drawings, seed: int,
                   turned: bool = False) -> Views:
    """Every drawing placed on the canvas and read as drawn and mirrored, as the kiosk reads it (recognize_all,
    then the mirrored view of that answer: backwards.mirror_read); turned: also each drawing written backwards."""
    rng = np.random.default_rng(seed)
    placed = [[s.tolist() for s in drawings.on_canvas(strokes, rng)] for strokes in drawn.strokes]
    counts, sites = np.array([len(s) for s in drawn.strokes]), site_of(drawn.writers)
    backwards = None
    if turned:
        backwards = Views(*_read_views(recognizers, reader, [mirrored(p) for p in placed]), counts, sites,
                          drawn.labels)
    return Views(*_read_views(recognizers, reader, placed), counts, sites, drawn.labels, backwards)


def _read_views(recognizers, reader: BackwardsReader, placed: list) -> tuple:
    """(answers as drawn, answers of their mirrored views, the gate on each view) for drawings on the canvas."""
    from kiosk.recognition.recognizer import recognize_all

    normal, mirror, upright = [], [], []
    for strokes in placed:
        try:
            a = recognize_all(recognizers, strokes)[0]
            m = mirror_read(recognizers[0], a)
        except EmptyDrawing:
            a = m = None
        normal.append(a)
        mirror.append(m)
        views = None if a is None or reader.gate is None else (reader.upright(a.image), reader.upright(m.image))
        upright.append((np.nan, np.nan) if views is None or None in views else views)
    upright = np.array(upright, dtype=float).reshape(-1, 2)
    return normal, mirror, upright[:, 0], upright[:, 1]


def called(views: Views, rules: dict[int, BackwardsRule]) -> np.ndarray:
    """The backwards digit each drawing is called (-1: not backwards), by the kiosk's own rule."""
    out = np.full(len(views.labels), -1)
    for i, (a, m) in enumerate(zip(views.drawn, views.mirror)):
        upright = (views.upright_drawn[i], views.upright_mirror[i])
        found = None if a is None else backwards_digit(a, m, int(views.strokes[i]), rules,
                                                       None if np.isnan(upright[0]) else upright)
        out[i] = -1 if found is None else found
    return out


def _features(views: Views) -> tuple[np.ndarray, ...]:
    digit = np.array([-1 if m is None or m.digit is None else m.digit for m in views.mirror])
    score = np.array([-np.inf if a is None else mirror_score(a, m) for a, m in zip(views.drawn, views.mirror)])
    return digit, score, views.upright_drawn, views.upright_mirror, views.strokes


def _calls(features, digit: int, rule: BackwardsRule) -> np.ndarray:
    mirror_digit, score, drawn_up, mirror_up, strokes = features
    gate = np.isnan(drawn_up) | ((drawn_up > rule.drawn_above) & (mirror_up < rule.mirror_below))
    return (mirror_digit == digit) & (score >= rule.min_score) & (strokes <= rule.max_strokes) & gate


def candidate_rules(gate: bool) -> list[BackwardsRule]:
    if not gate:
        return [BackwardsRule(n, low) for n in STROKES for low in SCORES]
    return [BackwardsRule(n, low, below, above) for n in STROKES for low in SCORES for below in MIRROR_BELOW
            for above in DRAWN_ABOVE]


def fit_rules(digits: Views, letters: Views, keep: np.ndarray, keep_letters: np.ndarray,
              gate: bool) -> dict[int, BackwardsRule]:
    """Per digit, the rule naming the most backwards digits within the budgets (ties: the strictest)."""
    ordinary, back, letter = _features(digits), _features(digits.turned()), _features(letters)
    rules = {}
    for digit in BACKWARDS_DIGITS:
        mine = keep & (digits.labels == digit)
        best = (-1.0, BackwardsRule(1, math.inf))
        for rule in candidate_rules(gate):
            named = _calls(back, digit, rule)[mine].mean()
            if (named > best[0] and _calls(letter, digit, rule)[keep_letters].mean() <= LETTERS_BUDGET
                    and _calls(ordinary, digit, rule)[keep].mean() <= ORDINARY_BUDGET):
                best = (named, rule)
        rules[digit] = best[1]
    return rules


def figures(digits: Views, letters: Views, rules, keep: np.ndarray, keep_letters: np.ndarray) -> dict:
    """Backwards digits named, ordinary digits and letters called backwards, and the ordinary answers."""
    back = keep & np.isin(digits.labels, BACKWARDS_DIGITS)
    as_back, as_ordinary = called(digits.turned(), rules), called(digits, rules)
    answer = np.array([-1 if a is None or a.digit is None else a.digit for a in digits.drawn])
    letter_calls = called(letters, rules)[keep_letters]
    letter_answer = np.array([a is not None and a.digit is not None for a in letters.drawn])[keep_letters]
    per_digit = {int(d): float((as_back == d)[back & (digits.labels == d)].mean()) for d in BACKWARDS_DIGITS}
    doubted = digits.upright_drawn > min(rule.drawn_above for rule in rules.values())  # read mirrored too
    return {
        "backwards_digits": int(back.sum()),
        "named_backwards": float((as_back == digits.labels)[back].mean()),
        "per_digit": per_digit,
        "ordinary_digits": int(keep.sum()),
        "ordinary_called_backwards": float((as_ordinary >= 0)[keep].mean()),
        "ordinary_read_mirrored": float(doubted[keep].mean()),
        "ordinary_right_before": float((answer == digits.labels)[keep].mean()),
        "ordinary_right_after": float(((answer == digits.labels) & (as_ordinary < 0))[keep].mean()),
        "letters": int(keep_letters.sum()),
        "letters_called_backwards": float((letter_calls >= 0).mean()),
        "letters_answered_before": float(letter_answer.mean()),
        "letters_answered_after": float((letter_answer | (letter_calls >= 0)).mean()),
    }


def answer_latency_ms(recognizers, reader: BackwardsReader, strokes: list, repeats: int = 2) -> tuple[float, float]:
    """p50 and p99 of the whole answer (every model, the gates, the mirrored view when the right-way-round gate
    doubts the drawing, the rule) on one core, in CPU ms."""
    from kiosk.recognition.recognizer import recognize_all

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng, times = np.random.default_rng(2), []
    placed = [[s.tolist() for s in drawings.on_canvas(d, rng)] for d in strokes]
    for _ in range(repeats):
        for drawing in placed:
            started = time.process_time()  # CPU time: on a shared machine the wall clock also counts the others
            try:
                reader.read(recognizers, drawing, recognize_all(recognizers, drawing))
            except EmptyDrawing:
                continue
            times.append((time.process_time() - started) * 1000)
    p50, p99 = np.percentile(times, [50, 99])
    return float(p50), float(p99)


def report(fit_sites: tuple[str, ...] = ("ced",), limit: int | None = None, refit: bool = False,
           gate_dir: Path | None = None, use_gate: bool = True, with_strokes: bool = False) -> dict:
    """Print and return the figures on the sites not fitted on; refit: use the rules fitted here, not the kiosk's.

    gate_dir: where right_way_round.onnx is (default: the kiosk's model folder); use_gate=False: without it.
    with_strokes: keep the stroke model, which learned from every dev writer (a look, not a measurement)."""
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
    # The stroke model learned from every dev writer: measured here without it, as unseen-writers does.
    recognizers = load_recognizers(config)
    if not with_strokes:
        recognizers = without_strokes_seen(recognizers, set(digits.writers) | set(letters.writers))
    reader = BackwardsReader.load(gate_dir or config.model_dir_path) if use_gate else BackwardsReader()
    d = read_both_ways(recognizers, reader, digits, seed=0, turned=True)
    x = read_both_ways(recognizers, reader, letters, seed=1)
    fit_d, fit_x = np.isin(d.sites, fit_sites), np.isin(x.sites, fit_sites)
    fitted = fit_rules(d, x, fit_d, fit_x, reader.gate is not None)
    print(f"fitted on {', '.join(fit_sites)} ({fit_d.sum()} digits, {fit_x.sum()} letters), "
          f"{'with' if reader.gate is not None else 'without'} the right-way-round gate: "
          + "; ".join(f"{k}: {r}" for k, r in fitted.items()))
    result = figures(d, x, fitted if refit else reader.rules, ~fit_d, ~fit_x)
    writers = len(set(digits.writers[~fit_d]))
    print(f"on sites {', '.join(sorted(set(d.sites[~fit_d])))} ({writers} writers), "
          f"{'the refitted' if refit else 'the kiosk'}'s rule: " + summary(result))
    result["p50_ms"], result["p99_ms"] = answer_latency_ms(recognizers, reader, digits.strokes[:400])
    print(f"the whole answer with the backwards check, one core (CPU time): p50 {result['p50_ms']:.2f} ms, "
          f"p99 {result['p99_ms']:.2f} ms")
    result["fitted_rules"] = {k: vars(r) for k, r in fitted.items()}
    return result


def summary(result: dict) -> str:
    """The figures in one paragraph."""
    per_digit = ", ".join(f"{k}: {100 * v:.0f}%" for k, v in result["per_digit"].items())
    return (f"{100 * result['named_backwards']:.1f}% of {result['backwards_digits']} backwards digits named "
            f"({per_digit}); {100 * result['ordinary_called_backwards']:.2f}% of {result['ordinary_digits']} "
            f"ordinary digits called backwards, {100 * result['ordinary_read_mirrored']:.2f}% read mirrored too "
            f"(right {100 * result['ordinary_right_before']:.2f}% -> "
            f"{100 * result['ordinary_right_after']:.2f}%); letters answered with a digit "
            f"{100 * result['letters_answered_before']:.1f}% -> {100 * result['letters_answered_after']:.1f}% "
            f"of {result['letters']}")
