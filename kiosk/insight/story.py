"""The Learn view's story: what is shown and said when, on a clock the caller advances (pygame-free).

The story plays once when Learn appears: the drawing becomes the 28x28 picture, the network's layers light up
one after another, the votes grow, then the parts of the drawing that mattered glow. Each step's line is said
as its picture starts to move, and no line is said before the last one has ended: the gaps are the longest
clip of that line in any language plus a breath (tests/kiosk/insight/test_story.py reads the voice cache's
manifest to hold them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

SCAN_S = (0.3, 1.8)  # the drawing becomes 28x28 dots, row by row: something moves within the first second
LAYER_S = 0.9  # each layer lights up this long after the one before (a CNN's four, an MLP's one)
FADE_S = 0.8  # how long a layer, or the "what mattered" glow, takes to come on
GROW_S = 1.5  # the votes grow from nothing


@dataclass(frozen=True)
class Beat:
    """A line said at at_s (seconds after Learn appears), when the picture named by part starts to move."""

    at_s: float
    phrase_id: str
    part: str  # "drawing", "lights", "deeper", "votes", "mattered" or "try"


# The times wait for the line before: its longest clip (en, es or fr) and 0.2 s more.
MLP_STORY = (
    Beat(0.0, "learn.say1", "drawing"),
    Beat(2.2, "insight.mlp.lights", "lights"),
    Beat(6.2, "learn.say4", "votes"),
    Beat(10.7, "insight.mattered", "mattered"),
    Beat(14.0, "insight.try", "try"),
)
CNN_STORY = (
    Beat(0.0, "learn.say1", "drawing"),
    Beat(2.2, "insight.cnn.lights", "lights"),
    Beat(5.4, "insight.cnn.deeper", "deeper"),
    Beat(8.8, "learn.say4", "votes"),
    Beat(13.3, "insight.mattered", "mattered"),
    Beat(16.6, "insight.try", "try"),
)
TOUCH_QUIET_S = 4.0  # a touched light's line is said again only after this long (its longest clip is 3.3 s)
TOUCH_LINES = {"mlp": "insight.unit", "cnn": "insight.filter"}  # said when a child touches a light


def story_for(kind: str) -> tuple[Beat, ...]:
    return CNN_STORY if kind == "cnn" else MLP_STORY


class Story:
    """Where the Learn story is: the lines said so far, and how far each picture has come (0..1)."""

    def __init__(self, kind: str, say: Callable[[str], None]):
        self.kind, self.say = kind, say
        self.beats = story_for(kind)
        self.elapsed_s = 0.0
        self.told = 0  # how many beats' lines have been said
        self.caption: str | None = None  # the phrase id said last: the words under the pictures
        self._touch_said_s: float | None = None  # when a touched light's line was last said

    def start(self) -> None:
        self.elapsed_s, self.told, self._touch_said_s = 0.0, 0, None
        self._tell()

    def advance(self, dt_s: float) -> None:
        self.elapsed_s += max(0.0, dt_s)
        self._tell()

    def _tell(self) -> None:
        # Each line once, in order; after a long frame (a Pi waking up) only the latest line due is said.
        due = self.told
        while due < len(self.beats) and self.elapsed_s >= self.beats[due].at_s:
            due += 1
        if due > self.told:
            self.told = due
            self.caption = self.beats[due - 1].phrase_id
            self.say(self.caption)

    def touched(self) -> None:
        """A child touched a light: say what it looks for, unless it was said a moment ago (a child tapping
        light after light hears it once, not once a tap)."""
        self.caption = TOUCH_LINES.get(self.kind, TOUCH_LINES["mlp"])
        if self._touch_said_s is None or self.elapsed_s - self._touch_said_s >= TOUCH_QUIET_S:
            self._touch_said_s = self.elapsed_s
            self.say(self.caption)

    @property
    def animating(self) -> bool:
        return self.elapsed_s < self.beats[-1].at_s + GROW_S

    @property
    def told_all(self) -> bool:
        return self.told == len(self.beats)

    def _start_of(self, part: str) -> float:
        return next(b.at_s for b in self.beats if b.part == part)

    def scan_rows(self) -> int:
        """How many of the 28 rows of the small picture have appeared so far."""
        start, end = SCAN_S
        return max(0, min(28, int(28 * (self.elapsed_s - start) / (end - start))))

    def layer_shown(self, index: int) -> float:
        """How lit layer index (0: the first after the picture) is, 0..1; deeper layers wait for "deeper"."""
        start = self._start_of("lights") + index * LAYER_S
        if self.kind == "cnn" and index >= 1:
            start = max(start, self._start_of("deeper") + (index - 1) * LAYER_S)
        return _ramp(self.elapsed_s, start, FADE_S)

    def votes_shown(self) -> float:
        return _ramp(self.elapsed_s, self._start_of("votes"), GROW_S)

    def mattered_shown(self) -> float:
        return _ramp(self.elapsed_s, self._start_of("mattered"), FADE_S)


def _ramp(now: float, start: float, length: float) -> float:
    return max(0.0, min(1.0, (now - start) / length))
