"""The attract loop's voice: at most a configured number of times an hour, for the staff's sake."""

import numpy as np
import pygame

from kiosk.config import KioskConfig
from kiosk.recognition.recognizer import Prediction
from kiosk.ui.attract import AttractLoop

HOUR_MS = 3_600_000


def a_loop(said: list, per_hour: int | None = None) -> AttractLoop:
    def read(strokes):
        return Prediction(2, tuple(1.0 if d == 2 else 0.0 for d in range(10)), np.zeros((28, 28), np.uint8), best=2)

    extra = {} if per_hour is None else {"said_per_hour": per_hour}
    return AttractLoop(pygame.Rect(0, 0, 400, 400), read, said.append, **extra)


def run_for(loop: AttractLoop, ms: int, step_ms: int = 300) -> None:
    for _ in range(ms // step_ms):
        loop.update(step_ms)


def test_the_attract_voice_speaks_at_most_twelve_times_an_hour_by_default():
    said: list = []
    loop = a_loop(said)
    loop.start()
    run_for(loop, HOUR_MS)
    assert KioskConfig().attract_voice_per_hour == 12
    assert 10 <= len(said) <= 12, f"{len(said)} guesses said in an hour (it was about 120)"


def test_a_child_passing_by_does_not_reset_the_voices_limit():
    said: list = []
    loop = a_loop(said, per_hour=12)
    for _ in range(40):  # a child touches every 90 s for an hour: the loop stops and starts again each time
        loop.start()
        run_for(loop, 90_000)
        loop.stop()
    assert 1 <= len(said) <= 12


def test_zero_keeps_the_attract_loop_silent_and_more_is_allowed():
    silent: list = []
    loop = a_loop(silent, per_hour=0)
    loop.start()
    run_for(loop, 600_000)
    assert silent == [] and loop._guesses, "the guesses are still read and shown, only not said"
    chatty: list = []
    loop = a_loop(chatty, per_hour=120)
    loop.start()
    run_for(loop, 600_000)
    assert 15 <= len(chatty) <= 20
