"""The night's retraining: fine-tuning that learns the collected drawings, a prank doubted, a worse model kept
aside, the holdout that never leaks, no torch, and kill -9 or Ctrl-C at any moment."""

import datetime as dt
import functools
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.errors import LearningError
from kiosk.recognition.recognizer import Recognizer
from kiosk.retraining import promotion
from kiosk.retraining.nightly import RetrainOptions, holdout_mask, retrain
from kiosk.retraining.judging import PairedChange, gate
from kiosk.teaching.feedback_store import FeedbackStore, Labelled, drawing_id

SHIPPED = PROJECT_ROOT / "exported_models"


def distinct(drawn):
    """The first of each drawing: drawn-digits-dev holds 109 drawings twice (the same strokes under two writers),
    and the store keeps one drawing once."""
    first = {}
    for i, strokes in enumerate(drawn.strokes):
        first.setdefault(drawing_id(strokes), i)
    return np.array(sorted(first.values()))


@functools.lru_cache(maxsize=1)
def drawn_set(drawn_dir):
    """The drawn dev set, read once per run (4,157 drawings: a few seconds each time)."""
    from kiosk.learning import drawn_digits

    return drawn_digits.load(drawn_dir)


def fill_store(config, drawn_dir, count, seed=0):
    drawn = drawn_set(drawn_dir)
    store = FeedbackStore(config.feedback_dir)
    # fixed times, as the simulation uses, so every run's records are alike (the holdout hashes the strokes)
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for k, i in enumerate(np.random.default_rng(seed).choice(distinct(drawn), count, replace=False)):
        store.append(
            drawn.strokes[i],
            300,
            np.zeros((28, 28), np.uint8),
            int(drawn.labels[i]),
            None,
            "mlp",
            "test",
            created=epoch + dt.timedelta(days=seed, seconds=k),
        )  # a later seed: later drawings
    return store


@pytest.mark.slow
def test_retraining_learns_the_collected_drawings_and_the_report_says_what_happened(config, drawn_dir, mnist_dir):
    fill_store(config, drawn_dir, 150)
    report = retrain(
        config, RetrainOptions(kind="mlp", steps=120, nice=0), str(mnist_dir), use_drawn=False, show_progress=False
    )
    before, after = report["before"], report["after"]
    assert after["trained_on"] > before["trained_on"], "it learned from what the children taught it"
    assert report["trained_on"] + report["held_out"] + report["doubted"] == 150 and report["held_out"] >= 5
    assert report["doubted"] <= 15, "true labels are rarely doubted (only where the model is sure of another digit)"
    changes = {key: PairedChange(c["drawings"], c["better"], c["worse"]) for key, c in report["changes"].items()}
    assert set(changes) == {"held_out"} and changes["held_out"].drawings == report["held_out"]
    assert report["reasons"] == gate(before, after, changes, report["shipped"])
    assert report["promoted"] == (not report["reasons"])
    assert 50 < report["peak_rss_mb"] < 900, "the retrain's own peak memory, in MB"
    written = (config.data_dir_path / "retrain_report.json").read_text()
    assert '"promoted"' in written
    if report["promoted"]:
        assert Recognizer(config.taught_model_dir / "mlp.onnx").kind == "mlp"
    else:
        assert not (config.taught_model_dir / "mlp.onnx").exists()


@pytest.mark.slow
def test_a_prank_is_doubted_and_no_digit_moves(config, drawn_dir, mnist_dir):
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load(drawn_dir)
    fill_store(config, drawn_dir, 100)
    store = FeedbackStore(config.feedback_dir)
    taught = {r.drawing for r in store.load()}
    ones = [i for i in distinct(drawn) if drawn.labels[i] == 1 and drawing_id(drawn.strokes[i]) not in taught][:30]
    for i in ones:  # a child playing: thirty 1s, each labelled 7
        store.append(drawn.strokes[i], 300, np.zeros((28, 28), np.uint8), 7, 1, "cnn", "test")
    report = retrain(
        config, RetrainOptions(kind="cnn", steps=20, nice=0), str(mnist_dir), use_drawn=False, show_progress=False
    )
    assert report["doubted"] >= 25, "the shipped CNN is sure those are 1s: the 7s are not believed"
    assert "held_out_fused" in report["changes"] and "held_out_fused" in report["after"], "judged as heard, fused"
    assert report["strokes"]["yardstick"]["after"]["1"] >= report["strokes"]["yardstick"]["before"]["1"] - 0.025
    assert report["trained_on"] + report["held_out"] + report["doubted"] == 130
    assert set(report["after"]["styled_per_digit"]) == {"0", "1", "2", "7"}
    if report["promoted"]:
        assert report["after"]["mnist_per_digit"][1] >= report["before"]["mnist_per_digit"][1] - 0.01


