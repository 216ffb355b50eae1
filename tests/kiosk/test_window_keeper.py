"""The fullscreen kiosk comes back when a window manager hides, minimizes or unfocuses it (Super+D), and logs it."""

import os
import shutil
import subprocess
import sys
import time

import pygame
import pytest

from kiosk.app import window_keeper
from kiosk.app.window_keeper import RETRY_MS, WindowKeeper


class FakeWindow:
    """Notes what was asked of the window, and leaves it where it is (as a compositor that refuses)."""

    def __init__(self, calls):
        self.calls = calls

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append(name)


@pytest.fixture
def window_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(window_keeper, "display_window", lambda: FakeWindow(calls))
    return calls


@pytest.mark.parametrize("sign", ["WINDOWHIDDEN", "WINDOWMINIMIZED", "WINDOWFOCUSLOST"])
def test_a_hidden_minimized_or_unfocused_kiosk_brings_itself_back_and_logs_it(app, window_calls, caplog, sign):
    app.frame(16)
    pygame.event.post(pygame.event.Event(getattr(pygame, sign)))  # Super+D under labwc, openbox, xfwm...
    app.frame(16)
    assert window_calls[:3] == ["restore", "show", "focus"], "raised and restored, under X11 and Wayland alike"
    assert "bringing it back in front" in caplog.text
    pygame.event.post(pygame.event.Event(pygame.WINDOWRESTORED))
    app.frame(16)
    window_calls.clear()
    for _ in range(100):
        app.frame(16)
    assert window_calls == [], "back in front: nothing more to do"


def test_a_compositor_that_refuses_is_asked_once_a_second_not_every_frame(app, window_calls, caplog):
    pygame.event.post(pygame.event.Event(pygame.WINDOWHIDDEN))
    for _ in range(5 * 1000 // 20):  # five seconds of frames, the window still away
        app.frame(20)
    assert 4 <= window_calls.count("restore") <= 6
    assert caplog.text.count("bringing it back in front") == 1, "one line a minute at most"


def test_the_kiosk_insists_on_fullscreen_but_a_headless_or_windowed_one_does_not(app_factory, window_calls):
    keeper = WindowKeeper(fullscreen=True)
    app_factory()  # a display to ask (the dummy one is never fullscreen)
    keeper.notice(pygame.event.Event(pygame.WINDOWMINIMIZED))
    assert keeper.update(RETRY_MS) and window_calls[-1] == "set_fullscreen"
    window_calls.clear()
    headless = WindowKeeper(fullscreen=False)
    headless.notice(pygame.event.Event(pygame.WINDOWMINIMIZED))
    assert headless.update(0) and "set_fullscreen" not in window_calls


def test_sdls_own_window_takes_the_calls(app, caplog):
    pygame.event.post(pygame.event.Event(pygame.WINDOWMINIMIZED))
    app.frame(16)
    app.frame(16)
    assert "bringing it back in front" in caplog.text and "could not bring" not in caplog.text
    assert app.surface is pygame.display.get_surface()


def _viewable(window, env):
    info = subprocess.run(["xwininfo", "-id", window], env=env, capture_output=True, text=True).stdout
    return "IsViewable" in info


@pytest.mark.slow
@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("Xvfb", "openbox", "xdotool", "xwininfo")),
    reason="needs Xvfb, openbox, xdotool and xwininfo (apt-get install xvfb openbox xdotool x11-utils)",
)
def test_under_a_real_window_manager_super_d_minimize_and_unmap_each_come_back(tmp_path):
    # Before: Super+D left the desktop in front, and SDL's restore then froze the loop waiting for a map.
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1024x600x24"],
        pass_fds=[write_fd],
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    env = {**os.environ, "DISPLAY": ":" + os.read(read_fd, 16).decode().strip(), "SDL_AUDIODRIVER": "dummy"}
    env.pop("SDL_VIDEODRIVER", None)
    (tmp_path / "kiosk.toml").write_text(f'data_dir = "{tmp_path}/data"\nlog_dir = "{tmp_path}/logs"\n')
    started = [xvfb, subprocess.Popen(["openbox"], env=env, stderr=subprocess.DEVNULL)]
    try:
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--config", str(tmp_path / "kiosk.toml")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(kiosk)
        window = ""
        for _ in range(120):
            found = subprocess.run(["xdotool", "search", "--class", "__main__.py"], env=env, capture_output=True)
            window = found.stdout.decode().split()[-1] if found.stdout.split() else ""
            if window and _viewable(window, env):
                break
            time.sleep(0.5)
        assert window, "the kiosk opened its window"
        for action in (["key", "super+d"], ["windowminimize", window], ["windowunmap", window], ["key", "super+d"]):
            subprocess.run(["xdotool", *action], env=env, check=True)
            time.sleep(0.3)
            deadline = time.monotonic() + 3
            while not _viewable(window, env) and time.monotonic() < deadline:
                time.sleep(0.1)
            back = _viewable(window, env)  # (a bare name: the message does not print the environment)
            assert back, f"back in front after xdotool {action[0]}"
        kiosk.terminate()
        assert kiosk.wait(timeout=10) == 0, "the loop still turns: SIGTERM ends it cleanly"
        assert "bringing it back in front" in kiosk.stderr.read()
    finally:
        for process in reversed(started):
            process.kill()
            process.wait()
