#!/usr/bin/env python3
"""Does the in-session memory help the child who taught it, and leave the next child alone?

Both questions go through the kiosk's own DrawingSession on a fake clock (strokes in, Go, the child's
answer to "Did I get it right?" through label()), the shipped models answering the dev writers they never
trained on (as new to them as a child at the kiosk):
- the same writer: each writer draws their digits in order, one every PACE_S, and corrects a wrong answer
  for a digit they have not corrected yet; their later drawings are scored with the memory and without it;
- the next writer: a prankster teaches PRANK_LESSONS wrong lessons, then, after a gap of 5, 20 or 60 s
  from their last touch, the queue's next QUEUE drawings (other writers, one every PACE_S, nobody answering
  the question) are counted where the prankster's lessons changed the answer ("You taught me!").
Each with the kiosk's rules now and with those before issue 22 (20 lessons, forgotten only after 90 s idle).
With --crossval DIR, the same writer is also scored on the answers saved by `digit-kiosk-trainer crossval`
(the older figure: each writer's first wrong answer per digit corrected once).

    python -m benchmarks session-memory [--pranksters 12] [--gaps 5,20,60] [--prank-lessons 20]
        [--model-dir DIR] [--crossval DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kiosk.session.drawing_session import DrawingSession
from kiosk.session.visitor import QUIET_S
from kiosk.teaching.session_memory import CAPACITY, LESSON_LIFE_DRAWINGS, MIN_SIMILARITY, SessionMemory
from benchmarks.report import emit

PACE_S = 6.0  # one child's drawing to their next: the drawing, the answer, the question
ANSWER_S = 2.0  # from the first touch to Go
LABEL_S = 2.0  # from the answer to the child's tap on the keypad
PRANK_LESSONS = 20  # the attack of issue 22: 20 drawings corrected to wrong digits
QUEUE = 200  # the next writers' drawings counted after the prankster


@dataclass(frozen=True)
class Rules:
    """What the memory keeps and when a new visitor is marked."""

    name: str
    capacity: int
    life_drawings: int | None
    quiet_s: float
    unlearn: bool = True  # No to a remembered answer takes away the lesson that gave it


NOW = Rules("now", CAPACITY, LESSON_LIFE_DRAWINGS, QUIET_S)
BEFORE = Rules("before issue 22", 20, None, math.inf, unlearn=False)  # a queue never reached the 90 s idle


class Clock:
    """The session's clock, moved by the simulation."""

    def __init__(self):
        self.s = 0.0

    def __call__(self) -> float:
        return self.s


class Quiet:
    """Stands in for the event log and the feedback store (the question is asked only when answers are kept)."""

    def write(self, **_event) -> None:
        pass

    def append(self, *_record) -> bool:
        return True


class MeasuredSession(DrawingSession):
    """The kiosk's session, noting the model's own answer before the memory had its say."""

    unaided = None

    def _recall(self, answers):
        self.unaided = answers[self.active]
        return super()._recall(answers)


def new_session(recognizers, rules: Rules, similarity: float, clock: Clock, canvas_px: float) -> MeasuredSession:
    quiet = Quiet()
    session = MeasuredSession(recognizers, quiet, clock, lambda _: None, lambda _: None, canvas_px, 0, quiet)
    session.memory = SessionMemory(rules.capacity, similarity, rules.life_drawings)
    session.visitor.quiet_s = rules.quiet_s
    if not rules.unlearn:
        session.memory.unlearn = lambda image: None
    return session


def draw(session: MeasuredSession, clock: Clock, strokes) -> None:
    """A finger draws strokes (canvas pixels), then presses Go."""
    for stroke in strokes:
        session.begin_stroke(*stroke[0])
        for x, y in stroke[1:]:
            session.extend_stroke(x, y)
        session.end_stroke()
    clock.s += ANSWER_S
    session.answer(asked=True)


