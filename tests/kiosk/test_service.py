"""Systemd integration: READY and watchdog pings over a real datagram socket, and the runtime check
that turns a crashing runtime (SIGILL) into one clear line."""
import socket
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT
from kiosk import service
from kiosk.errors import KioskError
from kiosk.service import SystemdNotifier, check_runtime


@pytest.fixture
def notify_socket(tmp_path):
    path = tmp_path / "notify"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(path))
    listener.settimeout(2)
    yield path, listener
    listener.close()


def test_ready_and_watchdog_pings_reach_systemd(notify_socket):
    path, listener = notify_socket
    now = [0.0]
    notifier = SystemdNotifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "10000000"}, clock=lambda: now[0])
    assert notifier.active and notifier.interval_s == 5.0
    notifier.ready()
    notifier.ping()
    notifier.ping()  # too soon: not sent
    now[0] = 5.1
    notifier.ping()
    notifier.stopping()
    received = [listener.recv(100).decode() for _ in range(4)]
    assert received == ["READY=1", "WATCHDOG=1", "WATCHDOG=1", "STOPPING=1"]


def test_outside_systemd_nothing_happens():
    notifier = SystemdNotifier({})
    assert not notifier.active and notifier.interval_s is None
    notifier.ready()
    notifier.ping()


@pytest.mark.slow
def test_the_headless_kiosk_tells_systemd_it_is_ready_and_pings(notify_socket, tmp_path):
    path, listener = notify_socket
    env = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "2000000"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "--headless", "--replay", "/dev/null", "--exit-when-done"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    messages = []
    listener.settimeout(0.5)
    try:
        while True:
            messages.append(listener.recv(100).decode())
    except socket.timeout:
        pass
    assert messages[0] == "WATCHDOG=1" and "READY=1" in messages and messages[-1] == "STOPPING=1"


def test_a_runtime_that_crashes_with_sigill_is_reported_clearly(monkeypatch):
    monkeypatch.setattr(service, "RUNTIME_PROBE", "import os, signal; os.kill(os.getpid(), signal.SIGILL)")
    with pytest.raises(KioskError, match="illegal instruction.*onnxruntime!=1.21.0"):
        check_runtime()


def test_the_real_runtime_passes_its_check():
    from kiosk.recognition.runtime import ort as onnxruntime

    assert check_runtime() == onnxruntime.__version__


def test_the_runtime_check_tries_the_video_and_audio_it_will_use(monkeypatch, caplog):
    import logging

    caplog.set_level(logging.INFO)
    monkeypatch.setenv("SDL_VIDEODRIVER", "offscreen")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    check_runtime()
    assert "video: offscreen; audio: ok" in caplog.text
    caplog.clear()
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")  # a speaker that is not there: reported, not fatal
    check_runtime()
    assert "video: offscreen; audio: unavailable" in caplog.text
