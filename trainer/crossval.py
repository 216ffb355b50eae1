#!/usr/bin/env python3
"""Cross-validation by writer: what the kiosk answers on real drawings by writers its models never saw.

For each fold, the digit CNN is fine-tuned and the gate trained on the other writers' drawings (and
MNIST), then both answer the fold's own writers' digits and letters, as does the shipped MLP. Each fold's
answers are saved (resumable), and the report applies the kiosk's decision to them:

    digit-kiosk-trainer crossval --folds 4 --out /tmp/crossval      # ~15 min here ([train])
    digit-kiosk-trainer crossval --out /tmp/crossval --report-only
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import numpy as np

from kiosk.config import shipped_dir
from kiosk.learning import mnist
from kiosk.recognition.preprocess import clean_strokes, strokes_to_image
from kiosk.recognition.recognizer import path_ratio
from trainer import drawings
from trainer.drawings import NOT_DIGIT_LIKE
from trainer.errors import DataError


def held_out_view(drawn: drawings.Drawings, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The drawings as the kiosk sees them (on its canvas, no jitter), and their path ratios."""
    rng = np.random.default_rng(seed)
    images, ratios = np.zeros((len(drawn), 28, 28), np.uint8), np.zeros(len(drawn))
    for i, strokes in enumerate(drawn.strokes):
        placed = clean_strokes(drawings.on_canvas(strokes, rng))
        images[i], ratios[i] = strokes_to_image(placed), path_ratio(placed)
    return images, ratios


def run_fold(
    k: int, held_out: set[str], data, out: Path, settings, base: Path | None = None, gate_only: bool = False
) -> None:
    import torch

    from trainer import drawn_training
    from trainer.from_onnx import load_onnx_model

    digits, letters, train_images, train_labels, test_images, test_labels, styled = data
    started = time.monotonic()
    train_digits = digits.subset(~np.isin(digits.writers, list(held_out)))
    train_letters = letters.subset(~np.isin(letters.writers, list(held_out)))
    print(
        f"fold {k}: held out {sorted(held_out)}; training on {len(train_digits)} digits, {len(train_letters)} letters",
        flush=True,
    )
    earlier = out / f"fold{k}.npz" if out is not None else None
    if gate_only and earlier.exists():  # the CNN's answers stay; only the gate learns again
        result, models = dict(np.load(earlier)), {}
    else:
        base = drawn_training.mnist_only_base(base or shipped_dir("models") / "cnn.onnx")[0]
        shipped = copy.deepcopy(base)
        cnn = drawn_training.finetune_cnn(
            base, train_images, train_labels, train_digits, settings, styled_images=styled
        )
        mlp, _, _ = load_onnx_model(shipped_dir("models") / "mlp.onnx")
        result, models = {}, {"cnn": cnn, "shipped_cnn": shipped, "mlp": mlp}
    models["gate"] = drawn_training.train_gate(
        train_images, train_digits, train_letters, settings, styled_images=styled
    )
    test_digits = digits.subset(np.isin(digits.writers, list(held_out)))
    test_letters = letters.subset(np.isin(letters.writers, list(held_out)))
    for name, drawn in (("digits", test_digits), ("letters", test_letters)):
        images, ratios = held_out_view(drawn, seed=100 + k)
        result[f"{name}_labels"], result[f"{name}_writers"] = drawn.labels, drawn.writers
        result[f"{name}_ratio"], result[f"{name}_ink"] = ratios, (images > 127).mean(axis=(1, 2))
        for model_name, model in models.items():
            result[f"{name}_{model_name}"] = drawn_training.probabilities(model, images)
    if "cnn" in models:
        result["mnist_cnn"] = drawn_training.probabilities(models["cnn"], test_images).argmax(1) == test_labels
    result["mnist_gate"] = drawn_training.probabilities(models["gate"], test_images)[:, 1]
    result["seconds"] = time.monotonic() - started
    np.savez_compressed(out / f"fold{k}.npz", **result)
    torch.save(
        {name: model.state_dict() for name, model in models.items() if name in ("cnn", "gate")},
        out / f"fold{k}-{'gate' if gate_only else 'all'}.pt",
    )
    print(
        f"fold {k}: done in {result['seconds']:.0f} s; MNIST test {100 * result['mnist_cnn'].mean():.2f}%; "
        f"the gate calls {100 * (result['mnist_gate'] >= 0.5).mean():.2f}% of it not a number",
        flush=True,
    )


