"""Retraining on the kiosk: fine-tuning that learns the
collected drawings, the promotion gate, rollback, the lock, and kill -9 at any moment."""
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.config import KioskConfig
from kiosk.errors import LearningError, ModelLoadError
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.recognition.recognizer import Recognizer
from kiosk.retraining import promotion
from kiosk.retraining.nightly import RetrainOptions, gate, holdout_mask, retrain

SHIPPED = PROJECT_ROOT / "exported_models"


def test_the_gate():
    before = {"mnist_test": 0.9960, "held_out": 0.90, "drawn_dev": 0.95}
    assert gate(before, {"mnist_test": 0.9941, "held_out": 0.90, "drawn_dev": 0.95}) == []
    assert "MNIST" in gate(before, {"mnist_test": 0.9930, "held_out": 0.99, "drawn_dev": 0.99})[0]
    assert "held-out" in gate(before, {"mnist_test": 0.9960, "held_out": 0.89, "drawn_dev": 0.99})[0]
    assert "drawn-digits-dev" in gate(before, {"mnist_test": 0.9960, "held_out": 0.90, "drawn_dev": 0.94})[0]
    assert gate({**before, "drawn_dev": None}, {"mnist_test": 0.9960, "held_out": 0.90, "drawn_dev": None}) == []
    # Small nightly losses cannot add up: the shipped model's accuracy is a floor too.
    drifted = {"mnist_test": 0.9930, "held_out": 0.90, "drawn_dev": None}
    assert gate({**drifted, "mnist_test": 0.9945}, drifted) == []
    assert "shipped model" in gate({**drifted, "mnist_test": 0.9945}, drifted, shipped_mnist=0.9961)[0]
    # A prank moves one digit while the average barely moves: every digit has its own floor.
    digits = [0.995] * 10
    moved = {**before, "mnist_per_digit": digits[:1] + [0.980] + digits[2:]}
    assert gate({**before, "mnist_per_digit": digits}, {**before, "mnist_per_digit": digits[:1] + [0.99] + digits[2:]}) == []
    assert "MNIST test 1s fell" in gate({**before, "mnist_per_digit": digits}, moved)[0]
    # ... and in European style: a flagged 1 taught as a 7 shows on MNIST's test 1s given a flag
    styled = {"styled_per_digit": {"0": 0.99, "1": 0.97, "2": 0.98, "7": 0.99}}
    flagged_ones_lost = {"styled_per_digit": {"0": 0.99, "1": 0.90, "2": 0.98, "7": 0.99}}
    assert gate({**before, **styled}, {**before, **styled}) == []
    assert "European style 1s fell" in gate({**before, **styled}, {**before, **flagged_ones_lost})[0]


def test_a_label_the_model_finds_impossible_is_doubted():
    from kiosk.retraining.nightly import doubted

    sure_one = np.eye(10)[[1]] * 0.995 + 0.0005
    unsure = np.full((1, 10), 0.1)
    # "this clear 1 is a 7" is doubted; "yes, a 1" is not; a correction of an unsure answer is not
    assert doubted(np.concatenate([sure_one, sure_one, unsure]), np.array([7, 1, 7])).tolist() == [True, False, False]


def test_a_burst_of_one_contradiction_sets_aside_that_labels_doubtful_drawings_too():
    from kiosk.retraining.nightly import BURST_SHARE, PRANK_BURST, doubted, newest

    assert PRANK_BURST < BURST_SHARE * 1000

    def leaning(probabilities: dict[int, float]) -> np.ndarray:
        row = np.zeros(10)
        for digit, p in probabilities.items():
            row[digit] = p
        return row

    sure_one, half_one = leaning({1: 0.99, 7: 0.01}), leaning({1: 0.4, 7: 0.6})
    sevens = leaning({7: 0.999, 1: 0.001})
    few = np.array([sure_one] * (PRANK_BURST - 1) + [half_one, sevens])
    many = np.array([sure_one] * PRANK_BURST + [half_one, sevens])
    # below the burst: only the sure 1s are doubted, the half-1 labelled 7 stands, and so does a clear 7
    assert doubted(few, np.full(len(few), 7)).tolist() == [True] * (PRANK_BURST - 1) + [False, False]
    # a burst of "sure 1 is a 7": the 7 the model half saw as a 1 goes too; the clear 7 stays
    assert doubted(many, np.full(len(many), 7)).tolist() == [True] * PRANK_BURST + [True, False]
    # the burst is of one pair: the 1s labelled 1 (the model's own answer) are believed
    assert not doubted(many[:-1], np.full(len(many) - 1, 1)).any()
    # and it is a burst only against the whole store: the same pranks among many honest 7s (1% of 1,000
    # is 10) are the doubted ones alone
    crowd = np.array([sure_one] * PRANK_BURST + [half_one] + [sevens] * 994)
    assert doubted(crowd, np.full(len(crowd), 7)).sum() == PRANK_BURST
    # unless the pranks are among the newest labels: a burst is counted in a window of them
    created = [f"2026-01-{1 + i % 28:02d}" for i in range(994)]
    crowd = np.array([sevens] * 994 + [sure_one] * PRANK_BURST + [half_one])
    recent = newest(created + ["2026-12-01"] * (PRANK_BURST + 1), count=200)
    assert recent[-PRANK_BURST - 1:].all() and recent.sum() == 200
    assert doubted(crowd, np.full(len(crowd), 7), recent)[-PRANK_BURST - 1:].all(), "the half-1 goes too"


