"""Backwards digits: a drawing that is a digit turned left-right (a backwards 3), named as that digit.

Young children write 2, 3, 4, 5, 6, 7 and 9 mirrored. The drawing is read twice, as drawn and mirrored (the
mirrored view is the drawing's own picture and stroke channels turned left-right and centred again, `mirror_read`,
so whatever answers a normal drawing answers the mirrored one too, without preprocessing it twice), and called
"a backwards d" when the mirrored view is a sure d and the right-way-round gate (trainer/backwards_gate.py)
says the mirror is a digit the right way round while the drawing as drawn is not. That gate is what tells a
backwards 3 from an E: to a digit model a mirrored E is a fine 3, to the gate it is a mirrored letter.
Each digit has its own thresholds and stroke count (an E takes three strokes, a 3 one), fitted by
`digit-kiosk-trainer backwards-digits` with at most a small share of letters and ordinary digits called
backwards. Without the gate file a rule on the digit model alone answers, more timidly:

    score = logit(mirror's p(d)) - logit(drawn's top p) + logit(gate on drawn) - logit(gate on mirror)

(a logistic regression on those four logits gave them equal weights). 0, 1 and 8 look the same mirrored and
are never "backwards": they keep the answer as drawn, and a 1 whose flag points right is simply a one. A
mirrored 7 is "a backwards seven".
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from kiosk.errors import EmptyDrawing, ModelLoadError, ModelRunError
from kiosk.recognition.gate import NotDigitGate
from kiosk.recognition.ink_proof import prove_gate
from kiosk.recognition.preprocess import COM_TARGET, center_of_mass, clean_strokes, shift_image
from kiosk.recognition.recognizer import ModelLimits, Prediction, path_ratio

log = logging.getLogger(__name__)

BACKWARDS_DIGITS = (2, 3, 4, 5, 6, 7, 9)  # 0, 1 and 8 look the same either way round
GATE_FILE = "right_way_round.onnx"  # is this a digit the right way round? (trainer/backwards_gate.py)
_CLIP = 1e-6  # float32 probabilities reach 1.0: logits are clipped to about +-13.8


@dataclass(frozen=True)
class BackwardsRule:
    """When a drawing whose mirror is a sure digit is called that digit backwards."""

    max_strokes: int  # more strokes than this is a letter's hand (E, F, K), not a backwards digit
    min_score: float = -math.inf  # the mirror must be this much more of a digit than the drawing (module doc)
    mirror_below: float = 1.0  # the gate's "not the right way round" on the mirror must be under this ...
    drawn_above: float = 0.0  # ... and on the drawing as drawn over this


# Fitted by `digit-kiosk-trainer backwards-digits` on the writers of site ced (docs/measurements.md, "Backwards
# digits"): per digit, the most backwards digits named with at most 0.15% of letters and none of the ordinary
# digits called backwards; the figures are reported on sites tos and imp. None of these writers trained a model.
# The drawing must look at least 0.75 "not the right way round" to the gate: only then is it read mirrored
# (0.75% of ordinary digits, so the second read stays out of the answer's p99; at 0.7 it was 1.25% for 0.5 more
# points of backwards digits named, at 0.8 0.38% for 0.8 fewer).
RULES: dict[int, BackwardsRule] = {
    2: BackwardsRule(2, 0.0, 0.5, 0.75),
    3: BackwardsRule(2, 16.0, 0.05, 0.75),
    4: BackwardsRule(2, -math.inf, 0.05, 0.75),
    5: BackwardsRule(3, -math.inf, 0.2, 0.9),
    6: BackwardsRule(2, -math.inf, 0.2, 0.75),
    7: BackwardsRule(2, -math.inf, 0.02, 0.9),
    9: BackwardsRule(1, 20.0, 0.02, 0.75),
}
# Without the right-way-round gate: the digit model's score alone (fitted the same way).
RULES_WITHOUT_GATE: dict[int, BackwardsRule] = {
    2: BackwardsRule(1, 5.0),
    3: BackwardsRule(1, 19.0),
    4: BackwardsRule(2, 20.0),
    5: BackwardsRule(3, 4.0),
    6: BackwardsRule(1, 10.0),
    7: BackwardsRule(1, 12.0),
    9: BackwardsRule(1, 26.0),
}


def mirrored(strokes) -> list[list[tuple[float, float]]]:
    """The drawing turned left-right about its own centre (x -> left + right - x), in the same units."""
    points = [p for stroke in strokes for p in stroke]
    if not points:
        return []
    xs = [float(p[0]) for p in points]
    axis = min(xs) + max(xs)
    return [[(axis - float(x), float(y)) for x, y in stroke] for stroke in strokes]


# Turned left-right, a stroke going east goes west and one going south-east goes south-west: the channel each
# mirrored channel is read from (stroke_channels.CHANNELS), and its sign.
_MIRROR_SOURCE = (0, 1, 4, 3, 2, 5, 6)
_MIRROR_SIGN = np.array([1, -1, 1, 1, 1, 1, 1], np.float32)[:, None, None]


def mirror_view(image: np.ndarray, channels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """A drawing's (28, 28) picture and (7, 28, 28) stroke channels turned left-right and moved by whole pixels so
    the centre of mass is where preprocessing puts it: what preprocessing the mirrored strokes gives, give or take
    a pixel's rounding, for a few microseconds instead of a second preprocessing."""
    turned = image[:, ::-1]
    row, col = center_of_mass(turned)
    down, right = round(COM_TARGET - row), round(COM_TARGET - col)
    picture = shift_image(turned, down, right)
    if channels is None:
        return picture, None
    flipped = channels[list(_MIRROR_SOURCE), :, ::-1] * _MIRROR_SIGN
    return picture, shift_image(flipped, down, right)