def load_folds(out: Path) -> dict[str, np.ndarray]:
    folds = [dict(np.load(path)) for path in sorted(out.glob("fold*.npz"))]
    if not folds:
        raise DataError(f"no folds in {out}: run without --report-only first")
    return {
        key: np.concatenate([f[key] for f in folds]) if np.ndim(folds[0][key]) else np.array([f[key] for f in folds])
        for key in folds[0]
    }


def decide(cnn, mlp, gate, ratio, ink, rule: dict) -> np.ndarray:
    """The kiosk's answer per drawing (-1: not sure / not a number), under one decision rule."""
    probs = cnn if rule.get("models") == "cnn" else (cnn + mlp) / 2
    best = probs.argmax(1)
    top = np.sort(probs, 1)
    sure = (top[:, -1] >= rule["confidence"]) & (top[:, -1] - top[:, -2] >= rule["margin"])
    digit_like = (ratio <= 6.0) & (ink <= 0.25)
    if rule.get("gate") is not None:
        digit_like &= gate[:, 1] < rule["gate"]
    if rule.get("agree"):
        sure &= cnn.argmax(1) == mlp.argmax(1)
    return np.where(sure & digit_like, best, -1)


def _kiosk_answers(r: dict, cnn_key: str, rule: dict) -> tuple[np.ndarray, np.ndarray]:
    """The kiosk's answers to the held-out digits and letters under one rule."""
    return tuple(
        decide(r[f"{what}_{cnn_key}"], r[f"{what}_mlp"], r[f"{what}_gate"], r[f"{what}_ratio"], r[f"{what}_ink"], rule)
        for what in ("digits", "letters")
    )


def _print_rules(r: dict, labels: np.ndarray, measured: np.ndarray) -> None:
    """Each decision rule tried: right, not sure and wrong on digits, and letters answered with a digit."""
    rules = {
        "shipped: both agree, no gate (c 0.70, m 0.40)": (
            "shipped_cnn", dict(models="both", agree=True, confidence=0.7, margin=0.4)),
        "fine-tuned CNN, both agree, no gate": ("cnn", dict(models="both", agree=True, confidence=0.7, margin=0.4)),
        "fine-tuned CNN alone, no gate": ("cnn", dict(models="cnn", confidence=0.7, margin=0.4)),
    }
    for g in (0.3, 0.5, 0.7):
        for c, m in ((0.5, 0.2), (0.6, 0.3), (0.7, 0.4)):
            rules[f"fine-tuned CNN alone, gate < {g}, c {c} m {m}"] = (
                "cnn", dict(models="cnn", confidence=c, margin=m, gate=g))
    print(f"{'rule':<52} {'digits right':>12} {'not sure':>9} {'wrong':>7} {'letters answered':>17}")
    for name, (cnn_key, rule) in rules.items():
        answers, letter_answers = _kiosk_answers(r, cnn_key, rule)
        right, unsure = (answers == labels).mean(), (answers < 0).mean()
        print(f"{name:<52} {100 * right:>11.2f}% {100 * unsure:>8.2f}% {100 * (1 - right - unsure):>6.2f}% "
              f"{100 * (letter_answers[measured] >= 0).mean():>16.1f}%")


def _print_per_digit(labels: np.ndarray, answers: np.ndarray) -> None:
    print("| digit | drawings | right | not sure | wrong | read as (wrong) |\n| --- | --- | --- | --- | --- | --- |")
    for digit in range(10):
        mine = labels == digit
        wrong = answers[mine & (answers >= 0) & (answers != digit)]
        read_as = ", ".join(
            f"{d}: {n}" for d, n in sorted(zip(*np.unique(wrong, return_counts=True)), key=lambda x: -x[1]))
        print(f"| {digit} | {mine.sum()} | {100 * (answers[mine] == digit).mean():.1f}% "
              f"| {100 * (answers[mine] < 0).mean():.1f}% | "
              f"{100 * ((answers[mine] >= 0) & (answers[mine] != digit)).mean():.1f}% | {read_as or '-'} |")
    right, unsure = float((answers == labels).mean()), float((answers < 0).mean())
    print(f"| all | {len(labels)} | {100 * right:.2f}% | {100 * unsure:.2f}% | {100 * (1 - right - unsure):.2f}% | |")


