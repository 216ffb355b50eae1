"""The kiosk as shipped, answering the dev drawings of every writer its models never trained on.

The shipped CNN and gate record the writers they were fine-tuned on (metadata); every other writer of the
dev sets is as new to them as a child at the kiosk. Each drawing goes the way a child's does: placed on
the canvas, then `recognize_all` with the kiosk's own configuration (models, gate, "not sure" rule).

    digit-kiosk-trainer unseen-writers [--model-dir DIR] [--drawn-dir DIR] [--letters-dir DIR]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.errors import EmptyDrawing
from kiosk.recognition.runtime import ort
from trainer import drawings
from trainer.errors import DataError

TRAINED_ON_KEYS = {"cnn.onnx": "fine_tuned_on_drawings", "not_a_digit.onnx": "trained_on_writers"}
# The stroke model (strokes.onnx) learned from every dev writer: the kiosk is measured here without it, and
# the fused answer by stroke-crossval, whose folds hold the writers out of the stroke model too.
TRAINED_ON_STROKES = "trained_on_writers"


def trained_writers(model_dir: Path) -> set[str]:
    """Every dev writer the shipped digit CNN or the gate learned from (their metadata say which)."""
    writers: set[str] = set()
    for name, key in TRAINED_ON_KEYS.items():
        path = model_dir / name
        if not path.is_file():
            continue
        raw = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).get_modelmeta().custom_metadata_map
        if key in raw:
            value = json.loads(raw[key])
            writers |= set(value["writers"] if isinstance(value, dict) else value)
    return writers


def without_strokes_seen(recognizers: list, writers) -> list:
    """The recognizers, each without its stroke model if that model learned from any of these writers (its
    metadata say which): on them it would be measured on its own training drawings. stroke-crossval measures
    the fused answer with the stroke model's writers held out."""
    writers = set(writers)
    for recognizer in recognizers:
        model = getattr(recognizer, "stroke_model", None)
        if model is not None and writers & set(json.loads(model.metadata.get(TRAINED_ON_STROKES, "[]"))):
            recognizer.stroke_model = None
    return recognizers


def site_of(writers: np.ndarray) -> np.ndarray:
    return np.char.partition(writers.astype(str), "/")[:, 0]


@dataclass(frozen=True)
class Answers:
    labels: np.ndarray  # the true label of each drawing
    given: np.ndarray  # the kiosk's answer: a digit, or -1 for "not sure" / "not a number"
    sites: np.ndarray


def kiosk_answers(recognizers, drawn: drawings.Drawings, seed: int) -> Answers:
    from kiosk.recognition.recognizer import recognize_all

    rng = np.random.default_rng(seed)
    given = np.full(len(drawn), -1)
    for i, strokes in enumerate(drawn.strokes):
        try:
            answer = recognize_all(recognizers, drawings.on_canvas(strokes, rng))[0]
        except EmptyDrawing:
            continue
        given[i] = -1 if answer.digit is None else answer.digit
    return Answers(drawn.labels, given, site_of(drawn.writers))


def _rates(labels: np.ndarray, given: np.ndarray) -> tuple[float, float, float]:
    right, unsure = float((given == labels).mean()), float((given < 0).mean())
    return right, unsure, 1.0 - right - unsure


def _per_site(d: Answers) -> dict:
    """Right, not sure and wrong for each site, printed."""
    figures = {}
    for site in sorted(set(d.sites)):
        mine = d.sites == site
        rates = _rates(d.labels[mine], d.given[mine])
        figures[site] = dict(zip(("right", "not_sure", "wrong"), rates), digits=int(mine.sum()))
        print(f"  site {site}: {mine.sum()} digits, right {100 * rates[0]:.2f}%, not sure {100 * rates[1]:.2f}%, "
              f"wrong {100 * rates[2]:.2f}%")
    return figures


def _per_digit(d: Answers) -> dict:
    """Right, not sure and wrong for each digit, printed with what the wrong answers said."""
    figures = {}
    for digit in range(10):
        mine = d.labels == digit
        if mine.any():
            wrong_as = d.given[mine & (d.given >= 0) & (d.given != digit)]
            figures[digit] = dict(zip(("right", "not_sure", "wrong"), _rates(d.labels[mine], d.given[mine])))
            read_as = ", ".join(f"{a}: {n}" for a, n in zip(*np.unique(wrong_as, return_counts=True)))
            print(f"  digit {digit}: {mine.sum()}, right {100 * (d.given[mine] == digit).mean():.1f}%"
                  + (f", read as {read_as}" if read_as else ""))
    return figures


def report(model_dir: Path | None, drawn_dir: Path | None, letters_dir: Path | None, limit: int | None = None) -> dict:
    """Print and return the kiosk's figures on the unseen writers' digits (per site, per digit) and letters."""
    from kiosk.config import KioskConfig
    from kiosk.recognition.model_files import load_recognizers

    config = KioskConfig.load(None)
    if model_dir is not None:
        config = KioskConfig(model_dir=str(model_dir))
    seen = trained_writers(config.model_dir_path)
    digits, letters = drawings.load_digits(drawn_dir), drawings.load_letters(letters_dir)
    digits = digits.subset(~np.isin(digits.writers, list(seen)))
    letters = letters.subset(~np.isin(letters.writers, list(seen)))
    if limit is not None:
        digits, letters = digits.subset(np.arange(len(digits)) < limit), letters.subset(np.arange(len(letters)) < limit)
    if not len(digits):
        raise DataError("every dev writer trained the shipped models: no unseen writer is left to measure")
    recognizers = without_strokes_seen(load_recognizers(config), set(digits.writers) | set(letters.writers))
    d = kiosk_answers(recognizers, digits, seed=0)
    right, unsure, wrong = _rates(d.labels, d.given)
    if not any(getattr(r, "stroke_model", None) for r in recognizers):
        print("(the image models alone: the stroke model trained on these writers; see stroke-crossval)")
    print(
        f"{len(digits)} digits by {len(set(digits.writers))} writers the shipped models never trained on "
        f"(sites {', '.join(sorted(set(d.sites)))}; {len(seen)} writers left out)"
    )
    print(f"the kiosk's answer: right {100 * right:.2f}%, not sure {100 * unsure:.2f}%, wrong {100 * wrong:.2f}%")
    result = {
        "digits": len(digits),
        "writers": len(set(digits.writers)),
        "right": right,
        "not_sure": unsure,
        "wrong": wrong,
    }
    result["sites"], result["per_digit"] = _per_site(d), _per_digit(d)
    measured = np.isin(letters.characters(), list(drawings.NOT_DIGIT_LIKE))
    if measured.any():
        answered = kiosk_answers(recognizers, letters.subset(measured), seed=1).given >= 0
        result["letters"], result["letters_answered"] = int(measured.sum()), float(answered.mean())
        print(
            f"letters that look like no digit answered with a digit: {100 * answered.mean():.1f}% of {measured.sum()}"
        )
    return result
