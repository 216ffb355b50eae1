"""The stroke model: how the digit was drawn (stroke_channels) -> ten digits and "not a number".

Optional, like the gate: without a usable strokes.onnx the kiosk logs why once and the image model answers
alone, exactly as before. A file is checked against its own contract (input "strokes" (N, 7, 28, 28), output
"probabilities" (N, 11), model_kind "stroke", the channels' and preprocessing's versions, a fused rule in its
metadata) and proved on the example digits (most read right, each in budget) before it is used.
"""
from __future__ import annotations

import functools
import json
import logging
import time
from pathlib import Path

import numpy as np

from kiosk.errors import ModelLoadError, ModelRunError
from kiosk.recognition import model_contract as contract
from kiosk.recognition.example_digits import EXAMPLES
from kiosk.recognition.fusion import FusionRule
from kiosk.recognition.preprocess import PREPROCESSING_VERSION, clean_strokes
from kiosk.recognition.recognizer import ModelLimits, _open_session, answer_problem
from kiosk.recognition.run_limit import run_within
from kiosk.recognition.stroke_channels import STROKE_CHANNELS_VERSION, stroke_channels, to_stroke_input

log = logging.getLogger(__name__)
MIN_RIGHT = 0.7  # of the example digits, as for a digit model (ink_proof.MIN_RIGHT)


