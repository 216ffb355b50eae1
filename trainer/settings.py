"""TrainSettings: every knob of a training run, its default, and why; validated on creation."""
from __future__ import annotations

import dataclasses
import inspect
import re
from dataclasses import dataclass

from trainer.errors import SettingsError

MODEL_KINDS = ("mlp", "cnn")
AUGMENTATIONS = ("none", "affine", "finger")


@dataclass(frozen=True)
class TrainSettings:
    """One training run. The three child-facing settings keep their names: dropout_rate, learning_rate, max_epochs."""

    model: str = "cnn"  # "mlp" or "cnn"
    dropout_rate: float = 0.3  # share of hidden units switched off per step; fights memorising
    learning_rate: float = 1e-3  # Adam's step size at the start; decays by lr_decay every epoch
    max_epochs: int = 12  # passes over the training set; the best epoch (by validation) is kept
    batch_size: int = 128  # small enough to generalise well, big enough to keep 2 cores busy
    lr_decay: float = 0.8  # per epoch; independent of max_epochs, so epoch k of a long run equals a run of k
    hidden_units: int = 400  # MLP hidden width: accurate yet small enough to ship several models
    augment: str = "finger"  # "none", "affine" (shape jitter), "finger" (affine + pen width + elastic + styles)
    val_size: int = 5_000  # held out of the 60,000 training images, stratified, to pick the best epoch
    seed: int = 0  # same seed, same model (on CPU)
    threads: int = 2  # torch intra-op threads; this machine and a Pi 4 have few cores
    limit_batches: int | None = None  # stop each epoch after this many batches: CI runs the real path fast

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
            "val_size": (self.val_size == 0 or 10 <= self.val_size <= 30_000, "0, or 10 to 30000 (a stratified split needs one per digit)"),
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
    """Each field's why-comment from the class above, for the command line's --help (one source of truth)."""
    source = inspect.getsource(TrainSettings)
    return dict(re.findall(r"^    (\w+): [^=]+= [^#\n]+#\s*(.+)$", source, re.MULTILINE))
