"""Which model files the kiosk runs, and noticing when the nightly retrain promotes a new one.

Per kind, a retrained model in the data dir (models/KIND.onnx) comes before the shipped one, and a stroke
model retrained beside a CNN (models/strokes-VERSION.onnx) answers with that CNN only. A new
file is loaded, checked against the model contract and proved on the example digits (ink_proof)
before it replaces anything; a bad one is refused and the model in use stays.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.errors import ModelLoadError
from kiosk.recognition.gate import NotDigitGate, load_gate
from kiosk.recognition.ink_proof import prove_digit_model
from kiosk.recognition.recognizer import ModelLimits, Recognizer, Uncertainty
from kiosk.recognition.stroke_model import load_stroke_model, paired_file, paired_stroke_model

log = logging.getLogger(__name__)
MODEL_KINDS = ("cnn", "mlp")
FUSED_KINDS = ("cnn",)  # the kinds answered together with the stroke model; the MLP stays the seed's, alone
CHECK_EVERY_S = 2.0


def candidates(config: KioskConfig, kind: str) -> list[Path]:
    """Where the kiosk looks for a kind's model, best first: the taught one, then the shipped one."""
    return [config.taught_model_dir / f"{kind}.onnx", config.model_dir_path / f"{kind}.onnx"]


def kind_order(config: KioskConfig) -> list[str]:
    return [config.default_model] + [k for k in MODEL_KINDS if k != config.default_model]


def uncertainty_of(config: KioskConfig) -> Uncertainty:
    return Uncertainty(config.min_confidence, config.min_margin, max_not_digit=config.max_not_a_number)


def limits_of(config: KioskConfig) -> ModelLimits:
    return ModelLimits(config.model_answer_budget_ms, config.max_model_mb)


def load_proved(config: KioskConfig, path: Path, gate: NotDigitGate | None, stroke_model=None) -> Recognizer:
    """The model at path, checked against the contract and proved on the example digits (ModelLoadError if not).

    stroke_model: the shipped StrokeModel its answers are fused with (the CNN's), or None; a stroke model the
    nightly retrain made beside this very file (paired_file) answers instead when it loads."""
    recognizer = Recognizer(path, uncertainty_of(config), gate, limits_of(config), stroke_model)
    if stroke_model is not None:
        paired = paired_stroke_model(config.taught_model_dir, recognizer.version, limits_of(config))
        if paired is None and paired_file(config.taught_model_dir, recognizer.version).exists():
            # never a stroke model this CNN was not judged with: the next file (the shipped pair) answers instead
            raise ModelLoadError(f"the stroke model retrained beside {path} does not load (logged above)")
        recognizer.stroke_model = paired or stroke_model
    prove_digit_model(recognizer)
    return recognizer


def shipped_stroke_model(config: KioskConfig, current) -> object | None:
    """The shipped stroke model: current if it is that one (not one retrained beside another CNN), else read."""
    if current is None or Path(current.path).parent != config.taught_model_dir:
        return current
    return load_stroke_model(config.model_dir_path, limits_of(config))


def load_kind(config: KioskConfig, kind: str, gate: NotDigitGate | None = None, stroke_model=None) -> Recognizer:
    """The best loadable model of this kind; ModelLoadError naming every file tried if none loads."""
    problems = []
    for path in candidates(config, kind):
        if not path.exists() and path.parent == config.taught_model_dir:
            continue  # nothing taught yet: the usual case
        try:
            return load_proved(config, path, gate, stroke_model if kind in FUSED_KINDS else None)
        except ModelLoadError as error:
            log.error("cannot use the %s model: %s", kind, error)
            problems.append(str(error))
    raise ModelLoadError(" | ".join(problems))


def load_recognizers(config: KioskConfig) -> list[Recognizer]:
    """Every model kind that loads, the configured one first; a broken file is logged and skipped."""
    recognizers, problems = [], []
    # One gate for every model: "is it a number at all?"
    gate = load_gate(config.model_dir_path, limits_of(config), config.max_not_a_number)
    # The pen's path, fused with the CNN's picture (optional: without it the CNN answers alone, as before)
    stroke_model = load_stroke_model(config.model_dir_path, limits_of(config))
    for kind in kind_order(config):
        try:
            recognizers.append(load_kind(config, kind, gate, stroke_model))
        except ModelLoadError as error:
            problems.append(str(error))
    if not recognizers:
        raise ModelLoadError("no usable model: " + " | ".join(problems))
    return recognizers


def _signature(path: Path) -> tuple | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class ModelWatcher:
    """Looks at the model files every few seconds; check() returns a new recognizer list when one changed."""

    def __init__(self, config: KioskConfig, every_s: float = CHECK_EVERY_S, clock=time.monotonic):
        self.config, self.every_s, self.clock = config, every_s, clock
        self._seen = self._signatures()
        self._next = clock() + every_s

    def _signatures(self) -> dict[Path, tuple | None]:
        return {path: _signature(path) for kind in MODEL_KINDS for path in candidates(self.config, kind)}

    def check(self, current: list[Recognizer]) -> list[Recognizer] | None:
        """The recognizers to switch to, or None if nothing changed (or nothing changed for the better)."""
        if self.clock() < self._next:
            return None
        self._next = self.clock() + self.every_s
        now = self._signatures()
        changed = {path for path, signature in now.items() if signature != self._seen.get(path)}
        self._seen = now
        if not changed:
            return None
        updated, switched = list(current), False
        for index, recognizer in enumerate(current):
            # The file this kind should run now: the taught one if there is one (a rollback past the
            # last taught model leaves the shipped one).
            target = next((path for path in candidates(self.config, recognizer.kind) if path.exists()), None)
            if recognizer.path in changed and not recognizer.path.exists() and target is None:
                log.error("the %s model file %s disappeared; the kiosk keeps the copy it has in memory",
                          recognizer.kind, recognizer.path)
            if target is None or (target not in changed and target == recognizer.path):
                continue
            try:
                updated[index] = load_proved(self.config, target, recognizer.gate,
                                             shipped_stroke_model(self.config, recognizer.stroke_model))
            except ModelLoadError as error:
                log.error("refused the new %s model, keeping the one in use (%s): %s",
                          recognizer.kind, recognizer.version, error)
                continue
            log.info("switched the %s model: %s -> %s (%s)", recognizer.kind, recognizer.version,
                     updated[index].version, updated[index].path)
            switched = True
        return updated if switched else None
