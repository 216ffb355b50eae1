"""Living under systemd: tell it when the kiosk is ready, ping its watchdog from the render loop, and
check before anything else that the runtime works on this CPU.

The notify protocol is one datagram to $NOTIFY_SOCKET (no systemd library needed); outside systemd
every call does nothing. If the loop stops turning, the pings stop and systemd restarts the kiosk.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

# Imports the kiosk's runtime and runs one inference: a wheel built for the wrong CPU dies here with
# SIGILL (onnxruntime 1.21.0 on a Raspberry Pi 4 did) instead of taking the kiosk down later.
RUNTIME_PROBE = """
import sys
import numpy, cv2, pygame
from kiosk.recognition.runtime import ort as onnxruntime
from kiosk.config import KioskConfig
from kiosk.recognition.model_files import load_recognizers
recognizer = load_recognizers(KioskConfig.load(sys.argv[1] if len(sys.argv) > 1 else None))[0]
recognizer.probabilities(numpy.zeros((1, 1, 28, 28), numpy.float32))
print(onnxruntime.__version__)
# The video and audio subsystems the kiosk will use (no window: a crash in a driver shows here too).
try:
    pygame.display.init()
    video = pygame.display.get_driver()
    pygame.display.quit()
except pygame.error as error:
    video = f"unavailable ({error})"
try:
    pygame.mixer.init()
    audio = pygame.mixer.get_init() and "ok"
    pygame.mixer.quit()
except (pygame.error, NotImplementedError, ImportError) as error:
    audio = f"unavailable ({error})"
print(f"video: {video}; audio: {audio}")
"""


def check_runtime(config_path=None, timeout_s: float = 60.0, devices: bool = True) -> str:
    """Run the probe in a child process; returns the onnxruntime version or raises KioskError saying what to do.

    devices=True tries the real video and audio drivers (logged: a screen or a speaker missing is not
    an error here, the kiosk says so itself); False uses SDL's dummy ones (--headless).
    """
    command = [sys.executable, "-c", RUNTIME_PROBE] + ([str(config_path)] if config_path else [])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the kiosk, even when not installed
    env = {
        **os.environ,
        "PYGAME_HIDE_SUPPORT_PROMPT": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH", "")])),
    }
    if not devices:
        env.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, env=env)
    except subprocess.TimeoutExpired:
        raise KioskError(
            f"the runtime check (numpy, opencv, pygame, onnxruntime) did not finish in {timeout_s:.0f} s"
        ) from None
    if done.returncode != 0 and done.stderr.strip():
        log.error(
            "the runtime check said:\n%s", done.stderr.strip()[-4000:], extra={"console": False}
        )  # for "see the log"
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        hint = (
            (
                "an illegal instruction: this onnxruntime build does not suit this CPU "
                "(1.21.0 crashes on a Raspberry Pi 4); "
                "install another, e.g. .venv/bin/pip install 'onnxruntime!=1.21.0'"
            )
            if name == "SIGILL"
            else "see the log"
        )
        raise KioskError(f"the kiosk's runtime crashed with {name} when it was started: {hint}")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        if last.startswith("kiosk.errors."):  # the kiosk's own error says what to do: no class name, no "runtime"
            raise KioskError(last.split(": ", 1)[-1])
        raise KioskError(f"the kiosk's runtime does not work here: {last}")
    version, _, devices_line = done.stdout.strip().partition("\n")
    if devices_line:
        log.info("runtime check: %s", devices_line.strip())
    return version.strip()


class SystemdNotifier:
    """READY=1 once the first frame is shown, WATCHDOG=1 from the loop at half the watchdog interval."""

    def __init__(self, environ=os.environ, clock=time.monotonic):
        self.clock = clock
        address = environ.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address  # "@" is Linux's abstract namespace
        usec = environ.get("WATCHDOG_USEC", "")
        watchdog_pid = environ.get("WATCHDOG_PID", "")
        self.interval_s = int(usec) / 2e6 if usec.isdigit() and watchdog_pid in ("", str(os.getpid())) else None
        self._next_ping = 0.0
        self._socket = None
        if self._address:
            try:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            except OSError as error:
                log.warning("cannot talk to systemd: %s", error)

    @property
    def active(self) -> bool:
        return self._socket is not None

    def _send(self, message: str) -> None:
        if self._socket is None:
            return
        try:
            self._socket.sendto(message.encode(), self._address)
        except OSError as error:  # systemd restarted, or the socket went away: keep drawing
            log.debug("systemd notify failed: %s", error)

    def ready(self) -> None:
        self._send("READY=1")

    def ping(self) -> None:
        """Call every frame; sends at most one ping per half watchdog interval."""
        if self.interval_s is None or self.clock() < self._next_ping:
            return
        self._next_ping = self.clock() + self.interval_s
        self._send("WATCHDOG=1")

    def stopping(self) -> None:
        self._send("STOPPING=1")
