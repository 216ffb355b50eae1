"""python -m benchmarks NAME [options]: run one benchmark by name; --list names them all."""

from __future__ import annotations

import importlib
import os
import sys

# name -> (module, what it measures)
BENCHMARKS = {
    "inference": ("benchmarks.inference", "recognition latency, strokes -> answer, p50/p99 per shipped model"),
    "frames": ("benchmarks.frames", "the kiosk's frame times while drawing, answering and in the attract loop"),
    "kiosk": ("benchmarks.kiosk_process", "the running kiosk on its own Xvfb: first frame, memory, idle CPU"),
    "live-training": ("benchmarks.live_training", "train it yourself: time to 90/95/97%, memory, frames meanwhile"),
    "training": ("benchmarks.training", "desktop training: seconds to the target accuracies, peak memory"),
    "voice": ("benchmarks.voice", "recognized -> first sound; --render: what a voice-cache rebuild costs"),
    "unsure": ("benchmarks.unsure", "how often the kiosk answers real digits, and non-digits, at the config's rule"),
    "drawing-session": (
        "benchmarks.drawing_session",
        "multi-stroke digits through the headless kiosk: early answers, waits",
    ),
    "session-memory": (
        "benchmarks.session_memory",
        "the in-session memory: helps the child who taught it, never reaches the next",
    ),
    "turns": ("benchmarks.turns", "after an answer, the next digit answered as itself (pairs of real digits)"),
    "feedback-save": ("benchmarks.feedback_save", "one labelled drawing saved, below the store's cap and at it"),
    "insight": ("benchmarks.insight", "Learn's view inside the network: one update, frames while it animates"),
    "all": ("benchmarks.suite", "the suite: the first five, onnxruntime vs torch, fp32 vs int8, retraining"),
}
USAGE = "usage: python -m benchmarks {--list | NAME [options]}   (NAME --help for its options)"


def listing() -> str:
    return "\n".join(f"{name:<14} {what}" for name, (_, what) in BENCHMARKS.items())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(f"{USAGE}\n\n{listing()}", file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] == "--list":
        print(listing())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"python -m benchmarks: no benchmark named {name!r}; these are:\n{listing()}", file=sys.stderr)
        return 2
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # stdout is the JSON alone
    module = importlib.import_module(BENCHMARKS[name][0])
    return module.main(rest, prog=f"python -m benchmarks {name}")


if __name__ == "__main__":
    sys.exit(main())
