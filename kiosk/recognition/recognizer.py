"""Recognizer: one onnxruntime session per model; strokes in, a Prediction (or "not sure") out."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from kiosk.recognition.runtime import ort

from kiosk.recognition import model_contract as contract
from kiosk.errors import ModelLoadError, ModelRunError
from kiosk.recognition.example_digits import example_images
from kiosk.recognition.fusion import decide, fuse
from kiosk.recognition.preprocess import clean_strokes, image_and_frame, to_model_input
from kiosk.recognition.run_limit import run_within
from kiosk.recognition.stroke_channels import channels_in_frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one drawing. digit is None when the kiosk would say "I'm not sure"."""

    digit: int | None
    probabilities: tuple[float, ...]  # 10 values summing to 1
    image: np.ndarray = field(repr=False)  # (28, 28) uint8: what the model saw
    best: int = 0  # the most likely digit, even when unsure
    runner_up: int = 0  # the second most likely: "is it a 4 or a 9?"
    digit_like: bool = True  # False for a scribble, a blob or a letter: "that does not look like a number"
    not_digit: float | None = None  # the gate's belief that this is not a number at all (None: no gate)
    remembered: bool = False  # the digit is one this visitor taught a moment ago (kiosk/teaching/session_memory.py)
    mirrored: bool = False  # drawn facing the other way (a backwards 3): digit is then the digit it mirrors
    # the stroke channels the stroke model read (7, 28, 28), kept for the mirrored view; None without a stroke model
    channels: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def confidence(self) -> float:
        return self.probabilities[self.best]


@dataclass(frozen=True)
class Uncertainty:
    """When to say "I'm not sure" instead of a digit (measured by python -m benchmarks unsure).

    Softmax confidence alone answered 79% of generated scribbles, shapes and letters with a digit;
    the drawing's own shape is a second, model-independent signal.
    """

    min_confidence: float = 0.70  # the top probability must reach this ...
    min_margin: float = 0.40  # ... and beat the runner-up by this much
    max_path_ratio: float = 6.0  # ink path length / drawing size: a digit stays under ~4.9, scribbles go far over
    max_ink_fraction: float = 0.25  # of the 28x28 picture: a digit stays under ~0.22, a filled-in blob does not
    max_not_digit: float = 0.95  # the gate's "not a number" belief at or above which no digit is said


@dataclass(frozen=True)
class ModelLimits:
    """What a model may cost: time per answer and file size (KioskConfig's model_answer_budget_ms, max_model_mb).

    The shipped models answer in 0.27 ms (CNN), 0.04 ms (MLP) and 0.05 ms (gate) on one core of the
    development machine (docs/measurements.md), a few ms on a Pi; the largest file is 2.5 MB.
    """

    answer_budget_ms: float = 50.0  # an answer slower than this, in the load check, refuses the model
    max_file_mb: float = 25.0  # a bigger file is refused before it is read (a 400 MB model peaked at 1.27 GB)
    cut_after_budgets: float = 10.0  # a run past this many budgets (and one more per picture) is cut off: a hang

    def cut_s(self, pictures: int = 1) -> float:
        """How long a run on this many pictures may take before it is cut off."""
        return self.answer_budget_ms * (self.cut_after_budgets + pictures) / 1000


