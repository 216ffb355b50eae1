"""Speakers say a phrase without blocking the loop: a cached clip, else the live voice, else silence.

say() returns where the sound comes from ("clip", "live" or "none"), which the event log records.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

from kiosk.voice import chimes
from kiosk.voice.audio_out import AudioOut
from kiosk.voice.live import LiveVoice
from kiosk.language.phrases import Phrases
from kiosk.voice.clips import VoiceClips
from kiosk.voice.engines import style_of

log = logging.getLogger(__name__)

SOUND_CACHE_SIZE = 48  # decoded clips kept in memory (about 0.1 MB a second of speech each)


class Speaker(Protocol):
    """Says a phrase in a language; update() is called once a frame and must return at once."""

    def say(self, phrase_id: str, lang: str, **values) -> str: ...

    def say_next(self, phrase_id: str, lang: str) -> None: ...

    def chime(self, name: str) -> None: ...

    def update(self) -> None: ...

    def set_volume(self, volume: float, muted: bool) -> None: ...

    def audio_device_changed(self, added: bool) -> None: ...

    @property
    def audible(self) -> bool: ...

    def close(self) -> None: ...


def speak(speaker: Speaker, phrases: Phrases, events, phrase_id: str, **values) -> str:
    """Say a phrase in the current language (with its {values}) and log it, with where the sound came from."""
    lang = phrases.lang
    source = speaker.say(phrase_id, lang, **values) if values else speaker.say(phrase_id, lang)
    events.write(
        type="speech", phrase=phrase_id, text=phrases.text(phrase_id, lang, **values), lang=lang, source=source
    )
    return source


class SilentSpeaker:
    """No audio: the text is shown large on screen instead."""

    audible = False

    def say(self, phrase_id: str, lang: str, **values) -> str:
        return "none"

    def say_next(self, phrase_id: str, lang: str) -> None:
        pass

    def chime(self, name: str) -> None:
        pass

    def update(self) -> None:
        pass

    def set_volume(self, volume: float, muted: bool) -> None:
        pass

    def audio_device_changed(self, added: bool) -> None:
        pass

    def close(self) -> None:
        pass


class VoiceSpeaker:
    """Clip -> live -> silent, each level skipped when it is unavailable; the newest phrase pre-empts."""

    def __init__(
        self, phrases: Phrases, audio: AudioOut, clips: VoiceClips | None, live: LiveVoice | None, muted: bool = False
    ):
        self.phrases, self.audio, self.clips, self.live, self.muted = phrases, audio, clips, live, muted
        self._sounds: OrderedDict[tuple[str, str, str], object] = OrderedDict()
        self._next: tuple[str, str] | None = None  # (phrase_id, lang) to say when the current one ends

    def set_volume(self, volume: float, muted: bool) -> None:
        self.muted = muted
        self.audio.set_volume(volume)

    def audio_device_changed(self, added: bool) -> None:
        if added:
            self.audio.device_added()
        else:
            self.audio.device_removed()

    @property
    def audible(self) -> bool:
        """Whether the visitor can hear the kiosk now (else the screen shows a muted loudspeaker)."""
        return not self.muted and self.audio.ready()

    def say_next(self, phrase_id: str, lang: str) -> None:
        """Say this when the current phrase has finished (the question after the answer)."""
        self._next = (phrase_id, lang)

    def chime(self, name: str) -> None:
        """A little sound: "dot" (one counting dot appears) or "yay" (the child said the answer was right)."""
        if not self.muted:
            self.audio.play_effect(chimes.sound(name))

    def say(self, phrase_id: str, lang: str, **values) -> str:
        self._next = None  # a newer phrase replaces what was waiting, too
        if self.live is not None:
            self.live.cancel()  # a phrase still being rendered is old news now
        if not self.audible:
            return "none"
        text = self.phrases.text(phrase_id, lang, **values)  # a clip exists only for words without numbers in them
        sound = self._clip(phrase_id, lang, text)
        if sound is not None and self.audio.play(sound):
            return "clip"
        if self.live is not None and self.live.start(text, lang, style_of(phrase_id)):
            self.audio.stop()
            return "live"
        return "none"

    def _clip(self, phrase_id: str, lang: str, text: str):
        key = (phrase_id, lang, text)  # a phrase whose words changed is a different sound
        if key in self._sounds:
            self._sounds.move_to_end(key)
            return self._sounds[key]
        path = self.clips.path(phrase_id, lang, text) if self.clips is not None else None
        sound = self.audio.load(path) if path is not None else None
        if sound is not None:
            self._sounds[key] = sound
            if len(self._sounds) > SOUND_CACHE_SIZE:
                self._sounds.popitem(last=False)
        return sound

    def update(self) -> None:
        """Play the live voice's render once it is ready; kills a hung engine (inside LiveVoice.poll);
        then what was waiting to be said."""
        if self.live is not None:
            rendered = self.live.poll()
            if rendered is not None:
                sound = self.audio.load(rendered)
                if sound is not None:
                    self.audio.play(sound)
        rendering = self.live is not None and self.live.busy
        if self._next is not None and not rendering and not self.audio.busy:
            waiting, self._next = self._next, None
            self.say(*waiting)

    def close(self) -> None:
        if self.live is not None:
            self.live.close()