def mirror_read(recognizer, drawn: Prediction) -> Prediction:
    """The recognizer's answer to the drawing turned left-right (its stroke model too, when drawn carries the
    channels it read). The mirror has the drawing's own path and ink, so it is as digit-like as the drawing;
    ModelRunError if a model fails on it."""
    image, channels = mirror_view(drawn.image, drawn.channels)
    stroke_model = getattr(recognizer, "stroke_model", None)
    stroke_answer = None
    if channels is not None and stroke_model is not None and not stroke_model.failed:
        stroke_answer = stroke_model.probabilities(channels)
    return recognizer.classify_image(image, True, stroke_answer=stroke_answer, channels=channels)


def _logit(p: float | None) -> float:
    p = min(max(0.5 if p is None else float(p), _CLIP), 1 - _CLIP)
    return math.log(p / (1 - p))


def mirror_score(drawn: Prediction, mirror: Prediction) -> float:
    """How much more of a digit the mirrored view is than the drawing as drawn (a gate that did not answer
    either view counts for neither)."""
    gates = drawn.not_digit is not None and mirror.not_digit is not None
    gate_term = _logit(drawn.not_digit) - _logit(mirror.not_digit) if gates else 0.0
    return _logit(mirror.confidence) - _logit(drawn.confidence) + gate_term


def backwards_digit(drawn: Prediction, mirror: Prediction, strokes: int, rules: dict[int, BackwardsRule],
                    upright: tuple[float, float] | None = None) -> int | None:
    """The digit this drawing is a backwards one of, or None (the answer as drawn stands).

    upright: the right-way-round gate's "not the right way round" on (the drawing, its mirror), if asked."""
    digit = mirror.digit
    if digit is None or digit not in rules:
        return None
    rule = rules[digit]
    if strokes > rule.max_strokes or mirror_score(drawn, mirror) < rule.min_score:
        return None
    if upright is not None and not (upright[0] > rule.drawn_above and upright[1] < rule.mirror_below):
        return None
    return digit


def as_backwards(drawn: Prediction, mirror: Prediction) -> Prediction:
    """The answer "a backwards d": the drawing's own picture, the mirrored view's digit and probabilities."""
    return replace(drawn, digit=mirror.digit, probabilities=mirror.probabilities, best=mirror.best,
                   runner_up=mirror.runner_up, digit_like=True, not_digit=mirror.not_digit, mirrored=True)


