"""TrainSettings: every knob of a training run, its default, and why; validated on creation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from trainer.errors import SettingsError

MODEL_KINDS = ("mlp", "cnn")
AUGMENTATIONS = ("none", "affine", "finger")


def _knob(default: Any, why: str) -> Any:
    """A setting's default and why, the why kept in the field's metadata for --help."""
    return field(default=default, metadata={"help": why})


@dataclass(frozen=True)
class TrainSettings:
    """One training run. The three child-facing settings keep their names: dropout_rate, learning_rate, max_epochs."""

    model: str = _knob("cnn", '"mlp" or "cnn"')
    dropout_rate: float = _knob(0.3, "share of hidden units switched off per step; fights memorising")
    learning_rate: float = _knob(1e-3, "Adam's step size at the start; decays by lr_decay every epoch")
    max_epochs: int = _knob(12, "passes over the training set; the best epoch (by validation) is kept")
    batch_size: int = _knob(128, "small enough to generalise well, big enough to keep 2 cores busy")
    lr_decay: float = _knob(0.8, "per epoch; independent of max_epochs, so epoch k of a long run equals a run of k")
    hidden_units: int = _knob(400, "MLP hidden width: accurate yet small enough to ship several models")
    augment: str = _knob("finger", '"none", "affine" (shape jitter), "finger" (affine + pen width + elastic + styles)')
    val_size: int = _knob(5_000, "held out of the 60,000 training images, stratified, to pick the best epoch")
    seed: int = _knob(0, "same seed, same model (on CPU)")
    threads: int = _knob(2, "torch intra-op threads; this machine and a Pi 4 have few cores")
    limit_batches: int | None = _knob(None, "stop each epoch after this many batches: CI runs the real path fast")

    def __post_init__(self) -> None:
        checks = {
            "model": (self.model in MODEL_KINDS, f"one of {MODEL_KINDS}"),
            "dropout_rate": (0.0 <= self.dropout_rate < 1.0, "in [0, 1)"),
            "learning_rate": (0.0 < self.learning_rate <= 10.0, "in (0, 10]"),
            "max_epochs": (1 <= self.max_epochs <= 1000, "between 1 and 1000"),
            "batch_size": (1 <= self.batch_size <= 65_536, "between 1 and 65536"),
            "lr_decay": (0.0 < self.lr_decay <= 1.0, "in (0, 1]"),
            "hidden_units": (1 <= self.hidden_units <= 16_384, "between 1 and 16384"),
            "augment": (self.augment in AUGMENTATIONS, f"one of {AUGMENTATIONS}"),
            "val_size": (
                self.val_size == 0 or 10 <= self.val_size <= 30_000,
                "0, or 10 to 30000 (a stratified split needs one per digit)",
            ),
            "threads": (1 <= self.threads <= 256, "between 1 and 256"),
            "limit_batches": (self.limit_batches is None or self.limit_batches >= 1, "at least 1, or None"),
        }
        for name, (ok, allowed) in checks.items():
            if not ok:
                raise SettingsError(f"{name}={getattr(self, name)!r} is not allowed: it must be {allowed}")

    def to_dict(self) -> dict:
        """Plain dict for JSON and ONNX metadata."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainSettings":
        """Inverse of to_dict; unknown keys are refused by name."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise SettingsError(f"unknown training setting(s): {', '.join(unknown)}")
        return cls(**values)


def field_help() -> dict[str, str]:
    """Each setting's why, from its field's metadata, for the command line's --help (one source of truth)."""
    return {f.name: f.metadata["help"] for f in dataclasses.fields(TrainSettings)}
