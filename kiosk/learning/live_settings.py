"""The choices a child has for a live training, and the settings they make: checked once, typed everywhere."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

# The choices a child has, with "about right" in the middle of each: every one of them teaches something
# within the time a child waits (docs: too big a step never learns, too small crawls). The step in the
# middle is the one that learns most in that time (0.003: +0.5-1% over 0.001 for both kinds).
KINDS = ("mlp", "cnn")
DROPOUT_CHOICES = (0.0, 0.2, 0.5, 0.8)
LEARNING_RATE_CHOICES = (0.00001, 0.0001, 0.003, 0.01, 1.0)
EPOCH_CHOICES = (1, 2, 5, 10, 20)
ABOUT_RIGHT = {"dropout_rate": 0.2, "learning_rate": 0.003, "max_epochs": 10}
# A round is this many of the 10,000 digits, drawn afresh each round: sized so that 20 rounds end within
# 7 s on one core here (about 40 s on a Pi 4) and the default 10 reach 95.5% on the 1,000 held out.
ROUND_IMAGES = {"mlp": 6000, "cnn": 2500}


@dataclass(frozen=True)
class LiveSettings:
    """What the child chose on the Settings tab: the model kind and the three seed settings."""

    kind: str = "mlp"
    dropout_rate: float = ABOUT_RIGHT["dropout_rate"]
    learning_rate: float = ABOUT_RIGHT["learning_rate"]
    max_epochs: int = ABOUT_RIGHT["max_epochs"]
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS or not 0.0 <= self.dropout_rate < 1.0 or not 0 < self.learning_rate <= 10 \
                or not 1 <= self.max_epochs <= 100 or isinstance(self.max_epochs, bool) \
                or not isinstance(self.max_epochs, int) or not isinstance(self.seed, int):
            raise ValueError(f"not live-training settings: {self}")

    @property
    def round_images(self) -> int:
        """How many digits one round learns from."""
        return ROUND_IMAGES[self.kind]

    def with_choice(self, axis: str, value: Any) -> LiveSettings:
        """These settings with one choice changed (ValueError for an axis or value that is not a setting)."""
        if axis not in ("kind", *ABOUT_RIGHT):
            raise ValueError(f"{axis!r} is not a live-training setting")
        return dataclasses.replace(self, **{axis: value})

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveSettings:
        """Settings read back from JSON; ValueError for a missing, unknown or wrong value."""
        names = {field.name for field in dataclasses.fields(cls)}
        if not isinstance(data, dict) or set(data) != names:
            raise ValueError(f"live-training settings need exactly {sorted(names)}, got {data!r}")
        return cls(kind=data["kind"], dropout_rate=float(data["dropout_rate"]),
                   learning_rate=float(data["learning_rate"]), max_epochs=data["max_epochs"], seed=data["seed"])