class BackwardsReader:
    """Reads a drawing mirrored too, and names a backwards digit: the rules, with the right-way-round gate
    when it loaded (without it, the rules on the digit model alone)."""

    def __init__(self, gate: NotDigitGate | None = None, rules: dict[int, BackwardsRule] | None = None):
        self.gate = gate
        self.rules = rules if rules is not None else (RULES if gate is not None else RULES_WITHOUT_GATE)

    @classmethod
    def load(cls, model_dir: Path, limits: ModelLimits = ModelLimits()) -> "BackwardsReader":
        """The reader with the shipped right-way-round gate, proved on the example digits (which are all the
        right way round), or without it (logged) when it is missing, broken, slow or doubts them."""
        path = Path(model_dir) / GATE_FILE
        if not path.exists():
            log.warning("no %s in %s: backwards digits are judged by the digit model alone", GATE_FILE, model_dir)
            return cls()
        try:
            gate = NotDigitGate(path, limits)
            prove_gate(gate, 0.5)
            return cls(gate)
        except ModelLoadError as error:
            log.error("the right-way-round gate was not used: %s", error)
            return cls()

    def upright(self, image) -> float | None:
        """The gate's "not the right way round" on a (28, 28) picture (None: no working gate)."""
        return None if self.gate is None else self.gate.not_digit(image)

    def judge(self, drawn: Prediction, mirror: Prediction, strokes: int, drawn_up: float | None = None) -> Prediction:
        """drawn, or the answer "a backwards d" when the rules call it one. drawn_up: upright(drawn.image)."""
        if mirror.digit not in self.rules:  # most drawings: no second gate run
            return drawn
        drawn_up = self.upright(drawn.image) if drawn_up is None else drawn_up
        mirror_up = None if drawn_up is None else self.upright(mirror.image)
        upright = None if mirror_up is None else (drawn_up, mirror_up)
        rules = self.rules if upright is not None or self.gate is None else RULES_WITHOUT_GATE
        found = backwards_digit(drawn, mirror, strokes, rules, upright)
        return drawn if found is None else as_backwards(drawn, mirror)

    def read(self, recognizers, strokes, answers: list[Prediction], active: int = 0) -> list[Prediction]:
        """The answers, the active one replaced by "a backwards d" when the drawing is one (the other models are
        there to compare, as drawn).

        answers: recognize_all(recognizers, strokes, active). A drawing the gate finds the right way round is
        no backwards digit: only the others are read mirrored (mirror_read: the active model on its own picture and
        stroke channels turned, with no second preprocessing)."""
        strokes = [stroke for stroke in strokes if len(stroke)]
        if recognizers[active].failed:  # retired on this drawing: another model's answer stands in, as drawn
            return answers
        if not _mirror_may_answer(recognizers[active], answers[active].image, strokes):
            return answers
        drawn_up = self.upright(answers[active].image)
        if drawn_up is not None and drawn_up <= min(rule.drawn_above for rule in self.rules.values()):
            return answers
        try:
            mirror = mirror_read(recognizers[active], answers[active])
        except (EmptyDrawing, ModelRunError):  # the mirror is a second look: without it the drawing's answer stands
            return answers
        answers = list(answers)
        answers[active] = self.judge(answers[active], mirror, len(strokes), drawn_up)
        return answers


def _mirror_may_answer(recognizer, image, strokes) -> bool:
    """False for a scribble or a blob: its mirror has the same ink path and the same ink, so it gets no digit
    either (and a 100,000-point scribble is not read twice)."""
    limits = getattr(recognizer, "uncertainty", None)
    if limits is None:
        return True
    return (float((image > 127).mean()) <= limits.max_ink_fraction
            and path_ratio(clean_strokes(strokes)) <= limits.max_path_ratio)


def reader_for(model_dir) -> BackwardsReader:
    """BackwardsReader.load, once per gate file as it is on disk: a fresh draw screen (after a settings change, or
    each frame a broken screen is started afresh) does not read and prove an unchanged file again (5.7 ms each
    time); a file replaced, added or removed is read anew."""
    path = Path(model_dir) / GATE_FILE
    try:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        version = None
    return _reader_for(str(Path(model_dir)), version)


@functools.lru_cache(maxsize=4)
def _reader_for(model_dir: str, version) -> BackwardsReader:
    return BackwardsReader.load(Path(model_dir))


@functools.lru_cache(maxsize=1)
def shipped_reader() -> BackwardsReader:
    """The reader with the gate the kiosk ships with, loaded once: what a turn uses until the screen's
    configure() hands it the configured model folder's."""
    from kiosk.config import shipped_dir

    return BackwardsReader.load(shipped_dir("models"))