class Recognizer:
    """An ONNX digit model checked against the contract and run on one CPU thread."""

    def __init__(self, model_path: str | Path, uncertainty: Uncertainty = Uncertainty(), gate=None,
                 limits: ModelLimits = ModelLimits(), stroke_model=None):
        self.path = Path(model_path)
        self.uncertainty = uncertainty
        self.gate = gate  # a NotDigitGate shared by every model, or None
        self.stroke_model = stroke_model  # a StrokeModel this model's answers are fused with (the CNN's), or None
        self.limits = limits
        self.failed: str | None = None  # why it stopped answering at run time (recognize_all then skips it)
        self.slow_noted = False  # an answer over the budget has been logged (once)
        self._session, self.version = _open_session(self.path, limits)
        raw = self._session.get_modelmeta().custom_metadata_map
        problems = contract.contract_problems(
            [(i.name, i.shape) for i in self._session.get_inputs()],
            [(o.name, o.shape) for o in self._session.get_outputs()],
            raw,
        )
        if problems:
            raise ModelLoadError(f"{self.path} does not fit the kiosk's model contract: " + "; ".join(problems))
        self.metadata = _decode(raw)
        self._check_answers()

    def _check_answers(self) -> None:
        """A model that loads may still answer nonsense (NaN, negative, not summing to 1): try it now on a
        blank picture and on the example digits (a model can be fine on blank and NaN on ink), so a bad
        file is refused at load and the answer screen never sees it."""
        try:
            self.probabilities(check_batch()[:1])  # alone first: a model that hangs is cut off after one picture
            self.probabilities(check_batch())
        except ModelRunError as error:
            raise ModelLoadError(f"{error} (on the test images)") from error

    @property
    def kind(self) -> str:
        return str(self.metadata.get(contract.META_MODEL_KIND, "?"))

    def recognize(self, strokes: Iterable[Sequence[Sequence[float]]]) -> Prediction:
        """Classify a drawing, with the stroke model's answer when there is a working one. Raises EmptyDrawing
        when there is nothing to classify."""
        cleaned = clean_strokes(strokes)
        image, frame = image_and_frame(cleaned)
        stroke_answer = channels = None
        if self.stroke_model is not None and not self.stroke_model.failed:
            channels = channels_in_frame(cleaned, image, frame)
            stroke_answer = self.stroke_model.probabilities(channels)
        digit_like = path_ratio(cleaned) <= self.uncertainty.max_path_ratio
        return self.classify_image(image, digit_like, stroke_answer=stroke_answer, channels=channels)

    def classify_image(self, image: np.ndarray, digit_like: bool = True, not_digit: float | None = None,
                       stroke_answer: np.ndarray | None = None, channels: np.ndarray | None = None) -> Prediction:
        """Classify a preprocessed (28, 28) uint8 image; digit_like=False forces "not sure".

        not_digit: the gate's answer when already asked (recognize_all asks it once per drawing).
        stroke_answer: the stroke model's (11,) answer to the same drawing; with it (and a stroke model of its
        own) this model's answer is the fused one, decided by the stroke model's calibrated rule.
        channels: the stroke channels stroke_answer was read from, kept on the answer (the mirrored view)."""
        probabilities = self.probabilities(to_model_input(image))[0]  # (10,)
        digit_like = digit_like and float((image > 127).mean()) <= self.uncertainty.max_ink_fraction
        if not_digit is None and self.gate is not None and digit_like:
            not_digit = self.gate.not_digit(image)
        fused = stroke_answer is not None and self.stroke_model is not None
        if fused:
            rule = self.stroke_model.rule
            probabilities = fuse(probabilities[None], stroke_answer[None], rule.stroke_weight)[0]
            gate = None if not_digit is None else np.array([not_digit])
            answer = int(decide(probabilities[None], stroke_answer[None, -1], gate, np.array([digit_like]), rule)[0])
            digit_like = digit_like and stroke_answer[-1] < rule.max_stroke_not_digit and (
                not_digit is None or not_digit < rule.max_not_digit)
        best, runner_up = (int(i) for i in np.argsort(probabilities)[::-1][:2])
        if not fused:
            digit_like = digit_like and (not_digit is None or not_digit < self.uncertainty.max_not_digit)
            sure = (
                digit_like
                and probabilities[best] >= self.uncertainty.min_confidence
                and probabilities[best] - probabilities[runner_up] >= self.uncertainty.min_margin
            )
            answer = best if sure else -1
        return Prediction(
            digit=answer if answer >= 0 else None,
            probabilities=tuple(float(p) for p in probabilities),
            image=image,
            best=best,
            runner_up=runner_up,
            digit_like=digit_like,
            not_digit=not_digit,
            channels=channels,
        )

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, 1, 28, 28) -> probabilities (N, 10); ModelRunError naming the file if the model
        raises, runs past its time limit or answers anything but probabilities."""
        out = run_within(lambda options: self._session.run([contract.OUTPUT_NAME], {contract.INPUT_NAME: batch},
                                                           options),
                         self.limits.cut_s(len(batch)), str(self.path))[0]
        problem = answer_problem(out, len(batch), contract.NUM_CLASSES)
        if problem:
            raise ModelRunError(f"{self.path} {problem}")
        return out


def check_batch() -> np.ndarray:
    """Two blank pictures and the example digits, as a model takes them: float32 (N, 1, 28, 28)."""
    images, _ = example_images()
    return np.concatenate([np.zeros((2, *contract.INPUT_SHAPE), np.float32), *map(to_model_input, images)])


def answer_problem(out, rows: int, classes: int) -> str | None:
    """What is wrong with a model's answer to rows pictures (NaN, out of range, not summing to 1), or None."""
    out = np.asarray(out)
    if out.shape != (rows, classes):
        return f"answers with shape {out.shape}, not {classes} probabilities per picture"
    # NaN fails every comparison, so "not within range" catches it too: three reductions, not five
    if not (out.min() >= -1e-6 and out.max() <= 1 + 1e-6 and np.abs(out.sum(axis=1) - 1).max() <= 1e-3):
        bad = int(np.argmax(~np.isfinite(out).all(axis=1) | (np.abs(out.sum(axis=1) - 1) > 1e-3)))
        return (f"does not give {classes} probabilities on a drawing "
                f"(values {np.round(out[bad, :4], 3).tolist()}...)")
    return None


def path_ratio(strokes: list[np.ndarray]) -> float:
    """Total length of the ink path divided by the drawing's longest side (0 for a dot)."""
    if not strokes:
        return 0.0
    points = np.concatenate(strokes)
    with np.errstate(over="ignore", invalid="ignore"):  # absurd coordinates give inf: "not a digit"
        extent = float((points.max(axis=0) - points.min(axis=0)).max())
        length = sum(float(np.linalg.norm(np.diff(stroke, axis=0), axis=1).sum()) for stroke in strokes)
        ratio = length / extent if extent > 0 else 0.0
    return ratio if np.isfinite(ratio) else float("inf")