def fill_store(config, drawn_dir, count, seed=0):
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load(drawn_dir)
    store = FeedbackStore(config.feedback_dir)
    # fixed times, as the simulation uses: the holdout hash includes them, so every run splits alike
    # (with the clock's times, 1 run in 8 held out the drawings that left nothing to learn)
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for k, i in enumerate(np.random.default_rng(seed).choice(len(drawn), count, replace=False)):
        store.append(drawn.strokes[i], 300, np.zeros((28, 28), np.uint8), int(drawn.labels[i]), None, "mlp", "test",
                     created=epoch + dt.timedelta(days=seed, seconds=k))  # a later seed: later drawings
    return store


@pytest.fixture
def config(tmp_path):
    return KioskConfig(data_dir=str(tmp_path / "data"))


def test_retraining_learns_the_collected_drawings_and_the_report_says_what_happened(config, drawn_dir, mnist_dir):
    fill_store(config, drawn_dir, 150)
    report = retrain(config, RetrainOptions(kind="mlp", steps=120, nice=0), str(mnist_dir), use_drawn=False, show_progress=False)
    before, after = report["before"], report["after"]
    assert after["trained_on"] > before["trained_on"], "it learned from what the children taught it"
    assert report["trained_on"] + report["held_out"] + report["doubted"] == 150 and report["held_out"] >= 5
    assert report["doubted"] <= 15, "true labels are rarely doubted (only where the model is sure of another digit)"
    assert report["reasons"] == gate(before, after, report["shipped_mnist_test"]) and report["promoted"] == (not report["reasons"])
    written = (config.data_dir_path / "retrain_report.json").read_text()
    assert '"promoted"' in written
    if report["promoted"]:
        assert Recognizer(config.taught_model_dir / "mlp.onnx").kind == "mlp"
    else:
        assert not (config.taught_model_dir / "mlp.onnx").exists()


def test_a_prank_is_doubted_and_no_digit_moves(config, drawn_dir, mnist_dir):
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load(drawn_dir)
    fill_store(config, drawn_dir, 100)
    store = FeedbackStore(config.feedback_dir)
    ones = np.flatnonzero(drawn.labels == 1)[:30]
    for i in ones:  # a child playing: thirty 1s, each labelled 7
        store.append(drawn.strokes[i], 300, np.zeros((28, 28), np.uint8), 7, 1, "cnn", "test")
    report = retrain(config, RetrainOptions(kind="cnn", steps=20, nice=0), str(mnist_dir), use_drawn=False, show_progress=False)
    assert report["doubted"] >= 25, "the shipped CNN is sure those are 1s: the 7s are not believed"
    assert report["trained_on"] + report["held_out"] + report["doubted"] == 130
    assert set(report["after"]["styled_per_digit"]) == {"0", "1", "2", "7"}
    if report["promoted"]:
        assert report["after"]["mnist_per_digit"][1] >= report["before"]["mnist_per_digit"][1] - 0.01


def test_a_worse_model_is_kept_aside_with_the_reasons(config, drawn_dir, mnist_dir):
    fill_store(config, drawn_dir, 100)  # enough that the holdout always has 5 (see below)
    # A learning rate 500 times too big wrecks the model: the gate must catch it.
    report = retrain(config, RetrainOptions(kind="mlp", steps=40, learning_rate=0.05, nice=0), str(mnist_dir),
                     use_drawn=False, show_progress=False)
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
    first = holdout_mask(store.load(), 0.2)
    fill_store(config, drawn_dir, 50, seed=1)  # more drawings arrive
    later = holdout_mask(store.load(), 0.2)
    assert 10 <= first.sum() <= 30 and np.array_equal(later[:100], first)


