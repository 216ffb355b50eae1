""" "Try my brain": the model a visitor just trained answers on the draw screen until the next visitor.

The recognizers list is shared by every screen and replaced in place, so the swap reaches them all.
"""

from __future__ import annotations

import logging

from kiosk.errors import KioskError
from kiosk.recognition.recognizer import Recognizer

log = logging.getLogger(__name__)


class VisitorModel:
    """Swaps a visitor's model in front of the kiosk's own, and back."""

    def __init__(self, recognizers: list[Recognizer]):
        self.recognizers = recognizers
        self._kiosks: list[Recognizer] | None = None  # the kiosk's own models while a visitor's answers

    @property
    def answering(self) -> bool:
        """A visitor's model is answering (a newly promoted model file waits for the next visitor)."""
        return self._kiosks is not None

    def swap_in(self, path) -> Recognizer | None:
        """Answer with the model at path (with the kiosk's "is it a number?" gate); None if it cannot be used."""
        kiosks = self._kiosks or self.recognizers
        try:
            visitor = Recognizer(path, kiosks[0].uncertainty, kiosks[0].gate)
        except KioskError as error:
            log.error("the visitor's model cannot be used: %s", error)
            return None
        if self._kiosks is None:
            self._kiosks = list(self.recognizers)
        self.recognizers[:] = [visitor] + [r for r in self._kiosks if r.kind != visitor.kind]
        return visitor

    def swap_out(self) -> None:
        """The kiosk's own models answer again."""
        if self._kiosks is not None:
            self.recognizers[:] = self._kiosks
            self._kiosks = None