@pytest.mark.slow
def test_a_worse_model_is_kept_aside_with_the_reasons(config, drawn_dir, mnist_dir):
    fill_store(config, drawn_dir, 100)  # enough that the holdout always has 5 (see below)
    # A learning rate 500 times too big wrecks the model: the gate must catch it.
    report = retrain(
        config,
        RetrainOptions(kind="mlp", steps=40, learning_rate=0.05, nice=0),
        str(mnist_dir),
        use_drawn=False,
        show_progress=False,
    )
    assert not report["promoted"] and any("MNIST" in reason for reason in report["reasons"])
    assert not (config.taught_model_dir / "mlp.onnx").exists(), "the kiosk keeps the model it had"
    aside = config.taught_model_dir / "rejected"
    assert report["set_aside"].startswith(str(aside)) and list(aside.glob("mlp-*.json"))


def test_too_few_drawings_is_a_clear_error(config, drawn_dir, mnist_dir):
    fill_store(config, drawn_dir, 5)
    with pytest.raises(LearningError, match="only 5 labelled drawings"):
        retrain(config, RetrainOptions(kind="mlp", nice=0), str(mnist_dir), use_drawn=False, show_progress=False)


def test_held_out_drawings_stay_held_out_in_every_later_retrain(config, drawn_dir):
    store = fill_store(config, drawn_dir, 100)
    records = store.load()
    first = dict(zip([r.drawing for r in records], holdout_mask(records, 0.2)))
    fill_store(config, drawn_dir, 50, seed=1)  # more drawings arrive (a few of them the same drawings again)
    records = store.load()
    later = dict(zip([r.drawing for r in records], holdout_mask(records, 0.2)))
    assert 10 <= sum(first.values()) <= 30 and len(later) > len(first)
    assert all(later[drawing] == held for drawing, held in first.items())


def test_copies_of_a_drawing_all_land_on_one_side_of_the_split():
    # the same strokes labelled again at other times (with other labels): never one copy held out, one trained on
    def copy(i, when, label):
        return Labelled(
            [[(0.0, 0.0), (5.0, 3.0 + i)]],
            300,
            np.zeros((28, 28), np.uint8),
            label,
            1,
            "cnn",
            "v",
            f"2026-12-0{when}T10:00:00.000+00:00",
        )

    records = [copy(i, when, label) for i in range(60) for when, label in ((1, 7), (2, 7), (3, 1))]
    mask = holdout_mask(records, 0.2).reshape(60, 3)
    assert 3 <= mask[:, 0].sum() <= 24 and (mask == mask[:, :1]).all()


WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # any import of torch now fails, as on a Pi where none is installed
from kiosk.__main__ import main
code = main(sys.argv[1:])
assert sys.modules.get("torch") is None and "trainer" not in sys.modules, "the kiosk's own command, on its own"
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.parametrize("kind,steps", [("mlp", 30), ("cnn", 6)])
def test_the_nightly_retrain_needs_no_torch(config, drawn_dir, mnist_dir, kind, steps, config_file):
    # 100, not 40: which drawings are held out depends on a hash of their time of creation, and 40 can
    # leave fewer than the 5 the retrain needs on one side (it then refuses, as it should, but not here)
    fill_store(config, drawn_dir, 100)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            WITHOUT_TORCH,
            "retrain",
            "--config",
            str(config_file),
            "--kind",
            kind,
            "--steps",
            str(steps),
            "--data-dir",
            str(mnist_dir),
            "--no-drawn",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((config.data_dir_path / "retrain_report.json").read_text())
    assert report["engine"] == "numpy" and report["kind"] == kind and f"{kind}: 100 drawings" in result.stdout
    written = config.taught_model_dir / (f"{kind}.onnx" if report["promoted"] else "rejected")
    assert written.exists() and ("promoted" in result.stdout or "kept aside" in result.stdout)
    if report["promoted"]:  # what the kiosk will load scores what the report says it scored
        assert Recognizer(written).kind == kind


