"""The load check on ink: the shipped example digits through a model or the gate, before the kiosk uses it.

The Recognizer and the gate already refuse NaN or out-of-range answers on these drawings; here a model
must also read most of them right, and answer each within the time budget, one drawing at a time as the
kiosk asks. Each refusal is a ModelLoadError naming the file; the caller logs it and falls back.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

import numpy as np

from kiosk.errors import ModelLoadError, ModelRunError
from kiosk.recognition.example_digits import example_images
from kiosk.recognition.preprocess import to_model_input
from kiosk.recognition.recognizer import ModelLimits, Recognizer

if TYPE_CHECKING:  # the gate's loader calls prove_gate
    from kiosk.recognition.gate import NotDigitGate

# The shipped CNN reads 20 of the 20 examples, the MLP 19; a model shuffled or trained into the ground
# (learning rate 1 says 1 to everything) reads 2. Most, not all: a retrained model may miss a style.
MIN_RIGHT = 0.7
# The shipped gate calls none of the examples "not a number" (at most 0.03); one that calls many so is broken.
MAX_CALLED_NOT_A_NUMBER = 0.1
# Answers over the budget before the model counts as slow: one is a hiccup (a page fault, the GC), three are not.
MAX_SLOW_ANSWERS = 2


def prove_digit_model(recognizer: Recognizer) -> None:
    """ModelLoadError naming the file unless the model reads most example digits right, each in budget."""
    images, digits = example_images()
    answers = _timed_answers(lambda x: recognizer.probabilities(x)[0], images, recognizer.limits, recognizer.path)
    right = float(np.mean(np.argmax(answers, axis=1) == digits))
    if right < MIN_RIGHT:
        raise ModelLoadError(f"{recognizer.path} reads {right:.0%} of the example digits right (at least "
                             f"{MIN_RIGHT:.0%} expected of a digit model): not used")


def prove_gate(gate: NotDigitGate, max_not_digit: float) -> None:
    """ModelLoadError naming the file if the gate calls the example digits "not a number", or is slow."""
    images, _ = example_images()
    answers = _timed_answers(lambda x: gate.run(x)[0], images, gate.limits, gate.path)
    called = float(np.mean(answers[:, 1] >= max_not_digit))
    if called > MAX_CALLED_NOT_A_NUMBER:
        raise ModelLoadError(f"{gate.path} calls {called:.0%} of the example digits \"not a number\" (at most "
                             f"{MAX_CALLED_NOT_A_NUMBER:.0%} allowed): not used")


def _timed_answers(answer: Callable[[np.ndarray], np.ndarray], images: np.ndarray, limits: ModelLimits,
                   path) -> np.ndarray:
    """Each image's answer, one at a time as the kiosk asks; ModelLoadError when answers are slow or fail."""
    answers, slow_ms = [], []
    for image in images:
        started = time.perf_counter()
        try:
            answers.append(answer(to_model_input(image)))
        except ModelRunError as error:
            raise ModelLoadError(f"{error} (on the example digits): not used") from error
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms > limits.answer_budget_ms:
            slow_ms.append(elapsed_ms)
        if len(slow_ms) > MAX_SLOW_ANSWERS:
            raise ModelLoadError(f"{path} takes {np.median(slow_ms):.0f} ms an answer, over the "
                                 f"{limits.answer_budget_ms:g} ms budget (model_answer_budget_ms): not used")
    return np.array(answers)  # (N, classes)
