"""The cross-validation report applies the kiosk's own rule to the folds' answers."""

import json

import numpy as np

from trainer import crossval


def _fold(path, rng, digits=120, letters=90):
    def probs(n):
        p = rng.random((n, 10)) ** 6
        return p / p.sum(1, keepdims=True)

    r = {
        "digits_labels": rng.integers(0, 10, digits),
        "digits_writers": np.array([f"s/w{i % 5}" for i in range(digits)]),
        "letters_labels": rng.choice([ord(c) for c in "EFHKObZ"], letters),
        "letters_writers": np.array(["s/x"] * letters),
        "mnist_cnn": rng.random(50) > 0.01,
        "mnist_gate": rng.random(50),
        "seconds": 1.0,
    }
    for what, n in (("digits", digits), ("letters", letters)):
        r[f"{what}_ratio"], r[f"{what}_ink"] = rng.random(n) * 7, rng.random(n) * 0.3
        gate = rng.random(n)
        r[f"{what}_gate"] = np.c_[1 - gate, gate]
        for model in ("cnn", "shipped_cnn", "mlp"):
            r[f"{what}_{model}"] = probs(n)
    np.savez(path, **r)


def test_the_summary_is_the_kiosk_rule_applied_to_every_fold(tmp_path, capsys):
    from kiosk.config import KioskConfig

    rng = np.random.default_rng(0)
    for k in range(2):
        _fold(tmp_path / f"fold{k}.npz", rng)
    crossval.report(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())["kiosk"]
    r, kiosk = crossval.load_folds(tmp_path), KioskConfig()
    rule = dict(models="cnn", confidence=kiosk.min_confidence, margin=kiosk.min_margin, gate=kiosk.max_not_a_number)
    answers = crossval.decide(
        r["digits_cnn"], r["digits_mlp"], r["digits_gate"], r["digits_ratio"], r["digits_ink"], rule
    )
    assert summary["digits"] == 240 and summary["right"] == float((answers == r["digits_labels"]).mean())
    assert summary["not_sure"] == float((answers < 0).mean()) > 0
    printed = capsys.readouterr().out
    assert "| all | 240 |" in printed and printed.count("\n| ") >= 11, "one row per digit and the total"
