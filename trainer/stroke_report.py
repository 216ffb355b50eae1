"""What the kiosk with the stroke model answers on held-out writers, and the fused rule calibrated on them.

Reads stroke_crossval's held-out answers. Only writers none of the models learned from count (the shipped
image CNN and gate name theirs in their metadata). The rule (kiosk/recognition/fusion.py) is chosen by a
grid search: the most right answers with at most MAX_WRONG wrong and MAX_LETTERS of the letters that look
like no digit answered. Its headline figures are cross-fitted by site: each site's drawings are decided by
the rule chosen on the other sites, so the calibration never saw the writers it is measured on.

    digit-kiosk-trainer stroke-crossval --out build/stroke-crossval --report-only
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from kiosk.recognition.fusion import FusionRule, decide, fuse
from kiosk.recognition.recognizer import Uncertainty
from trainer.drawings import NOT_DIGIT_LIKE
from trainer.stroke_crossval import RESULTS
from trainer.unseen_writers import site_of, trained_writers

# New sites are harder than these three: the shipped image CNN's best guess is wrong on 0.83% of these
# writers' digits but on 1.65% of the hidden sites' (issue 24), so the rule is held to half the 0.8% target.
MAX_WRONG = 0.003
MAX_LETTERS = 0.05  # half the 10%, likewise
GRID = {
    "stroke_weight": (0.4, 0.5, 0.6),
    "min_confidence": tuple(round(0.5 + 0.05 * i, 2) for i in range(10)),
    "min_margin": (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8),
    "max_stroke_not_digit": (0.2, 0.35, 0.5, 0.7, 0.9),
    "max_not_digit": (0.5, 0.7, 0.9, 0.95),
}


class Rows:
    """The held-out drawings of one scheme that count: digits and the letters that look like no digit."""

    def __init__(self, r: dict, scheme: str, seen: set[str]):
        shape = Uncertainty()
        self.parts = {}
        for name in ("digits", "letters"):
            keep = ~np.isin(r[f"{name}_writers"], list(seen)) & np.isfinite(r[f"{name}_stroke_{scheme}"]).all(1)
            if name == "letters":
                keep &= np.isin([chr(c) for c in r["letters_labels"]], list(NOT_DIGIT_LIKE))
            like = (r[f"{name}_ratio"] <= shape.max_path_ratio) & (r[f"{name}_ink"] <= shape.max_ink_fraction)
            self.parts[name] = {key: r[f"{name}_{key}"][keep] for key in ("labels", "writers", "cnn", "gate")}
            self.parts[name].update(stroke=r[f"{name}_stroke_{scheme}"][keep], like=like[keep],
                                    sites=site_of(r[f"{name}_writers"][keep]))

    def answers(self, name: str, rule: FusionRule, mask: np.ndarray | None = None) -> np.ndarray:
        p = self.parts[name]
        m = np.ones(len(p["labels"]), bool) if mask is None else mask
        fused = fuse(p["cnn"][m], p["stroke"][m], rule.stroke_weight)
        return decide(fused, p["stroke"][m][:, -1], p["gate"][m], p["like"][m], rule)


def _figures(labels: np.ndarray, given: np.ndarray, letters_given: np.ndarray) -> dict:
    if not len(labels):
        right = unsure = wrong = 0.0
    else:
        right, unsure = float((given == labels).mean()), float((given < 0).mean())
        wrong = float(((given >= 0) & (given != labels)).mean())
    return {"digits": int(len(labels)), "right": right, "not_sure": unsure, "wrong": wrong,
            "letters": int(len(letters_given)),
            "letters_answered": float((letters_given >= 0).mean()) if len(letters_given) else 0.0}


def calibrate(rows: Rows, digit_mask: np.ndarray | None = None, letter_mask: np.ndarray | None = None
              ) -> FusionRule:
    """The grid's rule with the most right answers within MAX_WRONG and MAX_LETTERS (else the fewest wrong)."""
    d, letters = rows.parts["digits"], rows.parts["letters"]
    dm = np.ones(len(d["labels"]), bool) if digit_mask is None else digit_mask
    lm = np.ones(len(letters["labels"]), bool) if letter_mask is None else letter_mask
    best, best_key = FusionRule(), None
    for weight in GRID["stroke_weight"]:
        # fusion.decide, taken apart so the grid sorts each drawing's probabilities once per weight
        parts = [(fuse(p["cnn"][m], p["stroke"][m], weight), p, m) for p, m in ((d, dm), (letters, lm))]
        (top_d, best_d), (top_l, _) = ((np.sort(f, 1)[:, -2:], f.argmax(1)) for f, _, _ in parts)
        for c, m, s, g in itertools.product(*(GRID[k] for k in list(GRID)[1:])):
            rule = FusionRule(weight, c, m, g, s)
            given = np.where(_sure(top_d, rule) & _number(d, dm, rule), best_d, -1)
            right, wrong = (given == d["labels"][dm]).mean(), ((given >= 0) & (given != d["labels"][dm])).mean()
            answered = (_sure(top_l, rule) & _number(letters, lm, rule)).mean() if lm.any() else 0.0
            ok = wrong <= MAX_WRONG and answered <= MAX_LETTERS
            key = (ok, right if ok else -wrong, -abs(weight - 0.5))
            if best_key is None or key > best_key:
                best, best_key = rule, key
    return best


