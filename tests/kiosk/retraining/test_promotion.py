"""Promotion: versions kept and pruned, rollback (to the shipped model, past damaged or identical versions), the
lock, leftovers of killed runs, and kill -9 during promotion always leaving a valid model."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.errors import ModelLoadError
from kiosk.recognition.recognizer import Recognizer
from kiosk.retraining import promotion
from kiosk.teaching.feedback_store import FeedbackStore

SHIPPED = PROJECT_ROOT / "exported_models"


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


def test_the_lock_stops_a_second_retrain(config, config_file, run_cli):
    with promotion.retrain_lock(config.data_dir_path):
        result = run_cli("retrain", "--config", config_file, "--no-drawn", "--quiet")
    assert result.returncode == 3 and "another retrain is running" in result.stderr
    with promotion.retrain_lock(config.data_dir_path):  # free again once the holder let go
        pass


def test_rollback_from_the_command_line(config, config_file, run_cli):
    promotion.promote((SHIPPED / "mlp128.onnx").read_bytes(), config.taught_model_dir, "mlp")
    result = run_cli("retrain", "--config", config_file, "--kind", "mlp", "--rollback")
    assert result.returncode == 0 and "shipped" in result.stdout
    assert not (config.taught_model_dir / "mlp.onnx").exists()


PROMOTE_FOREVER = """
import sys
from pathlib import Path
from kiosk.retraining import promotion
taught, a, b = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), Path(sys.argv[3]).read_bytes()
while True:
    for model in (a, b):
        print("promoting", flush=True)  # the test kills once it has seen a chosen number of these
        promotion.promote(model, taught, "cnn")
"""


@pytest.mark.slow
def test_kill_9_during_promotion_always_leaves_a_valid_model(config):
    taught = config.taught_model_dir
    a, b = SHIPPED / "cnn-e1.onnx", SHIPPED / "cnn-e4.onnx"
    promotion.promote(a.read_bytes(), taught, "cnn")  # a current model exists before the first kill
    rng = np.random.default_rng(0)
    for _ in range(8):
        child = subprocess.Popen([sys.executable, "-c", PROMOTE_FOREVER, str(taught), str(a), str(b)], cwd=PROJECT_ROOT,
                                 env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, stdout=subprocess.PIPE, text=True)
        try:
            # Killed while it promotes: after the n-th promotion has begun (it said so), somewhere in it or the next.
            for _ in range(int(rng.integers(1, 40))):
                assert child.stdout.readline() == "promoting\n", "the child stopped promoting before the kill"
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
        current = taught / "cnn.onnx"
        assert current.read_bytes() in (a.read_bytes(), b.read_bytes())
        assert Recognizer(current).kind == "cnn"
        promotion.clean_leftovers(taught)
        assert not list(taught.glob(".*incoming"))


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
    assert len(promotion.versions(taught / "versions", "cnn")) == 1


def test_rollback_skips_a_damaged_version_and_tries_the_older_ones(config):
    taught = config.taught_model_dir
    one, four, mlp = ((SHIPPED / name).read_bytes() for name in ("cnn-e1.onnx", "cnn-e4.onnx", "cnn-dropout0.onnx"))
    for data in (one, four, mlp):
        promotion.promote(data, taught, "cnn")
    newest = promotion.versions(taught / "versions", "cnn")[-1]  # holds cnn-e4
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


def test_a_read_only_data_dir_on_rollback_says_where_to_look(config, config_file):
    promotion.promote((SHIPPED / "cnn-e1.onnx").read_bytes(), config.taught_model_dir, "cnn")
    promotion.promote((SHIPPED / "cnn-e4.onnx").read_bytes(), config.taught_model_dir, "cnn")
    settings = config_file
    code = ("import sys, kiosk.atomic_write as w\n"
            "def full(*a, **k): raise OSError(28, 'No space left on device')\n"
            "w.write_bytes_atomic = full\n"
            "import kiosk.retraining.promotion as p; p.write_bytes_atomic = full\n"
            "from kiosk.__main__ import main\n"
            f"sys.exit(main(['retrain', '--config', {str(settings)!r}, '--kind', 'cnn', '--rollback']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert done.returncode == 2 and "data dir" in done.stderr and "--out" not in done.stderr, done.stderr


class _Clock:
    """datetime.datetime, but whatever time the test says (a Pi with no real-time clock, or a clock set wrong)."""

    def __init__(self, start):
        self.now_value = start

    def now(self, tz=None):
        return self.now_value


def set_clock(monkeypatch, start):
    """promotion's clock only (its module's datetime), so the test's own dates stay real."""
    import datetime as dt
    import types

    clock = _Clock(start)
    monkeypatch.setattr(promotion, "dt", types.SimpleNamespace(datetime=clock, timezone=dt.timezone))
    return clock


NIGHTS = ["cnn-e1", "cnn-e4", "cnn-dropout0", "cnn-dropout0.85", "cnn-lr0.00001", "cnn-lr1", "cnn"]


def at(year, night):
    import datetime as dt

    return dt.datetime(year, 1, 3, 2, 30, tzinfo=dt.timezone.utc) + dt.timedelta(days=night)


