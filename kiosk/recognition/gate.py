"""The gate: a small model that asks "is this a number at all?" before any digit is said.

A digit model must pick one of ten digits, so a letter H or a heart gets a digit, often confidently. The
gate (trained on digits against letters, doodles and shapes) says how likely the picture is not a number;
the kiosk then answers "that doesn't look like a number". It is optional: without a usable gate file the
kiosk logs why and relies on the drawing's shape alone, as before.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from kiosk.errors import ModelLoadError, ModelRunError
from kiosk.recognition import model_contract as contract
from kiosk.recognition.ink_proof import prove_gate
from kiosk.recognition.preprocess import to_model_input
from kiosk.recognition.recognizer import ModelLimits, _open_session, answer_problem, check_batch
from kiosk.recognition.run_limit import run_within

log = logging.getLogger(__name__)


class NotDigitGate:
    """One onnxruntime session on one thread: (28, 28) uint8 picture -> probability it is not a number."""

    def __init__(self, path: str | Path, limits: ModelLimits = ModelLimits()):
        self.path = Path(path)
        self.limits = limits
        self.failed: str | None = None  # why it stopped answering at run time (the kiosk then answers without it)
        self._session, self.version = _open_session(self.path, limits)
        inputs = [(i.name, i.shape) for i in self._session.get_inputs()]
        outputs = [(o.name, o.shape) for o in self._session.get_outputs()]
        metadata = self._session.get_modelmeta().custom_metadata_map
        problems = []
        if [n for n, _ in inputs] != [contract.INPUT_NAME] or list(inputs[0][1][1:]) != list(contract.INPUT_SHAPE):
            problems.append(f"inputs are {inputs}, expected {contract.INPUT_NAME} [N, 1, 28, 28]")
        if [n for n, _ in outputs] != [contract.GATE_OUTPUT_NAME] or list(outputs[0][1][1:]) != [2]:
            problems.append(f"outputs are {outputs}, expected {contract.GATE_OUTPUT_NAME} [N, 2]")
        if metadata.get(contract.META_MODEL_KIND) != contract.GATE_KIND:
            kind = metadata.get(contract.META_MODEL_KIND)
            problems.append(f"model_kind is {kind!r}, expected {contract.GATE_KIND!r}")
        if problems:
            raise ModelLoadError(f"{self.path} is not a gate the kiosk can use: " + "; ".join(problems))
        try:  # a blank picture and the example digits: a gate can be fine on blank and NaN on ink
            self.run(check_batch()[:1])  # alone first: a gate that hangs is cut off after one picture
            self.run(check_batch())
        except ModelRunError as error:
            raise ModelLoadError(f"{error} (on the test images)") from error

    def run(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, 1, 28, 28) -> (N, 2) [number, not a number]; ModelRunError naming the file if the gate
        raises, runs past its time limit or answers anything but probabilities."""
        out = run_within(lambda options: self._session.run([contract.GATE_OUTPUT_NAME],
                                                           {contract.INPUT_NAME: batch}, options),
                         self.limits.cut_s(len(batch)), str(self.path))[0]
        problem = answer_problem(out, len(batch), 2)
        if problem:
            raise ModelRunError(f"{self.path} {problem}")
        return out

    def not_digit(self, image: np.ndarray) -> float | None:
        """How likely this preprocessed (28, 28) picture is not a number, 0 to 1; None once the gate has
        failed on a drawing (logged once): the kiosk answers without it rather than not at all."""
        if self.failed:
            return None
        try:
            return float(self.run(to_model_input(image))[0, 1])
        except ModelRunError as error:
            self.failed = str(error)
            log.error("the gate stops answering: %s; answers come without it from now on", error)
            return None


def load_gate(model_dir: Path, limits: ModelLimits = ModelLimits(), max_not_digit: float = 0.95
              ) -> NotDigitGate | None:
    """The shipped gate, proved on the example digits, or None (logged) when it is missing, broken, slow or
    calls digits "not a number": the kiosk works on without it."""
    path = Path(model_dir) / contract.GATE_FILE
    if not path.exists():
        log.warning("no %s in %s: 'not a number' is judged by the drawing's shape alone", contract.GATE_FILE, model_dir)
        return None
    try:
        gate = NotDigitGate(path, limits)
        prove_gate(gate, max_not_digit)
        return gate
    except ModelLoadError as error:
        log.error("the gate was not used: %s", error)
        return None