def test_promotion_keeps_versions_and_rollback_goes_back_to_the_shipped_model(config):
    taught = config.taught_model_dir
    one, four = (SHIPPED / "cnn-e1.onnx").read_bytes(), (SHIPPED / "cnn-e4.onnx").read_bytes()
    promotion.promote(one, taught, "cnn")
    promotion.promote(four, taught, "cnn")
    assert (taught / "cnn.onnx").read_bytes() == four and len(list((taught / "versions").glob("cnn-*.onnx"))) == 1
    with pytest.raises(ModelLoadError):
        promotion.promote(b"not a model", taught, "cnn")
    assert (taught / "cnn.onnx").read_bytes() == four, "a bad file never replaces the current one"
    assert "restored" in promotion.rollback(taught, "cnn")
    assert (taught / "cnn.onnx").read_bytes() == one
    assert "shipped" in promotion.rollback(taught, "cnn")
    assert not (taught / "cnn.onnx").exists()
    assert "nothing to roll back" in promotion.rollback(taught, "cnn")


def test_only_the_last_versions_are_kept(config):
    for _ in range(6):
        promotion.promote((SHIPPED / "cnn-e1.onnx").read_bytes(), config.taught_model_dir, "cnn")
    assert len(list((config.taught_model_dir / "versions").glob("cnn-*.onnx"))) == promotion.KEEP_VERSIONS


def run_cli(*args, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "kiosk", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=PROJECT_ROOT, env=env)


def config_file(config, tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'data_dir = "{config.data_dir_path}"\n')
    return path


WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # any import of torch now fails, as on a Pi where none is installed
from kiosk.__main__ import main
code = main(sys.argv[1:])
assert sys.modules.get("torch") is None and "trainer" not in sys.modules, "the kiosk's own command, on its own"
sys.exit(code)
"""


@pytest.mark.parametrize("kind,steps", [("mlp", 30), ("cnn", 6)])
def test_the_nightly_retrain_needs_no_torch(config, tmp_path, drawn_dir, mnist_dir, kind, steps):
    # 100, not 40: which drawings are held out depends on a hash of their time of creation, and 40 can
    # leave fewer than the 5 the retrain needs on one side (it then refuses, as it should, but not here)
    fill_store(config, drawn_dir, 100)
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TORCH, "retrain", "--config", str(config_file(config, tmp_path)), "--kind", kind,
         "--steps", str(steps), "--data-dir", str(mnist_dir), "--no-drawn", "--quiet"],
        capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((config.data_dir_path / "retrain_report.json").read_text())
    assert report["engine"] == "numpy" and report["kind"] == kind and f"{kind}: 100 drawings" in result.stdout
    written = config.taught_model_dir / (f"{kind}.onnx" if report["promoted"] else "rejected")
    assert written.exists() and ("promoted" in result.stdout or "kept aside" in result.stdout)
    if report["promoted"]:  # what the kiosk will load scores what the report says it scored
        assert Recognizer(written).kind == kind


def test_the_lock_stops_a_second_retrain(config, tmp_path):
    with promotion.retrain_lock(config.data_dir_path):
        result = run_cli("retrain", "--config", config_file(config, tmp_path), "--no-drawn", "--quiet")
    assert result.returncode == 3 and "another retrain is running" in result.stderr
    with promotion.retrain_lock(config.data_dir_path):  # free again once the holder let go
        pass


def test_rollback_from_the_command_line(config, tmp_path):
    promotion.promote((SHIPPED / "mlp128.onnx").read_bytes(), config.taught_model_dir, "mlp")
    result = run_cli("retrain", "--config", config_file(config, tmp_path), "--kind", "mlp", "--rollback")
    assert result.returncode == 0 and "shipped" in result.stdout
    assert not (config.taught_model_dir / "mlp.onnx").exists()


PROMOTE_FOREVER = """
import sys
from pathlib import Path
from kiosk.retraining import promotion
taught, a, b = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), Path(sys.argv[3]).read_bytes()
while True:
    promotion.promote(a, taught, "cnn")
    promotion.promote(b, taught, "cnn")