def _print_letters(letters: np.ndarray, letter_answers: np.ndarray, measured: np.ndarray) -> float:
    """Letters answered with a digit, per letter; returns the share among those that look like no digit."""
    print("\nLetters answered with a digit (the list that looks like no digit first):")
    rows = []
    for letter in list(NOT_DIGIT_LIKE) + sorted(set(letters) - set(NOT_DIGIT_LIKE)):
        mine = letters == letter
        given = letter_answers[mine][letter_answers[mine] >= 0]
        common = np.bincount(given, minlength=10).argmax() if len(given) else None
        rows.append(f"{letter} {100 * (letter_answers[mine] >= 0).mean():.0f}%"
                    + (f" (as {common})" if common is not None else ""))
    print("  " + ", ".join(rows))
    answered = float((letter_answers[measured] >= 0).mean())
    print(f"  the {measured.sum()} letters that look like no digit: {100 * answered:.1f}% answered with a digit")
    return answered


def report(out: Path) -> None:
    """Print what the folds' models answered, under the rules tried and the kiosk's own; write summary.json."""
    from kiosk.atomic_write import write_text_atomic
    from kiosk.config import KioskConfig

    kiosk = KioskConfig.load(None)
    r = load_folds(out)
    labels, letters = r["digits_labels"], np.array([chr(c) for c in r["letters_labels"]])
    measured = np.isin(letters, list(NOT_DIGIT_LIKE))
    print(f"{len(labels)} digits by {len(set(r['digits_writers']))} writers, {measured.sum()} letters that look like "
          f"no digit ({len(letters)} letters in all); every writer held out of the models that answer them\n")
    per_fold = r["mnist_cnn"].reshape(len(r["seconds"]), -1).mean(1)
    print(f"MNIST test, fine-tuned CNN per fold: {', '.join(f'{100 * a:.2f}%' for a in per_fold)}")
    print(f"MNIST test digits the gate calls not a number: {100 * (r['mnist_gate'] >= 0.5).mean():.2f}%\n")
    _print_rules(r, labels, measured)
    print("\nbest guess alone (no 'not sure'): shipped CNN "
          f"{100 * (r['digits_shipped_cnn'].argmax(1) == labels).mean():.2f}%, "
          f"fine-tuned {100 * (r['digits_cnn'].argmax(1) == labels).mean():.2f}%")
    chosen = dict(models="cnn", confidence=kiosk.min_confidence, margin=kiosk.min_margin, gate=kiosk.max_not_a_number)
    answers, letter_answers = _kiosk_answers(r, "cnn", chosen)
    print(f"\nThe kiosk as shipped (config: confidence {chosen['confidence']}, margin {chosen['margin']}, "
          f"gate below {chosen['gate']}), per digit:")
    _print_per_digit(labels, answers)
    answered = _print_letters(letters, letter_answers, measured)
    right, unsure = float((answers == labels).mean()), float((answers < 0).mean())
    summary = {
        "kiosk": {"digits": int(len(labels)), "right": right, "not_sure": unsure, "wrong": 1 - right - unsure,
                  "letters": int(measured.sum()), "letters_answered": answered, "rule": chosen},
        "gate": {"mnist_test_called_not_a_number": float((r["mnist_gate"] >= chosen["gate"]).mean())},
    }
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=2))


def crossval(
    folds: int, out: Path, base: Path, report_only: bool = False, gate_only: bool = False, only: list[int] | None = None
) -> None:
    """Run the folds not yet in out (or only those asked for), then print the report and write summary.json."""
    out.mkdir(parents=True, exist_ok=True)
    if not report_only:
        from kiosk.learning.styles import styled_copies
        from trainer.drawn_training import DrawnSettings

        digits, letters = drawings.load_digits(), drawings.load_letters()
        data = mnist.load()
        styled = styled_copies(data.train_images, data.train_labels, seed=0)
        prepared = (
            digits,
            letters,
            data.train_images,
            data.train_labels.astype(np.int64),
            data.test_images,
            data.test_labels,
            styled,
        )
        for k, held_out in enumerate(drawings.writer_folds(digits.writers, folds)):
            if ((out / f"fold{k}.npz").exists() and not gate_only) or (only and k not in only):
                continue
            run_fold(k, held_out, prepared, out, DrawnSettings(), base, gate_only)
    report(out)
