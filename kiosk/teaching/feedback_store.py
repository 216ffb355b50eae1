"""FeedbackStore: the drawings children labelled ("Did I get it right?"), one small JSON file each.

One file per drawing, written atomically, so a power cut loses at most the drawing being saved and
never damages the others; the oldest files go first when the store reaches its cap. Nothing
personal is kept: the strokes, the 28x28 picture, the label, the model's answer and a timestamp.
One drawing counts once: the same strokes labelled again replace the earlier label (a prank of
"No -> 7" pressed eight times on one drawing is one label, not eight).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.atomic_write import write_text_atomic
from kiosk.recognition.preprocess import PREPROCESSING_VERSION

log = logging.getLogger(__name__)

RECORD_FORMAT = 1
# A drawing lives on a canvas of at most a few thousand pixels; a record outside these was damaged
# or made up (one with coordinates of 1e308 used to stop every nightly retrain).
MAX_CANVAS_PX = 20_000
MAX_COORDINATE = 100_000.0
# A record is about 4 KB (a long digit 20 KB): the reader refuses bigger files unread and any nesting
# past the record's own four levels (record, strokes, stroke, point): 100,000 "[" raised RecursionError
# and stopped every nightly retrain. The store never saves what its reader would refuse.
MAX_RECORD_BYTES = 512 * 1024
MAX_NESTING = 4
SUFFIX = ".json"


@dataclass(frozen=True)
class Labelled:
    """One drawing a child labelled."""

    strokes: list  # [[(x, y), ...], ...] in canvas pixels
    canvas_px: int
    image: np.ndarray  # (28, 28) uint8, as the model saw it
    label: int  # what the child says it is
    answer: int | None  # what the kiosk said (None: "not sure")
    model: str  # "cnn" / "mlp"
    model_version: str
    created: str

    @property
    def drawing(self) -> str:
        """The drawing's identity: the same strokes give the same one, whatever label or time."""
        return drawing_id(self.strokes)


def stored_strokes(strokes) -> list[list[list[float]]]:
    """The strokes as a record keeps them (canvas pixels to a tenth)."""
    return [[[round(float(x), 1), round(float(y), 1)] for x, y in stroke] for stroke in strokes]


def drawing_id(strokes) -> str:
    """A hash of the strokes as stored: a drawing saved, read back and saved again keeps its identity."""
    return hashlib.sha256(json.dumps(stored_strokes(strokes), separators=(",", ":")).encode()).hexdigest()[:16]


def remove_stale_temp_files(folder: Path, older_than_s: float = 3600.0) -> None:
    """Temp files of atomic writes that a power cut or kill -9 interrupted (never renamed into place)."""
    try:
        leftovers = [p for p in folder.glob(".*.tmp") if time.time() - p.stat().st_mtime > older_than_s]
    except OSError:
        return
    for path in leftovers:
        try:
            path.unlink()
        except OSError:
            pass