def same_writer(recognizers, writers: dict, rules: Rules, similarity: float, canvas_px: float) -> dict:
    """Each writer a new visitor: errors on their drawings after their first correction, unaided and with it."""
    later = unaided_errors = errors = 0
    for drawn in writers.values():
        clock = Clock()
        session, corrected = new_session(recognizers, rules, similarity, clock, canvas_px), set()
        for strokes, label in drawn:
            clock.s += PACE_S
            draw(session, clock, strokes)
            digit = session.prediction.digit if session.prediction else None
            if corrected:
                later += 1
                unaided_errors += session.unaided is None or session.unaided.digit != label
                errors += digit != label
            if digit != label and label not in corrected and session.question is not None:
                clock.s += LABEL_S
                session.label(label)
                corrected.add(label)
    return dict(drawings_after_a_correction=later, errors_unaided=unaided_errors, errors_with_memory=errors)


def next_writers(
    recognizers, prank, queue, gap_s: float, rules: Rules, similarity: float, canvas_px: float, lessons: int
) -> int:
    """How many of the queue's drawings answer with the prankster's lessons, gap_s after their last touch."""
    clock = Clock()
    session, taught = new_session(recognizers, rules, similarity, clock, canvas_px), 0
    for strokes, label in prank:
        if taught == lessons:
            break
        clock.s += PACE_S
        draw(session, clock, strokes)
        if session.question is not None:
            wrong = next(d % 10 for d in range(label + 1, label + 10) if d % 10 != session.question.answer.digit)
            clock.s += LABEL_S
            session.label(wrong)
            taught += 1
    clock.s += gap_s - PACE_S  # the next child's first touch comes gap_s after the prankster's last
    remembered = 0
    for strokes, _ in queue[:QUEUE]:
        clock.s += PACE_S
        draw(session, clock, strokes)
        remembered += bool(session.prediction and session.prediction.remembered)
    return remembered


def unseen_writers_drawings(model_dir: Path, drawn_dir: Path | None, every_writer: bool = False) -> tuple[dict, float]:
    """{writer: [(canvas strokes, label)]} for every dev writer the models in model_dir never trained on."""
    from trainer import drawings
    from trainer.unseen_writers import trained_writers

    seen = set() if every_writer else trained_writers(model_dir)
    digits = drawings.load_digits(drawn_dir)
    digits = digits.subset(~np.isin(digits.writers, list(seen)))
    rng, writers = np.random.default_rng(0), {}
    for strokes, label, writer in zip(digits.strokes, digits.labels, digits.writers):
        writers.setdefault(str(writer), []).append((drawings.on_canvas(strokes, rng), int(label)))
    return writers, float(drawings.CANVAS_PX)


def leaks(recognizers, writers: dict, args: argparse.Namespace, rules: Rules, px: float) -> dict:
    """Per gap: the remembered answers in each prankster's queue (the writers after them, in turn)."""
    names, pranksters, sim, lessons = list(writers), args.pranksters, args.similarity, args.prank_lessons
    able = [n for n in names if len(writers[n]) >= lessons]
    chosen = [able[i] for i in np.linspace(0, len(able) - 1, min(pranksters, len(able))).round().astype(int)]
    result = {}
    for gap in [float(g) for g in args.gaps.split(",")]:
        counts = []
        for prankster in chosen:
            start = names.index(prankster)
            queue = [d for n in names[start + 1 :] + names[:start] for d in writers[n]]
            counts.append(next_writers(recognizers, writers[prankster], queue, gap, rules, sim, px, lessons))
        result[f"{gap:g}"] = dict(queues=len(counts), mean=float(np.mean(counts)), max=int(max(counts)), each=counts)
    return result


def crossval_answers(directory: Path, folds: int) -> dict:
    """{writer: (images, labels, answers)} from crossval's saved answers (models that never saw the writer)."""
    from kiosk.config import KioskConfig
    from trainer import crossval, drawings

    config = KioskConfig.load(None)
    rule = dict(models="cnn", confidence=config.min_confidence, margin=config.min_margin, gate=config.max_not_a_number)
    digits, per_writer = drawings.load_digits(), {}
    for k, held_out in enumerate(drawings.writer_folds(digits.writers, folds)):
        f = np.load(directory / f"fold{k}.npz")
        test = digits.subset(np.isin(digits.writers, list(held_out)))
        images, _ = crossval.held_out_view(test, seed=100 + k)  # the very pictures the fold's models answered
        answers = crossval.decide(
            f["digits_cnn"], f["digits_mlp"], f["digits_gate"], f["digits_ratio"], f["digits_ink"], rule
        )
        for writer in sorted(held_out):
            mine = test.writers == writer
            per_writer[writer] = (images[mine], test.labels[mine], answers[mine])
    return per_writer


