#!/usr/bin/env python3
"""How often does the kiosk say "not sure" on real digits, and how often on things that are not digits?

Non-digits are generated: random scribbles, squares, crosses, zig-zags, and capital
letters that look like no digit (A E H K M W X Y) as jittered polylines. Prints, per
rule, the share of real drawn digits answered (and right when answered) and the share of non-digits
wrongly answered with a digit, at the config's thresholds. The shipped models have seen these drawn digits (held-out figures:
scripts/crossval_drawings.py); the generated non-digits are new to them.

    .venv/bin/python scripts/measure_unsure.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from kiosk.recognition.recognizer import Recognizer, recognize_all  # noqa: E402
from kiosk.learning import drawn_digits  # noqa: E402

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


def main() -> int:
    rng = np.random.default_rng(0)
    drawn = drawn_digits.load()
    fakes = non_digits(rng)
    from kiosk.config import KioskConfig
    from kiosk.recognition.model_files import load_recognizers

    recognizers = load_recognizers(KioskConfig.load(None))  # the CNN first, with the gate, as the kiosk runs them
    plain = Recognizer(PROJECT_ROOT / "exported_models" / "cnn.onnx")

    def kiosk_answer(strokes, rule):
        return (recognize_all(recognizers, strokes) if rule == "the kiosk (with the gate)" else [plain.recognize(strokes)])[0].digit

    for rule in ("CNN alone, no gate", "the kiosk (with the gate)"):
        answers = [kiosk_answer(s, rule) for s in drawn.strokes]
        answered = np.array([a is not None for a in answers])
        right = np.array([a == label for a, label in zip(answers, drawn.labels)])
        fake_answers = np.array([kiosk_answer(s, rule) is not None for _, s in fakes])
        print(
            f"{rule}: drawn digits answered {100 * answered.mean():.1f}% (right when answered "
            f"{100 * right[answered].mean():.1f}%, wrong answers {100 * (answered & ~right).mean():.1f}% of all); "
            f"non-digits answered with a digit {100 * fake_answers.mean():.1f}% of {len(fakes)}"
        )
        kinds = sorted({name for name, _ in fakes})
        print("   by kind: " + ", ".join(
            f"{k} {100 * np.mean([f for f, (n, _) in zip(fake_answers, fakes) if n == k]):.0f}%" for k in kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
