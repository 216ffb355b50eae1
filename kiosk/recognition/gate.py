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

from kiosk.errors import ModelLoadError
from kiosk.recognition import model_contract as contract
from kiosk.recognition.preprocess import to_model_input

log = logging.getLogger(__name__)


class NotDigitGate:
    """One onnxruntime session on one thread: (28, 28) uint8 picture -> probability it is not a number."""

    def __init__(self, path: str | Path):
        from kiosk.recognition.recognizer import _open_session  # one way to open a model, one place

        self.path = Path(path)
        self._session, self.version = _open_session(self.path)
        inputs = [(i.name, i.shape) for i in self._session.get_inputs()]
        outputs = [(o.name, o.shape) for o in self._session.get_outputs()]
        metadata = self._session.get_modelmeta().custom_metadata_map
        problems = []
        if [n for n, _ in inputs] != [contract.INPUT_NAME] or list(inputs[0][1][1:]) != list(contract.INPUT_SHAPE):
            problems.append(f"inputs are {inputs}, expected {contract.INPUT_NAME} [N, 1, 28, 28]")
        if [n for n, _ in outputs] != [contract.GATE_OUTPUT_NAME] or list(outputs[0][1][1:]) != [2]:
            problems.append(f"outputs are {outputs}, expected {contract.GATE_OUTPUT_NAME} [N, 2]")
        if metadata.get(contract.META_MODEL_KIND) != contract.GATE_KIND:
            problems.append(f"model_kind is {metadata.get(contract.META_MODEL_KIND)!r}, expected {contract.GATE_KIND!r}")
        if problems:
            raise ModelLoadError(f"{self.path} is not a gate the kiosk can use: " + "; ".join(problems))
        try:
            out = self._run(np.zeros((2, *contract.INPUT_SHAPE), np.float32))
        except Exception as error:  # onnxruntime's own classes for a model that fails at run time
            raise ModelLoadError(f"{self.path} fails on a test image ({error})") from error
        if out.shape != (2, 2) or not np.all(np.isfinite(out)) or np.abs(out.sum(axis=1) - 1).max() > 1e-3:
            raise ModelLoadError(f"{self.path} does not give two probabilities on a test image")

    def _run(self, batch: np.ndarray) -> np.ndarray:
        return self._session.run([contract.GATE_OUTPUT_NAME], {contract.INPUT_NAME: batch})[0]

    def not_digit(self, image: np.ndarray) -> float:
        """How likely this preprocessed (28, 28) picture is not a number, 0 to 1."""
        return float(self._run(to_model_input(image))[0, 1])


def load_gate(model_dir: Path) -> NotDigitGate | None:
    """The shipped gate, or None (logged) when it is missing or broken: the kiosk works on without it."""
    path = Path(model_dir) / contract.GATE_FILE
    if not path.exists():
        log.warning("no %s in %s: 'not a number' is judged by the drawing's shape alone", contract.GATE_FILE, model_dir)
        return None
    try:
        return NotDigitGate(path)
    except ModelLoadError as error:
        log.error("the gate was not used: %s", error)
        return None