def _sure(top: np.ndarray, rule: FusionRule) -> np.ndarray:
    return (top[:, 1] >= rule.min_confidence) & (top[:, 1] - top[:, 0] >= rule.min_margin)


def _number(part: dict, mask: np.ndarray, rule: FusionRule) -> np.ndarray:
    return part["like"][mask] & (part["stroke"][mask][:, -1] < rule.max_stroke_not_digit) & (
        part["gate"][mask] < rule.max_not_digit)


def cross_fitted(rows: Rows) -> tuple[np.ndarray, np.ndarray, dict]:
    """Each site's answers under the rule calibrated on the other sites; and those rules."""
    d, letters = rows.parts["digits"], rows.parts["letters"]
    given, given_l, rules = np.full(len(d["labels"]), -1), np.full(len(letters["labels"]), -1), {}
    for site in sorted(set(d["sites"])):
        rule = rules[site] = calibrate(rows, d["sites"] != site, letters["sites"] != site)
        given[d["sites"] == site] = rows.answers("digits", rule, d["sites"] == site)
        given_l[letters["sites"] == site] = rows.answers("letters", rule, letters["sites"] == site)
    return given, given_l, {site: rule.to_dict() for site, rule in rules.items()}


def _print_breakdown(rows: Rows, given: np.ndarray, given_l: np.ndarray) -> dict:
    """Per site, per digit (with what the wrong answers said) and per letter."""
    d, letters = rows.parts["digits"], rows.parts["letters"]
    out = {"sites": {}, "per_digit": {}, "per_letter": {}}
    for site in sorted(set(d["sites"])):
        mine = d["sites"] == site
        f = out["sites"][site] = _figures(d["labels"][mine], given[mine], given_l[letters["sites"] == site])
        print(f"  site {site}: {f['digits']} digits, right {100 * f['right']:.2f}%, not sure "
              f"{100 * f['not_sure']:.2f}%, wrong {100 * f['wrong']:.2f}%; letters answered "
              f"{100 * f['letters_answered']:.1f}% of {f['letters']}")
    print("| digit | drawings | right | not sure | wrong | read as (wrong) |\n| --- | --- | --- | --- | --- | --- |")
    for digit in range(10):
        mine = d["labels"] == digit
        wrong = given[mine & (given >= 0) & (given != digit)]
        read_as = ", ".join(f"{a}: {n}" for a, n in sorted(zip(*np.unique(wrong, return_counts=True)),
                                                            key=lambda x: -x[1]))
        f = out["per_digit"][digit] = _figures(d["labels"][mine], given[mine], given_l[:0])
        print(f"| {digit} | {f['digits']} | {100 * f['right']:.1f}% | {100 * f['not_sure']:.1f}% | "
              f"{100 * f['wrong']:.1f}% | {read_as or '-'} |")
    characters = np.array([chr(c) for c in letters["labels"]])
    for letter in NOT_DIGIT_LIKE:
        mine = characters == letter
        if mine.any():
            out["per_letter"][letter] = float((given_l[mine] >= 0).mean())
    print("  letters answered with a digit: " + ", ".join(
        f"{k} {100 * v:.0f}%" for k, v in out["per_letter"].items()))
    return out


def report(out: Path, model_dir: Path) -> dict:
    """Print the figures of both schemes and write summary.json (with the rule to ship) into out."""
    from kiosk.atomic_write import write_text_atomic

    r = dict(np.load(out / RESULTS))
    seen = trained_writers(model_dir)
    summary: dict = {"left_out_writers": len(seen)}
    for scheme in ("writer", "site"):
        rows = Rows(r, scheme, seen)
        d = rows.parts["digits"]
        fused = fuse(d["cnn"], d["stroke"], 0.5)
        print(f"\n== folds by {scheme}: {len(d['labels'])} digits by {len(set(d['writers']))} writers none of the "
              f"models learned from; {len(rows.parts['letters']['labels'])} letters that look like no digit")
        print(f"best guess: image CNN {100 * (d['cnn'].argmax(1) == d['labels']).mean():.2f}%, stroke model "
              f"{100 * (d['stroke'][:, :10].argmax(1) == d['labels']).mean():.2f}%, fused "
              f"{100 * (fused.argmax(1) == d['labels']).mean():.2f}%")
        given, given_l, rules = cross_fitted(rows)
        figures = _figures(d["labels"], given, given_l)
        print(f"the kiosk's answer (rule cross-fitted by site): right {100 * figures['right']:.2f}%, not sure "
              f"{100 * figures['not_sure']:.2f}%, wrong {100 * figures['wrong']:.2f}%; letters answered "
              f"{100 * figures['letters_answered']:.1f}%")
        figures.update(_print_breakdown(rows, given, given_l), rules_by_site=rules)
        summary[scheme] = figures
    shipped = calibrate(Rows(r, "site", seen))
    summary["rule"] = shipped.to_dict()
    print(f"\nthe rule to ship (calibrated on every held-out site): {shipped.to_dict()}")
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=2, default=float))
    return summary
