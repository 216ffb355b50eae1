"""A clear first run: no screen is said in one line (never an invisible kiosk), the C libraries'
device-probing chatter stays off the terminal, and --windowed fits the screen it opens on."""

import json
import os
import subprocess
import sys

import pygame
import pytest

from conftest import PROJECT_ROOT
from kiosk import native_output
from kiosk.app import LaunchOptions, refuse_an_invisible_screen, window_size
from kiosk.errors import KioskError
from kiosk.voice.audio_out import AudioOut


def test_native_writes_to_stderr_are_captured_and_handed_back():
    with native_output.captured() as lines:
        os.write(2, b"ALSA lib confmisc.c:855:(parse_card) cannot find card '0'\n\n")
        assert lines == []  # filled when the block ends
    assert lines == ["ALSA lib confmisc.c:855:(parse_card) cannot find card '0'"]
    os.write(2, b"")  # fd 2 is back and usable


def start_kiosk(tmp_path, *args, **env_changes):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER", "SDL_AUDIODRIVER", "XDG_RUNTIME_DIR")
    }
    env.update(HOME=str(tmp_path), **env_changes)
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path
    )


@pytest.mark.slow
def test_with_no_screen_the_kiosk_says_so_in_one_line_and_stops(tmp_path):
    done = start_kiosk(tmp_path)
    assert done.returncode == 2, (done.returncode, done.stderr)
    problems = [line for line in done.stderr.splitlines() if " INFO " not in line]
    assert len(problems) == 1 and "no screen found" in problems[0] and "--headless" in problems[0], done.stderr
    assert "XDG_RUNTIME_DIR" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_normal_start_without_a_sound_card_is_quiet(tmp_path):
    """SDL tries the real audio drivers (ALSA here, where there is no card): one warning of ours, no chatter."""
    done = start_kiosk(tmp_path, "--replay", "/dev/null", "--exit-when-done", SDL_VIDEODRIVER="dummy")
    assert done.returncode == 0, done.stderr
    assert "ALSA lib" not in done.stderr and "XDG_RUNTIME_DIR" not in done.stderr, done.stderr
    assert all(" INFO " in line or " WARNING " in line for line in done.stderr.splitlines()), done.stderr


@pytest.mark.parametrize("driver", ["offscreen", "dummy"])
def test_an_invisible_fallback_driver_is_refused_unless_asked_for(monkeypatch, driver):
    monkeypatch.setattr(pygame.display, "get_driver", lambda: driver)
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    with pytest.raises(KioskError, match="no screen found"):
        refuse_an_invisible_screen(LaunchOptions())
    refuse_an_invisible_screen(LaunchOptions(headless=True))
    monkeypatch.setenv("SDL_VIDEODRIVER", driver)  # on purpose, as the benchmarks and tests do
    refuse_an_invisible_screen(LaunchOptions())


def test_a_real_driver_is_accepted(monkeypatch):
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "x11")
    refuse_an_invisible_screen(LaunchOptions())


@pytest.mark.parametrize(
    "desktop, expected",
    [
        ((800, 480), (720, 432)),  # the 7" panel: nothing off screen
        ((480, 800), (432, 720)),  # portrait
        ((1920, 1080), (1280, 800)),
        ((0, 0), (1280, 800)),  # SDL could not tell
    ],
)
def test_the_window_fits_the_screen(desktop, expected):
    width, height = window_size(desktop)
    assert (width, height) == expected
    assert desktop == (0, 0) or (width <= desktop[0] and height <= desktop[1])


def test_a_pygame_without_its_mixer_means_silence_not_a_crash(monkeypatch):
    def no_mixer(*args, **kwargs):
        raise NotImplementedError("mixer module not available (ImportError: libgthread-2.0.so.0)")

    monkeypatch.setattr(pygame.mixer, "init", no_mixer)
    monkeypatch.setattr(pygame.mixer, "quit", no_mixer)
    audio = AudioOut(clock=lambda: 0.0)
    assert audio.ready() is False and audio.failures == 1
    assert audio.ready() is False and audio.failures == 1  # retried later, not every frame


