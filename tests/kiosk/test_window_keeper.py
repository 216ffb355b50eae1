"""The fullscreen kiosk comes back when a window manager hides, minimizes or unfocuses it (Super+D), and logs it."""

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
