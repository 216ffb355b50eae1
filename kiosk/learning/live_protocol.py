"""What the kiosk and its live learner say to each other, typed: the job sent down, the messages sent back.

One JSON object a line. The learner's process loads numpy and onnx only, so this module imports nothing
heavier than the settings.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from kiosk.learning.live_settings import LiveSettings


@dataclass(frozen=True)
class LiveJob:
    """One training run: the child's settings, their drawing to answer, where the digits are and the model goes."""

    settings: LiveSettings
    model_path: str
    preprocessing_version: str
    data_path: str | None = None  # None: the subset the kiosk carries
    child_image: tuple[tuple[int, ...], ...] | None = None  # (28, 28) uint8 as nested tuples

    def to_line(self) -> str:
        return json.dumps({**dataclasses.asdict(self), "settings": self.settings.to_json()}) + "\n"

    @classmethod
    def from_line(cls, line: str) -> LiveJob:
        data = json.loads(line)
        image = data.get("child_image")
        return cls(LiveSettings.from_json(data["settings"]), data["model_path"], data["preprocessing_version"],
                   data.get("data_path"), tuple(tuple(row) for row in image) if image is not None else None)


@dataclass(frozen=True)
class Progress:
    """How it is doing now: accuracy on digits it never trained on, a strip of ten test digits, the child's drawing."""

    epoch: int
    seen: int  # training images so far
    seconds: float
    accuracy: float  # on held-out digits (300 of them while learning, all 1,000 at the end)
    strip: tuple[int, ...]  # its answers to one test digit of each kind (-1: the numbers broke)
    strip_labels: tuple[int, ...]
    child: tuple[float, ...] | None  # its probabilities for the child's drawing, when there is one
    broke: bool  # the steps were so big the numbers blew up


@dataclass(frozen=True)
class Checking:
    """The big test on every held-out digit has begun (the screen says so)."""

    seen: int


@dataclass(frozen=True)
class Stopped:
    """Asked to stop, it stopped; how it was doing then."""

    seen: int
    last: Progress


@dataclass(frozen=True)
class Done:
    """The end: its accuracy, and the model file (None when it broke), with answers to check it by."""

    accuracy: float
    seen: int
    seconds: float
    broke: bool
    settings: LiveSettings
    model_path: str | None = None
    parity_probabilities: tuple[tuple[float, ...], ...] | None = None  # its answers to the first held-out digits


@dataclass(frozen=True)
class Failed:
    """It could not go on; why, in one line for the log (the child hears a calm phrase)."""

    message: str


Message = Progress | Checking | Stopped | Done | Failed
_TYPES: dict[str, type] = {
    "progress": Progress, "checking": Checking, "stopped": Stopped, "done": Done, "error": Failed,
}
_NAMES = {kind: name for name, kind in _TYPES.items()}
FINAL = (Stopped, Done, Failed)  # the learner says nothing after one of these


def encode(message: Message) -> str:
    """One JSON line for a message."""
    fields = {field.name: getattr(message, field.name) for field in dataclasses.fields(message)}
    if isinstance(message, Stopped):
        fields["last"] = dataclasses.asdict(message.last)
    if isinstance(message, Done):
        fields["settings"] = message.settings.to_json()
    return json.dumps({"type": _NAMES[type(message)], **fields}) + "\n"


def decode(line: str) -> Message:
    """A message from its JSON line; ValueError for a line that is not one."""
    data = json.loads(line)
    if not isinstance(data, dict) or data.get("type") not in _TYPES:
        raise ValueError(f"not a live-training message: {line.strip()[:80]!r}")
    kind = _TYPES[data.pop("type")]
    if kind is Stopped:
        data["last"] = _progress(data["last"])
    elif kind is Done:
        data["settings"] = LiveSettings.from_json(data["settings"])
        if data.get("parity_probabilities") is not None:
            data["parity_probabilities"] = tuple(tuple(row) for row in data["parity_probabilities"])
    elif kind is Progress:
        return _progress(data)
    return kind(**data)


def _progress(data: dict) -> Progress:
    child = data.get("child")
    return Progress(**{**data, "strip": tuple(data["strip"]), "strip_labels": tuple(data["strip_labels"]),
                       "child": tuple(child) if child is not None else None})