"""


def test_kill_9_during_promotion_always_leaves_a_valid_model(config):
    taught = config.taught_model_dir
    a, b = SHIPPED / "cnn-e1.onnx", SHIPPED / "cnn-e4.onnx"
    promotion.promote(a.read_bytes(), taught, "cnn")  # a current model exists before the first kill
    rng = np.random.default_rng(0)
    for _ in range(8):
        child = subprocess.Popen([sys.executable, "-c", PROMOTE_FOREVER, str(taught), str(a), str(b)], cwd=PROJECT_ROOT,
                                 env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
        time.sleep(rng.uniform(1.0, 2.5))  # imports take ~1 s; then many promotions a second
        child.send_signal(signal.SIGKILL)
        child.wait()
        current = taught / "cnn.onnx"
        assert current.read_bytes() in (a.read_bytes(), b.read_bytes())
        assert Recognizer(current).kind == "cnn"
        promotion.clean_leftovers(taught)
        assert not list(taught.glob(".*incoming"))


def test_kill_9_during_retrain_leaves_the_kiosk_a_valid_model(config, tmp_path, drawn_dir, mnist_dir):
    fill_store(config, drawn_dir, 60)
    settings = config_file(config, tmp_path)
    for delay in (1.5, 4.0, 7.0):
        child = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "retrain", "--config", str(settings), "--kind", "mlp", "--steps", "400",
             "--data-dir", str(mnist_dir), "--no-drawn", "--quiet"],
            cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        from kiosk.recognition.model_files import load_recognizers

        mlp = next(r for r in load_recognizers(config) if r.kind == "mlp")
        assert mlp.probabilities(np.zeros((1, 1, 28, 28), np.float32)).shape == (1, 10)
        with promotion.retrain_lock(config.data_dir_path):  # the dead run's lock was released
            pass


def test_ctrl_c_stops_the_retrain_cleanly_and_changes_nothing(config, tmp_path, drawn_dir, mnist_dir):
    fill_store(config, drawn_dir, 100)
    child = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "retrain", "--config", str(config_file(config, tmp_path)), "--kind", "mlp",
         "--steps", "5000", "--data-dir", str(mnist_dir), "--no-drawn", "--quiet"],
        cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    started = child.stderr.readline()  # the interrupt lands in the real work, not while modules import
    assert "retraining mlp" in started, started
    time.sleep(1.0)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130 and "stopped" in stderr and "Traceback" not in stderr, (child.returncode, stderr[-3000:])
    assert not (config.taught_model_dir / "mlp.onnx").exists() and not (config.data_dir_path / "retrain_report.json").exists()


def test_rollback_skips_a_version_identical_to_the_current_model(config):
    taught = config.taught_model_dir
    one, four = (SHIPPED / "cnn-e1.onnx").read_bytes(), (SHIPPED / "cnn-e4.onnx").read_bytes()
    promotion.promote(one, taught, "cnn")
    promotion.promote(four, taught, "cnn")
    # As a kill between keeping the old model and the rename would leave it: a copy of the current one.
    (taught / "versions" / "cnn-29990101T000000000000Z.onnx").write_bytes(four)
    assert "restored" in promotion.rollback(taught, "cnn")
    assert (taught / "cnn.onnx").read_bytes() == one


def test_stale_temp_files_of_killed_writes_are_removed(config):
    taught = config.taught_model_dir
    (taught / "versions").mkdir(parents=True)
    stale, fresh = taught / "versions" / ".cnn-x.onnx.abc.tmp", taught / ".cnn.onnx.def.tmp"
    shared_stale, shared_fresh = taught.parent / ".old.json.1.tmp", taught.parent / ".new.json.2.tmp"
    for path in (stale, fresh, shared_stale, shared_fresh):
        path.write_bytes(b"partial")
    for path in (stale, shared_stale):
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    promotion.clean_leftovers(taught)
    # Under the retrain lock only this run writes the model folders: all their temp files go (1.1 MB each).
    assert not stale.exists() and not fresh.exists()
    # The data dir is shared with the running kiosk: only old ones, a write may be in progress right now.
    assert not shared_stale.exists() and shared_fresh.exists()


def test_a_kept_version_identical_to_the_current_model_is_removed(config):
    taught = config.taught_model_dir
    promotion.promote((SHIPPED / "cnn-e1.onnx").read_bytes(), taught, "cnn")
    promotion.promote((SHIPPED / "cnn-e4.onnx").read_bytes(), taught, "cnn")
    # As a kill between keeping the old model and the rename would leave it: a copy of the current one.
    (taught / "versions" / "cnn-29990101T000000000000Z.onnx").write_bytes((taught / "cnn.onnx").read_bytes())
    promotion.clean_leftovers(taught)
    assert len(list((taught / "versions").glob("cnn-2*.onnx"))) == 1


def test_status_says_what_the_kiosk_runs_and_what_the_last_night_did(config, tmp_path):
    settings = config_file(config, tmp_path)
    result = run_cli("retrain", "--config", settings, "--status")
    assert result.returncode == 0
    assert "cnn: runs the shipped model" in result.stdout and "last retrain: none yet" in result.stdout
    promotion.promote((SHIPPED / "cnn-e4.onnx").read_bytes(), config.taught_model_dir, "cnn")
    (config.data_dir_path / "retrain_report.json").write_text(
        '{"kind": "cnn", "finished": "2026-11-24T02:31:00+00:00", "drawings": 120, "promoted": true, "reasons": [],'
        ' "before": {"held_out": 0.9, "mnist_test": 0.996}, "after": {"held_out": 0.95, "mnist_test": 0.995}}')
    result = run_cli("retrain", "--config", settings, "--status")
    assert "cnn: runs the retrained model" in result.stdout
    assert "held-out 90.00% -> 95.00%" in result.stdout and "promoted" in result.stdout


def test_a_swallowed_ctrl_c_still_stops_the_next_step(monkeypatch):
    """An interrupt lost inside a finalizer ("Exception ignored") must not let the run go on."""
    from kiosk.learning import stopping

    stopping._asked.set()  # as the handler leaves it, after its KeyboardInterrupt was swallowed
    try:
        with pytest.raises(KeyboardInterrupt):
            stopping.check()
    finally:
        stopping._asked.clear()
    stopping.check()  # nothing asked: nothing raised


def test_rollback_skips_a_damaged_version_and_tries_the_older_ones(config):
    taught = config.taught_model_dir
    one, four, mlp = ((SHIPPED / name).read_bytes() for name in ("cnn-e1.onnx", "cnn-e4.onnx", "cnn-dropout0.onnx"))
    for data in (one, four, mlp):
        promotion.promote(data, taught, "cnn")
    newest = sorted((taught / "versions").glob("cnn-2*.onnx"))[-1]  # holds cnn-e4
    newest.write_bytes(b"damaged on the SD card")
    said = promotion.rollback(taught, "cnn")
    assert "restored" in said and "skipped damaged" in said, said
    assert (taught / "cnn.onnx").read_bytes() == one
    assert list((taught / "rejected").glob("damaged-*")), "the damaged file is kept aside, not deleted"


def teaching_status_without_a_lesson(store):
    from kiosk.teaching.status import TeachingStatus

    return TeachingStatus(store.count())


def test_a_rollback_marks_the_last_report_undone(config):
    from kiosk.teaching.status import REPORT_NAME, teaching_status
    from kiosk.retraining.status import retrain_status

    taught = config.taught_model_dir
    promotion.promote((SHIPPED / "cnn-e1.onnx").read_bytes(), taught, "cnn")
    (config.data_dir_path / REPORT_NAME).write_text(json.dumps(
        {"kind": "cnn", "promoted": True, "drawings": 30, "before": {"held_out": 0.8}, "after": {"held_out": 0.9}}))
    store = FeedbackStore(config.feedback_dir)
    assert teaching_status(store, config.data_dir_path) != teaching_status_without_a_lesson(store)
    promotion.rollback(taught, "cnn")
    assert teaching_status(store, config.data_dir_path) == teaching_status_without_a_lesson(store)
    report = json.loads((config.data_dir_path / REPORT_NAME).read_text())
    assert report["promoted"] is False and report["reasons"] == ["rolled back with --rollback"]
    assert "kept aside: rolled back" in retrain_status(config)


def test_backups_of_rollbacks_are_pruned(config):
    taught = config.taught_model_dir
    for _ in range(6):
        promotion.promote((SHIPPED / "cnn-e1.onnx").read_bytes(), taught, "cnn")
        while "shipped" not in promotion.rollback(taught, "cnn"):
            pass
    assert len(list((taught / "versions").glob("cnn-rolled-back-*.onnx.bak"))) == promotion.KEEP_VERSIONS


def test_a_read_only_data_dir_on_rollback_says_where_to_look(config, tmp_path):
    promotion.promote((SHIPPED / "cnn-e1.onnx").read_bytes(), config.taught_model_dir, "cnn")
    promotion.promote((SHIPPED / "cnn-e4.onnx").read_bytes(), config.taught_model_dir, "cnn")
    settings = config_file(config, tmp_path)
    code = ("import sys, kiosk.atomic_write as w\n"
            "def full(*a, **k): raise OSError(28, 'No space left on device')\n"
            "w.write_bytes_atomic = full\n"
            "import kiosk.retraining.promotion as p; p.write_bytes_atomic = full\n"
            "from kiosk.__main__ import main\n"
            f"sys.exit(main(['retrain', '--config', {str(settings)!r}, '--kind', 'cnn', '--rollback']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert done.returncode == 2 and "data dir" in done.stderr and "--out" not in done.stderr, done.stderr