# The retrain, held at one point of its work: the child notes in a marker file that it got there, then waits
# there to be killed, so every kill lands where the test says it does (never before the work has started).
HELD_AT = """
import sys, time
from pathlib import Path
from kiosk.retraining import nightly, promotion
from kiosk.__main__ import main

marker, point = Path(sys.argv[1]), sys.argv[2]


def hold():
    marker.write_text(point)
    time.sleep(600)  # the test kills the process here


def held_after(function, calls=1):
    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        wrapper.calls += 1
        if wrapper.calls == calls:
            hold()
        return result
    wrapper.calls = 0
    return wrapper


nightly.gate = lambda *args: []  # promote whatever it learned: the kill, not the gate, is under test
if point == "training":  # 20 of the 25 steps of fine-tuning done, the network part changed
    nightly.train_step = held_after(nightly.train_step, calls=20)
elif point == "written":  # the new model complete and fsynced beside the old one, not yet renamed over it
    promotion.verify = held_after(promotion.verify)
elif point == "renamed":  # the rename done, the folder not yet fsynced
    promotion._fsync_dir = held_after(promotion._fsync_dir)
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("point,runs", [("training", "shipped"), ("written", "shipped"), ("renamed", "taught")])
def test_kill_9_during_retrain_leaves_the_kiosk_a_valid_model(
    config, config_file, tmp_path, drawn_dir, mnist_dir, point, runs
):
    from kiosk.recognition.model_files import load_recognizers

    fill_store(config, drawn_dir, 60)
    marker = tmp_path / "reached"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HELD_AT,
            str(marker),
            point,
            "retrain",
            "--config",
            str(config_file),
            "--kind",
            "mlp",
            "--steps",
            "25",
            "--data-dir",
            str(mnist_dir),
            "--no-drawn",
            "--quiet",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        ended = child.stderr.read()[-2000:] if child.poll() is not None else "(still running after 300 s)"
        assert marker.exists(), f"the retrain never reached {point}: {ended}"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    mlp = next(r for r in load_recognizers(config) if r.kind == "mlp")
    assert mlp.probabilities(np.zeros((1, 1, 28, 28), np.float32)).shape == (1, 10)
    taught = config.taught_model_dir / "mlp.onnx"
    assert mlp.path == (taught if runs == "taught" else config.model_dir_path / "mlp.onnx"), mlp.path
    with promotion.retrain_lock(config.data_dir_path):  # the dead run's lock was released
        pass
    incoming = list(config.taught_model_dir.glob(".*incoming"))
    assert bool(incoming) == (point == "written"), incoming
    promotion.clean_leftovers(config.taught_model_dir)
    assert not list(config.taught_model_dir.glob(".*incoming")), "what the dead run left is tidied by the next"


@pytest.mark.slow
def test_ctrl_c_stops_the_retrain_cleanly_and_changes_nothing(config, drawn_dir, mnist_dir, config_file):
    fill_store(config, drawn_dir, 100)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "retrain",
            "--config",
            str(config_file),
            "--kind",
            "mlp",
            "--steps",
            "200",
            "--data-dir",
            str(mnist_dir),
            "--no-drawn",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said = []
    for line in child.stderr:  # the interrupt lands in the fine-tuning (it said so), not while modules import
        said.append(line)
        if "retrain step" in line:
            break
    assert said and "retrain step" in said[-1], said
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130 and "stopped" in stderr and "Traceback" not in stderr, (
        child.returncode,
        stderr[-3000:],
    )
    assert not (config.taught_model_dir / "mlp.onnx").exists()
    assert not (config.data_dir_path / "retrain_report.json").exists()


def test_the_cnns_held_out_drawings_are_read_by_the_kiosks_stroke_model_too(config, drawn_dir):
    from kiosk.retraining.nightly import collect

    fill_store(config, drawn_dir, 60)
    shipped_cnn = str(SHIPPED / "cnn.onnx")
    collected = collect(config, RetrainOptions(kind="cnn"), shipped_cnn)
    assert collected.stroke_model is not None and collected.stroke_model.path == SHIPPED / "strokes.onnx"
    assert len(collected.train_strokes) == len(collected.train[1]), "the stroke model learns from the same drawings"
    readings = collected.readings_before()
    assert readings.probabilities.shape == (len(collected.held_out[1]), 11)
    assert (readings.probabilities[:, :10].argmax(axis=1) == collected.held_out[1]).mean() >= 0.9
    mlp = collect(config, RetrainOptions(kind="mlp"), str(SHIPPED / "mlp.onnx"))
    assert mlp.stroke_model is None and mlp.readings_before() is None, "the MLP answers alone"


@pytest.mark.slow
def test_a_stroke_model_its_yardstick_refuses_stays_as_it_was_and_the_cnn_is_judged_with_it(config, drawn_dir,
                                                                                               mnist_dir, monkeypatch):
    from kiosk.recognition.stroke_model import paired_file
    from kiosk.retraining import stroke_head

    monkeypatch.setattr(stroke_head, "floors", lambda before, after, against="": ["the example 1s fell (a test)"])
    fill_store(config, drawn_dir, 80)
    report = retrain(config, RetrainOptions(kind="cnn", steps=10, nice=0), str(mnist_dir), use_drawn=False,
                     show_progress=False)
    assert report["strokes"]["kept"] is False and "the example 1s fell (a test)" in report["strokes"]["reasons"][0]
    assert not any("example" in reason for reason in report["reasons"]), "the CNN is judged on its own merits"
    assert "held_out_fused" in report["changes"], "... as heard, with the stroke model it had"
    if report["promoted"]:
        assert not paired_file(config.taught_model_dir, report["model_version"]).exists(), "the shipped one answers"
