#!/usr/bin/env python3
"""How often does the kiosk say "not sure" on real digits, and how often on things that are not digits?

Non-digits are generated: random scribbles, squares, crosses, zig-zags, and capital
letters that look like no digit (A E H K M W X Y) as jittered polylines. Prints, per
rule, the share of real drawn digits answered (and right when answered) and the share of non-digits
wrongly answered with a digit, at the config's thresholds. The shipped models have seen these drawn
digits (held-out figures: digit-kiosk-trainer crossval); the generated non-digits are new to them.

    python -m benchmarks unsure [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from kiosk.config import KioskConfig, shipped_dir
from kiosk.learning import drawn_digits
from kiosk.recognition.model_files import load_recognizers
from kiosk.recognition.recognizer import Recognizer, recognize_all
from benchmarks.report import emit


def square(rng):
    s = rng.uniform(120, 220)
    corners = np.array([[0, 0], [s, 0], [s, s], [0, s], [0, 0]]) + 50
    return [np.concatenate([np.linspace(corners[i], corners[i + 1], 20) for i in range(4)])]


def scribble(rng):
    steps = rng.normal(0, 25, (rng.integers(40, 120), 2))
    return [np.cumsum(steps, 0) + 150]


def cross(rng):
    return [np.linspace([50, 50], [250, 250], 30), np.linspace([250, 50], [50, 250], 30)]


def zigzag(rng):
    xs = np.linspace(40, 260, 9)
    ys = np.where(np.arange(9) % 2, 60, 240) + rng.normal(0, 10, 9)
    return [np.stack([xs, ys], 1)]


def letter(rng, char):
    shapes = {
        "A": [[(50, 250), (150, 50), (250, 250)], [(90, 170), (210, 170)]],
        "E": [[(220, 50), (60, 50), (60, 250), (220, 250)], [(60, 150), (180, 150)]],
        "H": [[(60, 50), (60, 250)], [(220, 50), (220, 250)], [(60, 150), (220, 150)]],
        "K": [[(60, 50), (60, 250)], [(220, 50), (60, 160), (220, 250)]],
        "M": [[(40, 250), (60, 50), (150, 180), (240, 50), (260, 250)]],
        "W": [[(40, 50), (90, 250), (150, 110), (210, 250), (260, 50)]],
        "X": [[(50, 50), (250, 250)], [(250, 50), (50, 250)]],
        "Y": [[(50, 50), (150, 150), (250, 50)], [(150, 150), (150, 250)]],
    }
    jitter = rng.normal(0, 8, 2)
    return [np.array(stroke, float) + jitter for stroke in shapes[char]]


def non_digits(rng, count_per_kind=60):
    makers = [square, scribble, cross, zigzag]  # no circles: a circle is a fine 0
    samples = [(m.__name__, m(rng)) for m in makers for _ in range(count_per_kind)]
    samples += [(f"letter {c}", letter(rng, c)) for c in "AEHKMWXY" for _ in range(count_per_kind // 4)]
    return samples


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--drawn-dir")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    drawn = drawn_digits.load(args.drawn_dir)
    fakes = non_digits(rng)
    recognizers = load_recognizers(KioskConfig.load(None))  # the CNN first, with the gate, as the kiosk runs them
    plain = Recognizer(shipped_dir("models") / "cnn.onnx")
    report = {"digits": len(drawn), "non_digits": len(fakes), "rules": {}}

    def kiosk_answer(strokes, rule):
        return (
            recognize_all(recognizers, strokes) if rule == "the kiosk (with the gate)" else [plain.recognize(strokes)]
        )[0].digit

    for rule in ("CNN alone, no gate", "the kiosk (with the gate)"):
        answers = [kiosk_answer(s, rule) for s in drawn.strokes]
        answered = np.array([a is not None for a in answers])
        right = np.array([a == label for a, label in zip(answers, drawn.labels)])
        fake_answers = np.array([kiosk_answer(s, rule) is not None for _, s in fakes])
        print(
            f"{rule}: drawn digits answered {100 * answered.mean():.1f}% (right when answered "
            f"{100 * right[answered].mean():.1f}%, wrong answers {100 * (answered & ~right).mean():.1f}% of all); "
            f"non-digits answered with a digit {100 * fake_answers.mean():.1f}% of {len(fakes)}",
            file=sys.stderr,
        )
        by_kind = {
            k: float(np.mean([f for f, (n, _) in zip(fake_answers, fakes) if n == k]))
            for k in sorted({n for n, _ in fakes})
        }
        print("   by kind: " + ", ".join(f"{k} {100 * v:.0f}%" for k, v in by_kind.items()), file=sys.stderr)
        report["rules"][rule] = {
            "digits_answered": float(answered.mean()),
            "right_when_answered": float(right[answered].mean()),
            "wrong_of_all": float((answered & ~right).mean()),
            "non_digits_answered": float(fake_answers.mean()),
            "non_digits_answered_by_kind": by_kind,
        }
    return emit(report, args.out)


if __name__ == "__main__":
    sys.exit(main())
