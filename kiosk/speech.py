"""Speakers say a phrase without blocking the loop. For now a silent one (the voice issue adds real ones)."""
from __future__ import annotations

from typing import Protocol


class Speaker(Protocol):
    """Says a text in a language; returns where the sound comes from: "clip", "live" or "none"."""

    def say(self, text: str, lang: str) -> str: ...


class SilentSpeaker:
    """No audio: the text is shown large on screen instead."""

    def say(self, text: str, lang: str) -> str:
        return "none"
