"""AudioOut: the loudspeaker through pygame.mixer, or nothing, with another try every so often.

A kiosk may boot before its USB speaker is plugged in, or lose the HDMI audio sink: no device is not
an error, just silence until a later retry finds one. One channel for speech, so the newest
utterance cuts off the one before it.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import pygame

from kiosk import native_output

log = logging.getLogger(__name__)

RETRY_S = 30.0  # how often to look for an audio device again while there is none


class AudioOut:
    """Plays sounds on one speech channel; ready() is False (and retries later) when there is no device."""

    def __init__(self, volume: float = 0.8, retry_s: float = RETRY_S, clock=time.monotonic):
        self.volume, self.retry_s, self.clock = volume, retry_s, clock
        self._channel: pygame.mixer.Channel | None = None
        self._next_try = 0.0
        self.failures = 0

    def ready(self) -> bool:
        """True if sound can play now; opens the device on first use and after the retry interval."""
        if self._channel is not None:
            return True
        if self.clock() < self._next_try:
            return False
        problem = None
        with native_output.captured() as chatter:  # alsa-lib prints 8 lines when there is no sound card
            try:
                # 22.05 kHz mono is what the clips are; a 512-sample buffer keeps the start of speech quick.
                pygame.mixer.init(frequency=22050, size=-16, channels=1, buffer=512)
            # NotImplementedError/ImportError: a pygame whose mixer cannot load (no libglib on Pi OS Lite)
            except (pygame.error, NotImplementedError, ImportError) as error:
                problem = error
        for line in chatter:
            log.debug("audio driver: %s", line)
        if problem is not None:
            self._fail(f"no audio device ({problem}); speaking silently, trying again in {self.retry_s:.0f} s")
            return False
        self._channel = pygame.mixer.Channel(0)
        self._channel.set_volume(self.volume)
        log.info("audio device open: %s", pygame.mixer.get_init())
        return True

    def play_effect(self, samples) -> bool:
        """A short sound (int16 mono samples at 22.05 kHz) on its own channel, under the speech, never cutting it."""
        if not self.ready():
            return False
        try:
            channel = pygame.mixer.Channel(1)
            channel.set_volume(self.volume * 0.5)
            channel.play(pygame.sndarray.make_sound(samples))
            return True
        except (pygame.error, ValueError) as error:  # the device went away, or a mixer opened differently
            log.debug("effect not played: %s", error)
            return False

    def load(self, path: Path) -> pygame.mixer.Sound | None:
        """The sound in a WAV or OGG file, or None if it does not decode."""
        if not self.ready():
            return None
        try:
            return pygame.mixer.Sound(str(path))
        except (pygame.error, FileNotFoundError, OSError) as error:
            log.warning("cannot decode %s: %s", path, error)
            return None

    def play(self, sound: pygame.mixer.Sound) -> bool:
        """Start sound now, cutting off whatever was being said."""
        if not self.ready():
            return False
        try:
            self._channel.play(sound)
            return True
        except pygame.error as error:  # the device went away under us
            self._fail(f"audio playback failed ({error}); trying the device again in {self.retry_s:.0f} s")
            return False

    def device_removed(self) -> None:
        """SDL says an output device went away (a USB speaker unplugged): silent until one is back."""
        if self._channel is not None:
            self._fail("the audio device was removed; speaking silently until one comes back")

    def device_added(self) -> None:
        """SDL says an output device appeared: try it at once instead of waiting for the retry."""
        if self._channel is None:
            self._next_try = 0.0

    def set_volume(self, volume: float) -> None:
        self.volume = volume
        if self._channel is not None:
            self._channel.set_volume(volume)

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.stop()

    @property
    def busy(self) -> bool:
        return self._channel is not None and self._channel.get_busy()

    def _fail(self, message: str) -> None:
        if self.failures == 0:
            log.warning(message)
        else:
            log.debug(message)
        self.failures += 1
        self._channel = None
        self._next_try = self.clock() + self.retry_s
        try:
            pygame.mixer.quit()
        except (pygame.error, NotImplementedError, ImportError):
            pass