class FeedbackStore:
    """Appends labelled drawings to folder (created on first use) and reads them back, skipping bad ones."""

    def __init__(self, folder: Path, max_records: int = 5000):
        self.folder, self.max_records = Path(folder), max_records
        # The store's file names, oldest first: listed once, then kept up to date, so a save at the cap
        # drops the oldest without listing and sorting 5,000 names (19.6 ms a save; below the cap 0.6 ms)
        self._index: deque[str] | None = None
        self._sequence: int | None = None  # the last saved record's sequence number
        self._saved: dict[str, Path] = {}  # drawing identity -> the file this store saved it in
        remove_stale_temp_files(self.folder)

    def append(self, strokes, canvas_px: int, image: np.ndarray, label: int, answer: int | None, model: str,
               model_version: str, created: dt.datetime | None = None) -> bool:
        """Save one labelled drawing; False (logged) if the disk is full, read-only or missing. The same
        strokes saved before by this store are replaced (one drawing counts once).

        created: now, unless given (a simulation that must hold out the same drawings on every run)."""
        if not _is_digit(label) or not (answer is None or _is_digit(answer)):
            raise ValueError(f"label and answer must be whole digits 0-9, got {label!r} and {answer!r}")
        now = created or dt.datetime.now(dt.timezone.utc)
        record = {
            "format": RECORD_FORMAT,
            "created": now.isoformat(timespec="milliseconds"),
            "label": int(label),
            "answer": None if answer is None else int(answer),
            "model": model,
            "model_version": model_version,
            "preprocessing_version": PREPROCESSING_VERSION,
            "canvas_px": int(canvas_px),
            "strokes": stored_strokes(strokes),
            "image": base64.b64encode(np.ascontiguousarray(image, dtype=np.uint8).tobytes()).decode("ascii"),
        }
        # Names in the order of saving, not of the clock: a Pi without a real-time clock or network can
        # boot in 1970 or jump back, and a time-named new drawing would sort first and be dropped at the cap.
        # "s" sorts after the digits that began older, time-stamped names, so those still go first.
        sequence = self._next_sequence()
        name = f"s{sequence:010d}-{now.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{label}{SUFFIX}"
        text = json.dumps(record, separators=(",", ":"))
        if len(text) > MAX_RECORD_BYTES:
            log.warning("not saving a drawing too big for a feedback record (%d bytes, at most %d): a stuck finger?",
                        len(text), MAX_RECORD_BYTES)
            return False
        index = self._indexed()
        try:
            write_text_atomic(self.folder / name, text)
        except OSError as error:
            log.error("cannot save the labelled drawing in %s (%s); the kiosk carries on without it", self.folder,
                      error.strerror or error)
            return False
        index.append(name)  # the newest: its sequence number is above every name in the index
        self._sequence = sequence
        # The new label is saved before the old one goes: a kill between the two leaves two copies, and
        # load() keeps only the newest of them.
        earlier, self._saved[drawing_id(strokes)] = self._saved.get(drawing_id(strokes)), self.folder / name
        if earlier is not None:
            self._forget(earlier)
        if len(index) > self.max_records:
            self._drop_oldest()
        return True

    def _next_sequence(self) -> int:
        if self._sequence is None:
            numbers = [int(n[1:11]) for n in self._indexed() if n[:1] == "s" and n[1:11].isdigit()]
            self._sequence = max(numbers, default=0)
        return self._sequence + 1

    def count(self) -> int:
        return len(self._indexed())

    def _indexed(self) -> deque[str]:
        if self._index is None:
            self._index = deque(path.name for path in self._names())
        return self._index

    def _names(self) -> list[Path]:
        try:
            return sorted(p for p in self.folder.iterdir() if p.suffix == SUFFIX and not p.name.startswith("."))
        except OSError:  # no folder yet (nothing taught), or unreadable
            return []

    def _drop_oldest(self) -> None:
        index = self._indexed()
        while len(index) > self.max_records:
            oldest = index.popleft()
            try:
                (self.folder / oldest).unlink(missing_ok=True)
            except OSError as error:
                log.warning("cannot remove old drawing %s: %s", oldest, error)
                index.appendleft(oldest)  # still there: tried again at the next save
                return

    def _forget(self, path: Path) -> None:
        try:
            path.unlink(missing_ok=True)  # missing: dropped at the cap meanwhile
        except OSError as error:
            log.warning("cannot remove the earlier label of a drawing labelled again, %s: %s", path.name, error)
            return
        if path.name in self._indexed():  # rare (a drawing labelled again): one scan of the index is fine
            self._indexed().remove(path.name)

    def load(self) -> list[Labelled]:
        """Every readable record, oldest first, each drawing once (its newest label); a damaged one is
        skipped with a warning."""
        return self.read().records

    def read(self) -> Loaded:
        """As load(), and how many files were skipped (damaged, out of bounds or not a record)."""
        newest: dict[str, Labelled] = {}  # insertion order: the first time each drawing was saved
        skipped = 0
        for path in self._names():
            try:
                record = read_record(path)
            except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
                log.warning("skipping damaged feedback record %s (%s)", path.name, error)
                skipped += 1
                continue
            newest.pop(record.drawing, None)
            newest[record.drawing] = record
        return Loaded(list(newest.values()), skipped)


@dataclass(frozen=True)
class Loaded:
    """The readable records (oldest first, each drawing once) and how many files were skipped."""

    records: list[Labelled]
    skipped: int


def read_record(path: Path) -> Labelled:
    """One record file, bounded in size and nesting, every field of its type and range; ValueError if not."""
    with open(path, "rb") as file:
        data = file.read(MAX_RECORD_BYTES + 1)
    if len(data) > MAX_RECORD_BYTES:
        raise ValueError(f"over {MAX_RECORD_BYTES} bytes")
    if _nesting(data) > MAX_NESTING:
        raise ValueError(f"nested deeper than {MAX_NESTING}")
    raw = json.loads(data.decode("utf-8"))
    if type(raw.get("format")) is not int or raw["format"] != RECORD_FORMAT:
        raise ValueError(f"unknown format {raw.get('format')!r}")
    image = np.frombuffer(base64.b64decode(raw["image"], validate=True), np.uint8)
    answer = raw.get("answer")
    if image.size != 28 * 28 or not _is_digit(raw["label"]) or not (answer is None or _is_digit(answer)):
        raise ValueError("bad image size, label or answer")
    canvas_px = raw["canvas_px"]
    if type(canvas_px) is not int or not 1 <= canvas_px <= MAX_CANVAS_PX:
        raise ValueError("canvas size out of range")
    strokes = [[_point(point) for point in stroke] for stroke in raw["strokes"]]
    texts = [raw.get(key, "") for key in ("model", "model_version", "created")]
    if not all(type(text) is str for text in texts):
        raise ValueError("model, model_version and created must be text")
    return Labelled(strokes=strokes, canvas_px=canvas_px, image=image.reshape(28, 28), label=raw["label"],
                    answer=answer, model=texts[0], model_version=texts[1], created=texts[2])


def _is_digit(value) -> bool:
    """A whole number 0-9 (a numpy integer too), never 3.7, "7" or True."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and 0 <= value <= 9


def _point(point) -> tuple[float, float]:
    x, y = point  # ValueError unless two
    if not all(type(v) in (int, float) and abs(v) <= MAX_COORDINATE for v in (x, y)):  # NaN fails the <= too
        raise ValueError("coordinates out of range or not numbers")
    return float(x), float(y)


def _nesting(data: bytes) -> int:
    """How deep the brackets go (counting any inside strings too: a record's own strings have none)."""
    codes = np.frombuffer(data, np.uint8)
    steps = np.isin(codes, _OPENING).astype(np.int32) - np.isin(codes, _CLOSING)
    return int(np.cumsum(steps).max(initial=0))


_OPENING, _CLOSING = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)
