"""LiveVoice: speech rendered on the spot, for a phrase with no cached clip, in a child process killed on a timeout.

start() returns at once; the loop calls poll() each frame, which hands back the WAV once it is ready.
Only the newest text matters: starting another one kills the one still rendering. An engine that fails
(installed but broken: Pico's library will not load, espeak-ng has no voice) hands the same text to the
next one, and after a few failures in a row it is not asked again.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from kiosk.voice.engines import ENGINES, render_command, speakable
from kiosk.voice.loudness import tidy_wav_file

log = logging.getLogger(__name__)

# Builds the render command for (text_file, lang, out_wav, style); returns (argv, engine name) or None.
CommandFactory = Callable[[Path, str, Path, str], "tuple[list[str], str] | None"]
FAILURES_TO_GIVE_UP = 3  # failures in a row before an engine is left out for the rest of the run


class LiveVoice:
    """Renders one text at a time to a WAV file in a temporary folder of its own."""

    def __init__(
        self, command_factory: CommandFactory | None = None, timeout_s: float = 6.0, folder: Path | None = None
    ):
        """command_factory: None for the engine chain (kiosk/voice/engines.py); folder: where renders go
        (emptied now: a crash may have left some); a fresh temp folder if None."""
        self.command_factory = command_factory or self._chain_command
        self.timeout_s = timeout_s
        self.folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="kiosk-voice-"))
        self._own_folder = folder is None
        self._empty_folder()
        self.process: subprocess.Popen | None = None
        self.engine: str | None = None
        self._out: Path | None = None
        self._started = 0.0
        self._count = 0
        self.hangs = 0  # renders killed for taking too long (reported in the log)
        self.failures: dict[str, int] = {}  # failures in a row, per engine
        self._skip: set[str] = set()  # engines that already failed this text
        self._asked: tuple[str, str, str] | None = None  # (text, lang, style) being rendered
        self._tidying: threading.Thread | None = None  # the finished render being set to the one loudness

    def _chain_command(self, text_file: Path, lang: str, out_wav: Path, style: str = "calm"):
        usable = tuple(e for e in ENGINES if e not in self._skip and self.failures.get(e, 0) < FAILURES_TO_GIVE_UP)
        return render_command(text_file, lang, out_wav, style, engines=usable)

    def start(self, text: str, lang: str, style: str = "calm") -> bool:
        """Begin rendering text ("excited": a little higher and quicker).

        False if no engine is installed or it cannot start."""
        self._skip = set()
        return self._start(text, lang, style)

    def _start(self, text: str, lang: str, style: str) -> bool:
        self.cancel()
        self._asked = (text, lang, style)
        if not text.strip():
            return False
        self._empty_folder()  # played sounds live in memory; their files are done with
        self._count += 1
        text_file = self.folder / f"{self._count}.txt"
        out = self.folder / f"{self._count}.wav"
        command = self.command_factory(text_file, lang, out, style)
        if command is None:
            return False
        argv, self.engine = command
        try:
            self.folder.mkdir(parents=True, exist_ok=True)  # a /tmp cleaner may have removed it
            text_file.write_text(speakable(text, lang, self.engine), encoding="utf-8")
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as error:
            log.warning("live speech could not start %s: %s", argv[0], error)
            self.process = None
            return False
        self._out, self._started = out, time.monotonic()
        return True

    def poll(self) -> Path | None:
        """The finished WAV of the current text, once (None while rendering, after failure, or when idle)."""
        if self._tidying is not None:  # off the loop's thread: on a Pi it takes a few frames
            if self._tidying.is_alive():
                return None
            self._tidying = None
            return self._out
        process = self.process
        if process is None:
            return None
        code = process.poll()
        if code is None:
            if time.monotonic() - self._started > self.timeout_s:
                self.hangs += 1
                self.failures[self.engine] = self.failures.get(self.engine, 0) + 1  # too late for this text
                log.warning("speech engine %s still busy after %.1f s; killed it", self.engine, self.timeout_s)
                self.cancel()
            return None
        self.process = None
        out = self._out
        if code == 0 and out is not None and out.exists() and out.stat().st_size > 44:  # more than a WAV header
            self.failures[self.engine] = 0
            self._tidying = threading.Thread(
                target=self._tidy, args=(out, self.engine), name="live-voice-tidy", daemon=True
            )
            self._tidying.start()
            return None
        log.warning("speech engine %s failed (exit code %s, no sound written)", self.engine, code)
        self.failures[self.engine] = self.failures.get(self.engine, 0) + 1
        if self.failures[self.engine] == FAILURES_TO_GIVE_UP:
            log.error(
                "speech engine %s failed %d times in a row; the next engine speaks from now on",
                self.engine,
                FAILURES_TO_GIVE_UP,
            )
        if self.engine in ENGINES and self._asked is not None:  # the chain: the same words, the next engine
            self._skip.add(self.engine)
            self._start(*self._asked)
        return None

    @property
    def busy(self) -> bool:
        """Rendering or tidying: what was asked has not been handed over yet."""
        return self.process is not None or self._tidying is not None

    @staticmethod
    def _tidy(out: Path, engine: str | None) -> None:
        """The render at the cached clips' loudness, starting at once; left as it came if it cannot be read."""
        tidy = out.with_suffix(".tidy.wav")
        try:
            tidy_wav_file(out, tidy)
            os.replace(tidy, out)
        except Exception as error:  # a strange file from a strange engine must never reach the loop
            log.warning("live speech from %s played as it came (%s)", engine, error)
            try:
                tidy.unlink(missing_ok=True)
            except OSError:
                pass

    def cancel(self) -> None:
        """Stop the render in progress, if any (a newer utterance replaces it)."""
        self._tidying = None  # a tidying still running finishes on its own; its file is not played
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            try:
                process.wait(timeout=0.2)  # SIGKILL is immediate; never stall the loop for long
            except subprocess.TimeoutExpired:  # killed but not yet reaped: the OS finishes it
                log.warning("speech engine did not exit after kill")

    def _empty_folder(self) -> None:
        try:
            for old in self.folder.iterdir():
                old.unlink(missing_ok=True)
        except OSError:  # gone (made again on the next render) or unreadable: nothing to clean
            pass

    def close(self) -> None:
        self.cancel()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        else:
            self._empty_folder()