def crossval_same_writer(per_writer: dict, rules: Rules, similarity: float) -> dict:
    """The older figures: each writer's first wrong answer per digit corrected once; their later errors, and
    every other writer's right answers that this writer's memory (as they left) turned wrong."""
    later = before = after = leaked = others = 0
    memories = []
    for images, labels, answers in per_writer.values():
        memory, corrected = SessionMemory(rules.capacity, similarity, rules.life_drawings), set()
        for image, label, answer in zip(images, labels, answers):
            memory.next_drawing()
            if corrected:
                recalled = memory.recall(image)
                later, before = later + 1, before + (answer != label)
                after += (recalled[0] if recalled else answer) != label
            if answer != label and int(label) not in corrected:
                memory.teach(image, int(label))
                corrected.add(int(label))
        memories.append(memory)
    for mine, memory in zip(per_writer, memories):
        for other, (images, labels, answers) in per_writer.items():
            if other != mine and len(memory):
                recalled = [memory.recall(image) for image in images]
                others += len(images)
                leaked += sum(bool(r) and r[0] != a and a == y for r, a, y in zip(recalled, answers, labels))
    counts = (later, before, after, others, leaked)
    names = ("drawings_after_a_correction", "errors_unaided", "errors_with_memory", "other_writers_answers")
    return dict(zip(names + ("other_writers_right_answers_turned_wrong",), map(int, counts)))


def _say(name: str, honest: dict, leaked: dict, lessons: int) -> None:
    n, a, b = honest["drawings_after_a_correction"], honest["errors_unaided"], honest["errors_with_memory"]
    print(
        f"{name}: the same writer's later errors {a} -> {b} in {n} drawings "
        f"({abs(100 * (a - b) / max(a, 1)):.0f}% {'fewer' if b <= a else 'more'})",
        file=sys.stderr,
    )
    for gap, counts in leaked.items():
        print(
            f"  {gap:>3} s after a prankster's {lessons} wrong lessons, the next {QUEUE} drawings: "
            f"{counts['mean']:.2f} remembered answers on average, at most {counts['max']} ({counts['queues']} queues)",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--similarity", type=float, default=MIN_SIMILARITY)
    parser.add_argument("--pranksters", type=int, default=12, help="queues measured per gap (writers of 20+ digits)")
    parser.add_argument("--gaps", default="5,20,60", help="seconds from a prankster's last touch to the next child")
    parser.add_argument("--prank-lessons", type=int, default=PRANK_LESSONS, help="wrong lessons the prankster teaches")
    parser.add_argument(
        "--model-dir", type=Path, help="models to answer (default: the kiosk's); their writers are left out"
    )
    parser.add_argument("--all-writers", action="store_true", help="also those the models trained on")
    parser.add_argument("--drawn-dir", type=Path)
    parser.add_argument("--crossval", type=Path, help="also score the same writer on crossval's saved answers")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    from kiosk.config import KioskConfig
    from kiosk.recognition.model_files import load_recognizers

    config = KioskConfig(model_dir=str(args.model_dir)) if args.model_dir else KioskConfig.load(None)
    recognizers = load_recognizers(config)
    writers, px = unseen_writers_drawings(config.model_dir_path, args.drawn_dir, args.all_writers)
    report: dict = dict(similarity=args.similarity, writers=len(writers), pace_s=PACE_S, rules={})
    report.update(models=str(config.model_dir_path), prank_lessons=args.prank_lessons)
    for rules in (NOW, BEFORE):
        honest = same_writer(recognizers, writers, rules, args.similarity, px)
        leaked = leaks(recognizers, writers, args, rules, px)
        written = dict(asdict(rules), quiet_s=rules.quiet_s if math.isfinite(rules.quiet_s) else None)
        report["rules"][rules.name] = dict(written, same_writer=honest, next_writers=leaked)
        if args.crossval:
            per_writer = crossval_answers(args.crossval, args.folds)
            report["rules"][rules.name]["crossval"] = crossval_same_writer(per_writer, rules, args.similarity)
        _say(rules.name, honest, leaked, args.prank_lessons)
    return emit(report, args.out)


if __name__ == "__main__":
    sys.exit(main())
