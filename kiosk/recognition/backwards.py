"""Backwards digits: a drawing that is a digit turned left-right (a backwards 3), named as that digit.

Young children write 2, 3, 4, 5, 6, 7 and 9 mirrored. The drawing is read twice, as drawn and mirrored
(`recognize_all` on each, so whatever answers a normal drawing answers the mirrored one too), and called
"a backwards d" when the mirrored view is a sure d and much more of a digit than the drawing as drawn:

    score = logit(mirror's p(d)) - logit(drawn's top p) + logit(gate on drawn) - logit(gate on mirror)

(a logistic regression on those four logits, fitted by writer-held-out sites, gave them equal weights).
0, 1 and 8 look the same mirrored and are never "backwards": they keep the answer as drawn, and a 1 whose
flag points right is simply a one. A mirrored 7 is "a seven facing the other way".

Letters are the catch: a mirrored E is a 3, a mirrored e, P or R a 9, K or N a 4 and F a 7 to an image model,
so each digit has its own threshold and stroke count (E and F take three strokes, a 3 one), fitted by
`digit-kiosk-trainer backwards-digits` with at most a small share of letters called backwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from kiosk.recognition.recognizer import Prediction, recognize_all

BACKWARDS_DIGITS = (2, 3, 4, 5, 6, 7, 9)  # 0, 1 and 8 look the same either way round
_CLIP = 1e-6  # float32 probabilities reach 1.0: logits are clipped to about +-13.8


@dataclass(frozen=True)
class BackwardsRule:
    """When a drawing whose mirror is a sure digit is called that digit backwards."""

    min_score: float  # the mirror must be this much more of a digit than the drawing (see the module doc)
    max_strokes: int  # more strokes than this is a letter's hand (E, F, K), not a backwards digit


# Fitted by `digit-kiosk-trainer backwards-digits` on the writers of site ced (docs/measurements.md, "Backwards
# digits"): per digit, the most backwards digits named with at most 0.15% of letters and 0.1% of ordinary
# digits called backwards; the figures are reported on sites tos and imp. None of these writers trained a model.
RULES: dict[int, BackwardsRule] = {
    2: BackwardsRule(5.0, 1),
    3: BackwardsRule(19.0, 1),
    4: BackwardsRule(20.0, 2),
    5: BackwardsRule(4.0, 3),
    6: BackwardsRule(10.0, 1),
    7: BackwardsRule(12.0, 1),
    9: BackwardsRule(26.0, 1),
}


def mirrored(strokes) -> list[list[tuple[float, float]]]:
    """The drawing turned left-right about its own centre (x -> left + right - x), in the same units."""
    points = [p for stroke in strokes for p in stroke]
    if not points:
        return []
    xs = [float(p[0]) for p in points]
    axis = min(xs) + max(xs)
    return [[(axis - float(x), float(y)) for x, y in stroke] for stroke in strokes]


def _logit(p: float | None) -> float:
    p = min(max(0.5 if p is None else float(p), _CLIP), 1 - _CLIP)
    return math.log(p / (1 - p))


def mirror_score(drawn: Prediction, mirror: Prediction) -> float:
    """How much more of a digit the mirrored view is than the drawing as drawn (a gate that did not answer
    either view counts for neither)."""
    gates = drawn.not_digit is not None and mirror.not_digit is not None
    gate_term = _logit(drawn.not_digit) - _logit(mirror.not_digit) if gates else 0.0
    return _logit(mirror.confidence) - _logit(drawn.confidence) + gate_term


def backwards_digit(drawn: Prediction, mirror: Prediction, strokes: int,
                    rules: dict[int, BackwardsRule] = RULES) -> int | None:
    """The digit this drawing is a backwards one of, or None (the answer as drawn stands)."""
    digit = mirror.digit
    if digit is None or digit not in rules:
        return None
    rule = rules[digit]
    return digit if strokes <= rule.max_strokes and mirror_score(drawn, mirror) >= rule.min_score else None


def as_backwards(drawn: Prediction, mirror: Prediction) -> Prediction:
    """The answer "a backwards d": the drawing's own picture, the mirrored view's digit and probabilities."""
    return replace(drawn, digit=mirror.digit, probabilities=mirror.probabilities, best=mirror.best,
                   runner_up=mirror.runner_up, digit_like=True, not_digit=mirror.not_digit, mirrored=True)


def with_backwards(recognizers, strokes, answers: list[Prediction], active: int = 0,
                   rules: dict[int, BackwardsRule] = RULES) -> list[Prediction]:
    """Every model's answer, each one that reads the drawing as a backwards digit replaced by that answer.

    answers: recognize_all(recognizers, strokes, active). The mirrored drawing is a second recognize_all."""
    strokes = [stroke for stroke in strokes if len(stroke)]
    mirrors = recognize_all(recognizers, mirrored(strokes), active)
    return [as_backwards(a, m) if backwards_digit(a, m, len(strokes), rules) is not None else a
            for a, m in zip(answers, mirrors)]
