#!/usr/bin/env python3
"""What one "Did I get it right?" answer costs to save: below the feedback store's cap and at it.

A kiosk that has run for months sits at the cap (5,000 records) and drops the oldest with every save; a
save that costs a frame (16 ms) there makes the answer stutter. Measured in a fresh folder: saves into a
store well below the cap, then into one filled to it, each by a store just started (as after a restart;
its first save is reported on its own). Records are a typical digit's (about 4 KB).

    python -m benchmarks feedback-save [--records 5000] [--saves 300] [--folder DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from benchmarks.report import emit


def digit_strokes(k: int) -> list[list[tuple[float, float]]]:
    """A loop and a tail (a 9), 130 points; k moves it by a tenth of a pixel each, so every drawing differs
    (the store keeps the same strokes once)."""
    turn = np.linspace(0, 2 * math.pi, 90)
    loop = [(150 + 40 * math.cos(t) + k / 10, 110 + 40 * math.sin(t)) for t in turn]
    tail = [(190 + k / 10, 110.0 + 4 * i) for i in range(40)]
    return [loop, tail]


def timed_saves(store, count: int, first: int) -> list[float]:
    """Milliseconds per save, for count saves of new drawings numbered from first."""
    image = np.zeros((28, 28), np.uint8)
    times = []
    for k in range(first, first + count):
        started = time.perf_counter()
        assert store.append(digit_strokes(k), 384, image, k % 10, (k + 1) % 10, "cnn", "benchmark")
        times.append(1000 * (time.perf_counter() - started))
    return times


def spread(times: list[float]) -> dict:
    return {
        "saves": len(times),
        "median_ms": round(float(np.median(times)), 3),
        "p90_ms": round(float(np.percentile(times, 90)), 3),
        "max_ms": round(float(np.max(times)), 3),
    }


def measure(folder: Path, records: int, saves: int) -> dict:
    """Saves below the cap (a tenth full) and at it (filled to records), each by a just-started store."""
    from kiosk.teaching.feedback_store import FeedbackStore

    below = timed_saves(FeedbackStore(folder / "below", max_records=records), saves, 0)
    filling = FeedbackStore(folder / "at-cap", max_records=records)
    timed_saves(filling, records, 0)
    at_cap = timed_saves(FeedbackStore(folder / "at-cap", max_records=records), saves + 1, records)
    kept = FeedbackStore(folder / "at-cap", max_records=records).count()
    assert kept == records, f"the cap holds: {kept} records kept, not {records}"
    return {
        "records_at_cap": records,
        "below_cap": spread(below),
        "at_cap": spread(at_cap[1:]),
        "at_cap_first_save_after_start_ms": round(at_cap[0], 3),
    }


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="the cap (feedback_max_records; default 5000)")
    parser.add_argument("--saves", type=int, default=300, help="saves timed on each side of the cap")
    parser.add_argument("--folder", type=Path, help="where to make the stores (default: a temporary folder)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="feedback-save-", dir=args.folder))
    try:
        result = measure(folder, args.records, args.saves)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    below, at_cap = result["below_cap"], result["at_cap"]
    print(f"one save below the cap: median {below['median_ms']} ms, p90 {below['p90_ms']} ms; at the cap of "
          f"{args.records}: median {at_cap['median_ms']} ms, p90 {at_cap['p90_ms']} ms, max {at_cap['max_ms']} ms "
          f"(the first after a start {result['at_cap_first_save_after_start_ms']} ms)", file=sys.stderr)
    return emit(result, args.out)


if __name__ == "__main__":
    sys.exit(main())