def test_the_kiosk_explains_itself(tmp_path):
    from kiosk import version

    done = start_kiosk(tmp_path, "--version")
    assert done.returncode == 0 and version() in done.stdout
    help_text = start_kiosk(tmp_path, "--help").stdout
    assert "python -m kiosk" in help_text or "digit-kiosk" in help_text
    for flag in ("--config", "--windowed", "--headless", "--size", "--replay", "--events-out", "--exit-when-done"):
        assert flag in help_text
    assert "800x480" in help_text and "fits the screen" in help_text


@pytest.mark.slow
def test_a_kiosk_whose_pygame_has_no_mixer_still_answers_silently(tmp_path):
    """As on Pi OS Lite without libglib: pygame.mixer cannot even be imported."""
    from kiosk import replay
    from kiosk.recognition.example_digits import EXAMPLES

    events = replay.from_strokes([[(60 + 280 * x, 60 + 280 * y) for x, y in s] for s in EXAMPLES[7][0]], 400.0)
    (tmp_path / "seven.jsonl").write_text(replay.dump(events * 3))
    code = (
        "import sys; sys.modules['pygame.mixer'] = None; from kiosk.__main__ import main; "
        "sys.exit(main(['--headless', '--replay', 'seven.jsonl', '--events-out', 'events.jsonl', '--exit-when-done']))"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(PROJECT_ROOT)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert len([r for r in records if r["type"] == "recognized"]) == 3
    assert {r["source"] for r in records if r["type"] == "speech"} == {"none"}  # shown, not said
    assert "Traceback" not in done.stderr and done.stderr.count("no audio device") == 1, done.stderr


def fullscreen_app(tmp_path, monkeypatch, **options):
    from kiosk.app import App
    from kiosk.config import KioskConfig

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")  # on purpose, so it is not refused as invisible
    return App(
        KioskConfig(data_dir=str(tmp_path / "data"), log_dir=str(tmp_path / "logs")),
        LaunchOptions(size=(800, 480), **options),
    )


def test_a_quit_from_the_desktop_never_ends_the_fullscreen_kiosk(tmp_path, monkeypatch, caplog):
    app = fullscreen_app(tmp_path, monkeypatch)
    try:
        for _ in range(20):  # Alt+F4, again and again
            pygame.event.post(pygame.event.Event(pygame.QUIT))
            app.frame(16)
        assert app.running
        assert caplog.text.count("ignored a request to quit") == 1
    finally:
        app.speaker.close()
        pygame.display.quit()


def test_only_the_grown_ups_exit_ends_it_and_says_so_to_systemd(tmp_path, monkeypatch):
    from kiosk.app import EXIT_BY_ADMIN

    app = fullscreen_app(tmp_path, monkeypatch)
    app.screen.next_screen = "exit"  # what the PIN screen asks for after the right PIN
    app.frame(16)
    assert not app.running and app.run() == EXIT_BY_ADMIN
    pygame.display.quit()


def test_a_window_still_closes(tmp_path, monkeypatch):
    app = fullscreen_app(tmp_path, monkeypatch, windowed=True)
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.frame(16)
    assert not app.running and app.run() == 0
    pygame.display.quit()


@pytest.mark.parametrize(
    "driver, expect",
    [
        ("kmsdrm", ("SDL_VIDEODRIVER=kmsdrm",)),
        ("", ("no SDL_VIDEODRIVER set", "--headless")),
    ],
)
def test_cannot_open_the_screen_names_what_was_tried_and_what_next(monkeypatch, driver, expect):
    from kiosk.app import screen_advice

    monkeypatch.setenv("SDL_VIDEODRIVER", driver) if driver else monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    advice = screen_advice()
    assert all(e in advice for e in expect), advice
    assert "kmsdrm" not in advice.split(":", 1)[1] or driver != "kmsdrm"  # never advise the driver that just failed