def recognize_all(recognizers: list[Recognizer], strokes, active: int = 0) -> list[Prediction]:
    """Every model's answer to one drawing, preprocessed once and gated once.

    The active model's answer stands on its own: the other model is there for the child to compare, not
    to veto (requiring both to agree cost two points of right answers on real drawings, measured by
    digit-kiosk-trainer crossval). The active model reads the strokes: with a stroke model (the CNN, when
    strokes.onnx loads) its answer is the fused one (kiosk/recognition/fusion.py); the others read its
    picture. Raises EmptyDrawing when there is nothing to classify.

    A model that fails on the drawing (raises, hangs, answers NaN) is named in the log and retired; its
    place shows a working model's answer, so the child still gets one (ModelRunError only if none works).
    """
    order = [active] + [i for i in range(len(recognizers)) if i != active]
    answers: dict[int, Prediction] = {}
    first: Prediction | None = None
    for i in order:
        recognizer = recognizers[i]
        if recognizer.failed:
            continue
        started = time.perf_counter()
        try:
            if first is None:
                first = answers[i] = recognizer.recognize(strokes)
            else:
                answers[i] = recognizer.classify_image(first.image, first.digit_like, first.not_digit)
        except ModelRunError as error:
            recognizer.failed = str(error)
            log.error("the %s model stops answering: %s; the other model answers, or none", recognizer.kind, error)
            continue
        _note_if_slow(recognizer, (time.perf_counter() - started) * 1000)
    if first is None:
        raise ModelRunError("no model could answer: " + " | ".join(r.failed or "" for r in recognizers))
    stand_in = next(answers[i] for i in order if i in answers)
    return name_the_other_guess([answers.get(i, stand_in) for i in range(len(recognizers))])


def _note_if_slow(recognizer: Recognizer, elapsed_ms: float) -> None:
    """Log, once per model, an answer over the budget: every child then waits on it."""
    if elapsed_ms > recognizer.limits.answer_budget_ms and not recognizer.slow_noted:
        recognizer.slow_noted = True
        log.warning("the %s model %s took %.0f ms to answer (with preprocessing and the gate), over the %g ms "
                    "budget (model_answer_budget_ms)", recognizer.kind, recognizer.path, elapsed_ms,
                    recognizer.limits.answer_budget_ms)


def name_the_other_guess(answers: list[Prediction]) -> list[Prediction]:
    """A model that is not sure, while another model's best guess differs, names both guesses
    ("is it a 1 or a 4?") rather than its own runner-up."""
    guesses = [a.best for a in answers]
    if len(set(guesses)) <= 1:
        return answers
    return [replace(a, runner_up=next(g for g in guesses if g != a.best)) if a.digit is None else a for a in answers]


def model_version(data: bytes) -> str:
    """A model file's version: the start of its sha256 (what feedback records and logs name)."""
    return hashlib.sha256(data).hexdigest()[:16]


def _open_session(path: Path, limits: ModelLimits = ModelLimits()) -> tuple[ort.InferenceSession, str]:
    """The session and the file's version (the start of its sha256), both from one read of the file;
    a file over the size limit is refused before it is read."""
    try:
        size_mb = path.stat().st_size / 1e6
        if size_mb > limits.max_file_mb:
            raise ModelLoadError(f"{path} is {size_mb:.0f} MB, over the {limits.max_file_mb:g} MB limit for a "
                                 "model (max_model_mb): not loaded")
        data = path.read_bytes()
    except OSError as error:
        raise ModelLoadError(f"model file {path} not found or unreadable ({error.strerror})") from error
    options = ort.SessionOptions()
    # A 28x28 model takes well under a millisecond: one thread, and no busy-waiting between runs
    # (spinning threads would keep a Pi's CPU hot while nobody draws).
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    try:
        session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own pybind classes for bad files
        raise ModelLoadError(f"{path} is not a loadable ONNX model ({error})") from error
    return session, model_version(data)


# What each structured metadata value must be; one that is not is dropped (the screens show "?").
_JSON_TYPES = {contract.META_SETTINGS: dict, contract.META_HISTORY: list, contract.META_DATA_CHECKSUMS: dict}
_NUMBERS = (contract.META_MNIST_TEST_ACCURACY, contract.META_DRAWN_DEV_ACCURACY, contract.META_TRAINING_SECONDS,
            contract.META_EPOCHS_RUN)


def _decode(raw: dict[str, str]) -> dict:
    decoded = {}
    for key, value in raw.items():
        if key in _JSON_TYPES:
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if not isinstance(parsed, _JSON_TYPES[key]):
                log.warning("metadata %s is not a JSON %s; ignored", key, _JSON_TYPES[key].__name__)
                continue
            decoded[key] = parsed
        elif key in _NUMBERS:
            try:
                number = float(value)
            except ValueError:
                number = float("nan")
            # "nan" and "": the trainer's two ways to say "not measured"
            if not np.isfinite(number) and value.lower() not in ("nan", ""):
                log.warning("metadata %s is not a number (%r); ignored", key, value[:40])
                continue
            decoded[key] = value
        else:
            decoded[key] = value
    return decoded