class StrokeModel:
    """One onnxruntime session on one thread: stroke channels -> (11,) [ten digits, not a number]."""

    def __init__(self, path: str | Path, limits: ModelLimits = ModelLimits()):
        self.path = Path(path)
        self.limits = limits
        self.failed: str | None = None  # why it stopped answering at run time (the image model then answers alone)
        self._session, self.version = _open_session(self.path, limits)
        metadata = self._session.get_modelmeta().custom_metadata_map
        problems = contract_problems([(i.name, i.shape) for i in self._session.get_inputs()],
                                     [(o.name, o.shape) for o in self._session.get_outputs()], metadata)
        try:
            self.rule = FusionRule.from_dict(json.loads(metadata.get(contract.META_DECISION, "{}")) or {})
        except (ValueError, TypeError, AttributeError) as error:
            problems.append(f"its decision is not a fusion rule ({error})")
        if problems:
            raise ModelLoadError(f"{self.path} is not a stroke model the kiosk can use: " + "; ".join(problems))
        self.metadata = dict(metadata)
        self._prove()

    def run(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, 7, 28, 28) -> (N, 11); ModelRunError naming the file if the model raises, runs past its
        time limit or answers anything but probabilities."""
        out = run_within(lambda options: self._session.run([contract.OUTPUT_NAME],
                                                           {contract.STROKE_INPUT_NAME: batch}, options),
                         self.limits.cut_s(len(batch)), str(self.path))[0]
        problem = answer_problem(out, len(batch), contract.STROKE_CLASSES)
        if problem:
            raise ModelRunError(f"{self.path} {problem}")
        return out

    def probabilities(self, channels: np.ndarray) -> np.ndarray | None:
        """(11,) for one drawing's (7, 28, 28) channels; None once the model has failed (logged once): the image
        model then answers alone rather than not at all."""
        if self.failed:
            return None
        try:
            return self.run(to_stroke_input(channels))[0]
        except ModelRunError as error:
            self.failed = str(error)
            log.error("the stroke model stops answering: %s; the image model answers alone from now on", error)
            return None

    def _prove(self) -> None:
        """ModelLoadError unless it reads most example digits right, one at a time, each within the budget."""
        right, slow = [], 0
        for digit, channels in example_channels():
            started = time.perf_counter()
            try:
                answer = self.run(to_stroke_input(channels))[0]
            except ModelRunError as error:
                raise ModelLoadError(f"{error} (on the example digits): not used") from error
            slow += (time.perf_counter() - started) * 1000 > self.limits.answer_budget_ms
            right.append(int(np.argmax(answer)) == digit)
        if slow > 2:
            raise ModelLoadError(f"{self.path} is over the {self.limits.answer_budget_ms:g} ms budget on {slow} "
                                 "example digits (model_answer_budget_ms): not used")
        if np.mean(right) < MIN_RIGHT:
            raise ModelLoadError(f"{self.path} reads {np.mean(right):.0%} of the example digits right (at least "
                                 f"{MIN_RIGHT:.0%} expected): not used")


@functools.cache
def example_channels() -> tuple[tuple[int, np.ndarray], ...]:
    """Every example digit as the stroke model sees it: (digit, (7, 28, 28) channels), drawn canvas-sized."""
    out = []
    for digit, styles in EXAMPLES.items():
        for style in styles:
            channels = stroke_channels(clean_strokes([[(400 * x, 400 * y) for x, y in s] for s in style]))[1]
            channels.flags.writeable = False  # shared by every check: never edited
            out.append((digit, channels))
    return tuple(out)


def contract_problems(inputs: list[tuple[str, list]], outputs: list[tuple[str, list]],
                      metadata: dict[str, str]) -> list[str]:
    """What keeps a file from being the stroke model this kiosk runs (empty when it fits)."""
    problems = []
    if [n for n, _ in inputs] != [contract.STROKE_INPUT_NAME] \
            or list(inputs[0][1][1:]) != list(contract.STROKE_INPUT_SHAPE):
        problems.append(f"inputs are {inputs}, expected {contract.STROKE_INPUT_NAME} [N, 7, 28, 28]")
    if [n for n, _ in outputs] != [contract.OUTPUT_NAME] or list(outputs[0][1][1:]) != [contract.STROKE_CLASSES]:
        problems.append(f"outputs are {outputs}, expected {contract.OUTPUT_NAME} [N, {contract.STROKE_CLASSES}]")
    expected = {contract.META_MODEL_KIND: contract.STROKE_KIND, contract.META_CONTRACT_VERSION:
                contract.CONTRACT_VERSION, contract.META_PREPROCESSING_VERSION: PREPROCESSING_VERSION,
                contract.META_STROKE_CHANNELS_VERSION: STROKE_CHANNELS_VERSION}
    for key, value in expected.items():
        if metadata.get(key) != value:
            problems.append(f"{key} is {metadata.get(key)!r}, expected {value!r}")
    return problems


def load_stroke_model(model_dir: Path, limits: ModelLimits = ModelLimits()) -> StrokeModel | None:
    """The shipped stroke model, checked and proved, or None (logged once) when it is missing or unusable:
    the image model then answers alone, as before."""
    path = Path(model_dir) / contract.STROKE_FILE
    if not path.exists():
        log.warning("no %s in %s: the image model answers alone (the pen's path is not used)", contract.STROKE_FILE,
                    model_dir)
        return None
    return _proved_or_none(path, limits, "the image model answers alone")


def paired_file(taught_dir: Path, cnn_version: str) -> Path:
    """Where the nightly retrain keeps a stroke model it retrained beside one CNN (named by that CNN's version):
    it answers with that CNN only, so a stop between writing the two, or a rollback of the CNN, never pairs a
    CNN with a stroke model it was not judged with."""
    return Path(taught_dir) / f"{contract.STROKE_FILE.removesuffix('.onnx')}-{cnn_version}.onnx"


def paired_stroke_model(taught_dir: Path, cnn_version: str, limits: ModelLimits = ModelLimits()) -> StrokeModel | None:
    """The stroke model retrained beside this CNN, checked and proved, or None (none, or unusable: logged)."""
    path = paired_file(taught_dir, cnn_version)
    return _proved_or_none(path, limits, "the shipped one answers") if path.exists() else None


def _proved_or_none(path: Path, limits: ModelLimits, instead: str) -> StrokeModel | None:
    """StrokeModel(path), or None with the reason logged once (and what answers instead)."""
    try:
        return StrokeModel(path, limits)
    except ModelLoadError as error:
        log.error("the stroke model %s was not used, %s: %s", path.name, instead, error)
        return None
