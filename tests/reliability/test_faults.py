"""Faults injected while the kiosk runs: model files corrupted or deleted, the settings file broken on
reload, the audio device gone, the data dir unwritable, the clock jumping. It keeps running and says
what happened in one clear log line."""

import errno
import json
import shutil
import signal
import subprocess
import time

import numpy as np
import pygame
import pytest

from conftest import PROJECT_ROOT
from headless_kiosk import bare_env, kiosk_command
from kiosk import replay
from kiosk.teaching import feedback_store
from kiosk.input import PointerDown, PointerMove, PointerUp
from kiosk.recognition.model_files import ModelWatcher

pytestmark = pytest.mark.reliability
SHIPPED = PROJECT_ROOT / "exported_models"


def wait_for(predicate, timeout_s=60.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_model_files_and_settings_broken_while_it_runs(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(SHIPPED, models)
    data = tmp_path / "data"
    (data / "models").mkdir(parents=True)
    shutil.copy(SHIPPED / "cnn-e4.onnx", data / "models" / "cnn.onnx")  # a taught model, in use from the start
    config = tmp_path / "kiosk.toml"
    good_settings = f'model_dir = "{models}"\ndata_dir = "{data}"\nlog_dir = "{tmp_path / "logs"}"\nfps_active = 20\n'
    config.write_text(good_settings)
    events = []
    # A one-stroke "1" every 1.5 s (new models are switched in after 1 s without a touch), for far longer
    # than the test needs: it is stopped with SIGTERM once the faults have been seen to.
    for i in range(20000):
        events += replay.from_strokes(
            [[(150.0, 40.0), (150.0, 200.0), (150.0, 340.0)]], canvas_size=400.0, start_s=0.5 + 1.5 * i
        )
    script, out = tmp_path / "replay.jsonl", tmp_path / "events.jsonl"
    script.write_text(replay.dump(events))
    kiosk = subprocess.Popen(
        kiosk_command(config, script, out),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=bare_env(),
    )
    log = tmp_path / "logs" / "kiosk.log"

    def logged(text):
        return wait_for(lambda: log.exists() and text in log.read_text())

    try:
        assert logged("first frame")
        (data / "models" / "cnn.onnx").write_bytes(b"\x00" * 1000)  # the taught model is corrupted
        assert logged("refused the new cnn model")
        (models / "mlp.onnx").unlink()  # a shipped model is deleted
        assert logged("the mlp model file") and logged("disappeared")
        config.write_text("fps_active = [broken\n")  # the settings file is broken, then reloaded
        kiosk.send_signal(signal.SIGHUP)
        assert logged("settings not reloaded, keeping the current ones")
        config.write_text(good_settings + "volume = 0.3\n")
        kiosk.send_signal(signal.SIGHUP)
        assert logged("settings reloaded")
        assert kiosk.poll() is None, "still running"
        kiosk.send_signal(signal.SIGTERM)  # systemd's stop: finish the frame and exit cleanly
        kiosk.wait(timeout=30)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
    assert kiosk.returncode == 0, kiosk.stdout.read()[-2000:]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    answers = [r for r in records if r["type"] == "recognized"]
    assert len(answers) > 10 and all(r["digit"] == 1 for r in answers), "it kept answering, and right"
    assert [r["reloaded"] for r in records if r["type"] == "settings"] == [False, True]


def draw_a_one(app):
    draw = app.screens["draw"]
    c = draw.canvas
    draw.handle(PointerDown(c.centerx, c.y + 30))
    draw.handle(PointerMove(c.centerx, c.bottom - 30))
    draw.handle(PointerUp(c.centerx, c.bottom - 30))
    draw.press("recognize")
    return draw


def test_the_audio_device_going_away_mid_answer(app, caplog, monkeypatch):
    draw = draw_a_one(app)
    assert app.speaker.audible
    channel = app.speaker.audio._channel

    class Gone:
        def play(self, sound):
            raise pygame.error("Audio device has been removed")

        def __getattr__(self, name):
            return getattr(channel, name)

    app.speaker.audio._channel = Gone()
    draw.press("recognize")
    assert "audio playback failed" in caplog.text
    assert not app.speaker.audible, "silent now: the answer is shown large with a muted loudspeaker"
    app.frame(16)  # the loop goes on
    draw.press("recognize")
    assert draw.prediction.best == 1


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_data_dir_while_children_teach_it(app, caplog, monkeypatch, code):
    draw = draw_a_one(app)
    app.frame(16)
    monkeypatch.setattr(
        feedback_store, "write_text_atomic", lambda path, text: (_ for _ in ()).throw(OSError(code, "injected"))
    )
    draw.handle(PointerDown(*draw.feedback.buttons["yes"].rect.center))
    assert "cannot save the labelled drawing" in caplog.text
    assert draw.feedback.state.value == "thanks", "the child is still thanked"
    app.frame(16)
    assert draw_a_one(app).prediction.best == 1


def test_the_clock_jumping(app):
    draw = draw_a_one(app)
    for dt in (0.0, -5_000.0, 3_600_000.0, float("inf"), 16.0):  # stalled, backwards, a suspend, nonsense
        app.frame(dt)
    assert draw.attract_ms is not None, "after a long jump the kiosk is idle and invites the next child"
    assert app.now_ms < 1e9 and np.isfinite(app.now_ms)
    app.frame(16)
    assert draw_a_one(app).prediction.best == 1 and draw.attract_ms is None


def test_a_model_replaced_by_a_bad_one_while_drawing(app, tmp_path):
    app.model_watcher = ModelWatcher(app.config, every_s=0)
    taught = app.config.taught_model_dir
    taught.mkdir(parents=True)
    (taught / "cnn.onnx").write_bytes(b"garbage")
    app.idle_ms = 5000
    app.frame(16)
    assert app.recognizers[0].path == SHIPPED / "cnn.onnx"
    assert draw_a_one(app).prediction.best == 1


def test_an_error_in_every_frame_is_logged_once_then_counted(app, caplog, monkeypatch):
    """A screen that fails on every frame (a missing mixer once did) must not flood the log."""
    from kiosk.screens.draw import DrawScreen

    def broken_draw(self, surface):
        raise RuntimeError("the same bug, every frame")

    monkeypatch.setattr(DrawScreen, "draw", broken_draw)
    for _ in range(500):
        app.frame(16)
    assert app.running
    assert caplog.text.count("Traceback") == 1
    assert caplog.text.count("the same error inside the screen again") == 2  # at 10 and 100
