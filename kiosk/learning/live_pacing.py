"""How long each phase of a live training stays on screen, however fast the learner is (pygame-free).

"I'm learning..." and the big test are each said as they begin. A quick learner can reach its big test and its
result within a second, so the next phase would cut the line off and flash past: each phase is held on screen
until its line has been said and a child has had time to see it. Progress (the curve, the strip, the child's
digit) goes straight through; only the messages that end a phase wait. The caller's clock drives it (advance),
so headless replays and tests run on simulated time. A Stop or the idle reset never waits for it: they act at
once, and the next training starts the pacer afresh.
"""

from __future__ import annotations

from collections import deque

from kiosk.learning.live_protocol import Checking, Done, Failed, Message

MIN_PHASE_MS = 2000  # a phase a child can see and hear, even where its line is short
# Each phase's line: its longest clip (en, es or fr) and 0.2 s more, so the next line never cuts it off
# (tests/kiosk/learning/test_live_pacing.py reads the voice cache's manifest to hold them). The big test's line
# is short ("Now my big test!") because it is said between the learning and the result: a 4.2 s sentence there
# put the result past a child's 8 s.
LINE_MS = {"live.learning": 1700, "live.checking": 2300}


def minimum_ms(phase_id: str) -> float:
    """How long the phase whose line is phase_id stays on screen at least."""
    return max(MIN_PHASE_MS, LINE_MS.get(phase_id, 0))


class PhasePacer:
    """Holds the learner's messages that end a phase until the phase on screen has had its time."""

    def __init__(self) -> None:
        self.phase_id = "live.learning"
        self.shown_ms = 0.0
        self._held: deque[Message] = deque()

    def start(self) -> None:
        """A training begins: "I'm learning..." is on screen from now, nothing is held."""
        self.phase_id, self.shown_ms = "live.learning", 0.0
        self._held.clear()

    def advance(self, dt_ms: float) -> None:
        self.shown_ms += max(0.0, dt_ms)

    def _ends_phase(self, message: Message) -> bool:
        if isinstance(message, Checking):
            return self.phase_id == "live.learning"  # the learner may say it more than once
        return isinstance(message, (Done, Failed))

    def release(self, incoming: list[Message]) -> list[Message]:
        """The messages to act on now, in order: the progress at once, a phase's end once the phase has been
        shown long enough (and at most one a call: the next phase's time starts when it is shown)."""
        self._held.extend(incoming)
        out: list[Message] = []
        while self._held:
            message = self._held[0]
            if not self._ends_phase(message):
                out.append(self._held.popleft())
                continue
            if self.shown_ms < minimum_ms(self.phase_id):
                break
            out.append(self._held.popleft())
            self.phase_id = "live.checking" if isinstance(message, Checking) else "done"
            self.shown_ms = 0.0
            break
        return out