def restored_nights(taught, config):
    """Roll back until the shipped model runs; which night's model each rollback brought back."""
    from kiosk.retraining.status import retrain_status

    models = {(SHIPPED / f"{name}.onnx").read_bytes(): name for name in NIGHTS}
    said, kept = [], []
    while True:
        kept.append(int(retrain_status(config).split("cnn: runs")[1].split(" earlier version(s)")[0].split("; ")[-1]))
        if "restored" not in promotion.rollback(taught, "cnn"):
            return said, kept
        said.append(models[(taught / "cnn.onnx").read_bytes()])


@pytest.mark.parametrize("years", [[1970] * 5, [2026, 2036, 2026, 2026, 2026], [2026, 1970, 2036, 1970, 2026]],
                         ids=["at-1970", "ten-years-ahead-and-back", "jumping"])
def test_versions_follow_the_order_of_promotion_whatever_the_clock_says(config, monkeypatch, years):
    clock = set_clock(monkeypatch, at(years[0], 0))
    taught = config.taught_model_dir
    for night, year in enumerate(years):
        clock.now_value = at(year, night)
        promotion.promote((SHIPPED / f"{NIGHTS[night]}.onnx").read_bytes(), taught, "cnn")
    # Night 5 runs; nights 2, 3 and 4 are kept (the limit is 3), newest first back, then the shipped model.
    said, kept = restored_nights(taught, config)
    assert said == [NIGHTS[3], NIGHTS[2], NIGHTS[1]]
    assert kept == [3, 2, 1, 0], "--status counts what --rollback can restore"


def test_rejected_models_are_pruned_whatever_the_clock_says(config, monkeypatch):
    clock = set_clock(monkeypatch, at(1970, 0))
    taught = config.taught_model_dir
    for night, year in enumerate([1970, 1970, 2036, 2026, 1970, 1970, 2026]):
        clock.now_value = at(year, night)
        promotion.set_aside((SHIPPED / f"{NIGHTS[night]}.onnx").read_bytes(), taught, "cnn", {"night": night})
    kept = promotion.versions(taught / "rejected", "cnn")
    assert [json.loads(p.with_suffix(".json").read_text())["night"] for p in kept] == [4, 5, 6]
    assert len(list((taught / "rejected").iterdir())) == 2 * promotion.KEEP_VERSIONS


def test_date_named_versions_of_an_older_kiosk_are_still_found_and_go_first(config):
    taught = config.taught_model_dir
    models = {(SHIPPED / f"{name}.onnx").read_bytes(): name for name in NIGHTS}
    (taught / "versions").mkdir(parents=True)
    for name, stamp in (("cnn-e1", "19700103T023000000000Z"), ("cnn-e4", "20261124T023000000000Z")):
        (taught / "versions" / f"cnn-{stamp}.onnx").write_bytes((SHIPPED / f"{name}.onnx").read_bytes())
    for name in ("cnn-dropout0", "cnn-lr1", "cnn"):
        promotion.promote((SHIPPED / f"{name}.onnx").read_bytes(), taught, "cnn")
    kept = [models[p.read_bytes()] for p in promotion.versions(taught / "versions", "cnn")]
    assert kept == ["cnn-e4", "cnn-dropout0", "cnn-lr1"], "the oldest (date-named) went first"
    assert "restored" in promotion.rollback(taught, "cnn")
    assert models[(taught / "cnn.onnx").read_bytes()] == "cnn-lr1"


PROMOTE_ONE = """
import sys
from pathlib import Path
from kiosk.retraining import promotion
promotion.promote(Path(sys.argv[2]).read_bytes(), Path(sys.argv[1]), "cnn")
"""


@pytest.mark.slow
def test_status_and_rollback_agree_under_a_clock_that_jumps(config, config_file):
    """End to end with the system clock itself faked: nights promoted in 2026, 2036 (ten years ahead), then 2026
    again; --status and --rollback run with the clock at 1970, as on a Pi booted without network time."""
    if shutil.which("faketime") is None:
        if os.environ.get("CI"):
            pytest.fail("faketime is not installed; .ci/run installs it")
        pytest.skip("faketime is not installed (sudo apt-get install faketime)")

    def at(when, *command):
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        done = subprocess.run(["faketime", when, sys.executable, *map(str, command)], capture_output=True, text=True,
                              timeout=120, cwd=PROJECT_ROOT, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    taught, settings = config.taught_model_dir, config_file
    for night, year in enumerate([2026, 2036, 2026, 2026, 2026]):
        at(f"{year}-01-0{night + 1} 02:30:00", "-c", PROMOTE_ONE, taught, SHIPPED / f"{NIGHTS[night]}.onnx")
    models = {(SHIPPED / f"{name}.onnx").read_bytes(): name for name in NIGHTS}
    restored = []
    for _ in range(4):
        status = at("1970-01-03 02:30:00", "-m", "kiosk", "retrain", "--config", settings, "--status")
        said = at("1970-01-03 02:30:00", "-m", "kiosk", "retrain", "--config", settings, "--rollback")
        restored.append((status.split(" earlier version(s)")[0].split("; ")[-1], "restored" in said,
                         models.get((taught / "cnn.onnx").read_bytes()) if (taught / "cnn.onnx").exists() else None))
    assert restored == [("3", True, NIGHTS[3]), ("2", True, NIGHTS[2]), ("1", True, NIGHTS[1]), ("0", False, None)]
