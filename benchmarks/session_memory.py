#!/usr/bin/env python3
"""Does the in-session memory help the child who taught it, and leave the next child alone?

Uses the answers saved by `digit-kiosk-trainer crossval` (each writer answered by models that never saw
them). Each writer draws their digits in order; whenever the kiosk is wrong or unsure about a digit the
writer has not corrected yet, the writer corrects it once (the memory learns that picture). Compared:
the writer's later drawings answered with and without the memory, and every other writer's drawings
answered with this writer's memory (a memory that leaked to the next child).

    python -m benchmarks session-memory --crossval /tmp/crossval [--similarity 0.8] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from kiosk.config import KioskConfig
from kiosk.teaching.session_memory import MIN_SIMILARITY, SessionMemory
from trainer import crossval, drawings


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--crossval", type=Path, default=Path("/tmp/crossval"))
    parser.add_argument("--similarity", type=float, default=MIN_SIMILARITY)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    config = KioskConfig.load(None)
    rule = dict(models="cnn", confidence=config.min_confidence, margin=config.min_margin, gate=config.max_not_a_number)
    digits = drawings.load_digits()
    per_writer = {}
    for k, held_out in enumerate(drawings.writer_folds(digits.writers, args.folds)):
        fold = np.load(args.crossval / f"fold{k}.npz")
        test = digits.subset(np.isin(digits.writers, list(held_out)))
        images, _ = crossval.held_out_view(test, seed=100 + k)  # the very pictures the fold's models answered
        answers = crossval.decide(
            fold["digits_cnn"], fold["digits_mlp"], fold["digits_gate"], fold["digits_ratio"], fold["digits_ink"], rule
        )
        for writer in sorted(held_out):
            mine = test.writers == writer
            per_writer[writer] = (images[mine], test.labels[mine], answers[mine])
    before = after = later_total = 0
    leaked_changed = leaked_total = 0
    memories = {}
    for writer, (images, labels, answers) in per_writer.items():
        memory, corrected = SessionMemory(capacity=10**6, min_similarity=args.similarity), set()
        for image, label, answer in zip(images, labels, answers):
            if corrected:  # a drawing after the writer's first correction
                recalled = memory.recall(image)
                final = recalled[0] if recalled else answer
                later_total += 1
                before += answer != label
                after += final != label
            if answer != label and int(label) not in corrected:
                memory.teach(image, int(label))
                corrected.add(int(label))
        memories[writer] = memory
    for writer, memory in memories.items():
        if not len(memory):
            continue
        for other, (images, labels, answers) in per_writer.items():
            if other == writer:
                continue
            for image, label, answer in zip(images, labels, answers):
                recalled = memory.recall(image)
                leaked_total += 1
                leaked_changed += bool(recalled) and recalled[0] != answer and answer == label
    print(f"similarity >= {args.similarity}: {later_total} drawings after a writer's first correction", file=sys.stderr)
    print(
        f"  errors (wrong or not sure) without the memory: {before} ({100 * before / max(later_total, 1):.2f}%), "
        f"with it: {after} ({100 * after / max(later_total, 1):.2f}%): "
        f"{100 * (before - after) / max(before, 1):.0f}% fewer",
        file=sys.stderr,
    )
    print(
        f"  another writer's right answers turned wrong by this writer's memory: {leaked_changed} of {leaked_total} "
        f"({100 * leaked_changed / max(leaked_total, 1):.3f}%)",
        file=sys.stderr,
    )
    text = json.dumps(
        {
            "similarity": args.similarity,
            "drawings_after_a_correction": later_total,
            "errors_without_memory": before,
            "errors_with_memory": after,
            "other_writers_answers": leaked_total,
            "other_writers_right_answers_turned_wrong": leaked_changed,
        },
        indent=1,
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
