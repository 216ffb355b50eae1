"""Simulate a kiosk population teaching the computer, then measure the retrained model on new children.

drawn-digits-dev is split by writer: the drawings of half the writers play the children's feedback
(labelled drawings in a temporary data dir), the other half play new children the model has never
seen. `digit-kiosk retrain` then runs as on a Pi (its own process), and is timed and its peak memory
read. This is the one place dev drawings are trained on; the retrained model stays in a temporary
folder and is never shipped.

The base is the model the kiosk ships (or --base, e.g. an MNIST-only CNN), and the writers are those it
never trained on: the shipped models' metadata name the dev writers they were fine-tuned on
(`trainer.unseen_writers.trained_writers`), and so does a base's; every other writer is split in half,
teaching and new. --noise mixes in random wrong
labels; --prank adds drawings of one digit all labelled as another (a child playing). --borderline N is the
attack's prank on borderline 1s: each night N labels of 7 on the teaching writers' 1s that the kiosk's model
of that night reads as 1 but gives 7 at least 2%, one label per such drawing and then copies (Go -> No -> 7
pressed again). --nights runs consecutive nights, each night's model the next night's, the shipped (base)
model the fixed yardstick; every night says how many of the new writers' 1s its model reads as 7.

Usage: digit-kiosk-trainer simulate-retraining [--base MODEL.onnx] [--drawings 500] [--kind cnn] [--steps 300]
       [--seed 0] [--noise 0.1] [--prank 1:7:50] [--borderline 12] [--nights 5] [--out runs/simulate_retraining.json]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kiosk.config import shipped_dir
from kiosk.learning import drawn_digits, mnist
from kiosk.recognition.preprocess import to_model_input
from kiosk.recognition.recognizer import Recognizer
from kiosk.retraining.judging import EVAL_BATCH, compare
from kiosk.retraining.scoring import answers_of
from kiosk.teaching.feedback_store import FeedbackStore
from kiosk.recognition.model_contract import STROKE_FILE
from trainer.errors import DataError
from trainer.fused_simulation import FusedMeasure, stroke_writers, summary_lines
from trainer.evaluate import drawn_images, evaluate, onnx_predictor
from trainer.unseen_writers import trained_writers


@dataclasses.dataclass(frozen=True)
class Simulation:
    """What the simulated kiosks collect and how the nightly retrain runs on it."""

    drawings: int = 500  # labelled drawings the kiosk collected
    kind: str = "cnn"
    steps: int = 300
    seed: int = 0
    learning_rate: float = 5e-5
    threads: int = 2  # the retrain's BLAS threads (1 to measure one core)
    base: Path | None = None  # the model the kiosk runs before teaching (default: the shipped one)
    noise: float = 0.0  # share of the collected labels replaced by a random wrong one
    prank: str | None = None  # SRC:DST:N: N more drawings of SRC by the teaching writers, all labelled DST
    borderline: int = 0  # labels of 7 a night on borderline 1s (read as 1, >= 2% 7): the attack's prank
    nights: int = 1  # consecutive nights, each night's model the next night's base
    strokes: Path | None = None  # a stroke model none of the new writers trained (build-stroke-model
    # --only-writers-of): the kiosk answers fused, the night retrains it beside the CNN, and both are measured


BORDERLINE_SEVEN = 0.02  # a borderline 1: the kiosk reads it as 1 but gives 7 at least this much


def accuracy_of(model_path: Path, images: np.ndarray, labels: np.ndarray) -> float:
    return evaluate(onnx_predictor(model_path)[0], images, labels).accuracy


def right_of(model_path: Path, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(N,) bool: which images the model's best guess gets right."""
    return answers_of(onnx_predictor(model_path)[0], images, EVAL_BATCH) == labels


def per_digit_of(model_path: Path, images: np.ndarray, labels: np.ndarray) -> list[float]:
    return [float(v) for v in evaluate(onnx_predictor(model_path)[0], images, labels).per_class_accuracy]


def simulate(sim: Simulation, work: Path) -> dict:
    """Collect, retrain in its own process night after night, and measure on the writers who taught nothing."""
    if sim.strokes and sim.kind != "cnn":
        raise DataError("--strokes goes with --kind cnn: only the CNN answers with the stroke model")
    drawn = drawn_digits.load()
    rng = np.random.default_rng(sim.seed)
    shipped = _model_folder(sim, work / "models")
    seen = trained_writers(shipped_dir("models")) | trained_writers(shipped.parent) | stroke_writers(sim.strokes)
    writers, teachers = split_writers(drawn.writers, seen, rng)
    teaching = np.flatnonzero([w in teachers for w in drawn.writers])
    new_children = np.flatnonzero([w in writers and w not in teachers for w in drawn.writers])
    feedback = work / "data" / "feedback"
    store = FeedbackStore(feedback, max_records=100_000)
    picked, noisy = _collect(sim, drawn, teaching, rng, shipped, store)
    new_images = images_of(drawn, new_children)
    new_labels, test = drawn.labels[new_children], mnist.load()
    fused = FusedMeasure.of(sim, shipped, [drawn.strokes[i] for i in new_children], new_images, new_labels)
    pranked, nights = [], []  # the drawings pranked so far (a copy each time), what each night did
    for night in range(sim.nights):
        current = work / "data" / "models" / f"{sim.kind}.onnx"
        current = current if current.exists() else shipped
        labels = _borderline_prank(sim, drawn, teaching, current, store, pranked, night)
        measured, retrained, command = _one_night(sim, work, shipped, new_images, new_labels)
        nights.append({"night": night + 1, "borderline_labels": labels, "borderline_drawings": len(set(pranked)),
                       "records": len(store.load()), **measured, **(fused.after(work) if fused else {})})
    last = nights[-1]
    return {
        "kind": sim.kind,
        "base": str(sim.base or "shipped"),
        "writers_seen_by_base": len(seen),
        "writers_teaching": len(teachers),
        "writers_new": len(writers) - len(teachers),
        "drawings_collected": int(len(picked)),
        "new_children_drawings": int(len(new_children)),
        "new_children_ones": int((new_labels == 1).sum()),
        "promoted": last["promoted"],
        "reasons": last["reasons"],
        "retrain_seconds_wall": last["retrain_seconds_wall"],
        "retrain_seconds_cpu": last["retrain_seconds_cpu"],
        "retrain_peak_rss_mb": last["retrain_peak_rss_mb"],
        "new_children_before": accuracy_of(shipped, new_images, new_labels),
        "new_children_after": last["new_children_after"],
        "new_children_change": last["new_children_change"],
        "new_children_per_digit_before": per_digit_of(shipped, new_images, new_labels),
        "new_children_per_digit_after": per_digit_of(retrained, new_images, new_labels),
        "shipped_ones_read_as_7": read_as(shipped, new_images, new_labels, 1, 7),
        "nights": nights,
        "noise": sim.noise,
        "noisy_labels": noisy,
        "prank": sim.prank,
        "borderline": sim.borderline,
        "doubted": last["doubted"],
        "mnist_before": accuracy_of(shipped, test.test_images, test.test_labels),
        "mnist_after": accuracy_of(retrained, test.test_images, test.test_labels),
        "held_out_before": last["held_out_before"],
        "held_out_after": last["held_out_after"],
        "held_out_change": last["held_out_change"],
        "command": " ".join(command[1:]),
        **({"new_children_fused_before": fused.before(), **{k: last[k] for k in fused.KEYS}} if fused else {}),
    }


def _one_night(sim: Simulation, work: Path, shipped: Path, new_images: np.ndarray,
               new_labels: np.ndarray) -> tuple[dict, Path, list[str]]:
    """Tonight's retrain in its own process: what it decided and cost, what its model does on the new children;
    the model (promoted or set aside) and the command."""
    command, seconds, cpu_seconds, peak_mb = _retrain(sim, work, work / "models")
    report = json.loads((work / "data" / "retrain_report.json").read_text())
    retrained = Path(report.get("promoted_to") or report["set_aside"])
    return {
        **_night_measures(report, retrained, new_images, new_labels),
        "new_children_change": compare(right_of(shipped, new_images, new_labels),
                                       right_of(retrained, new_images, new_labels)).as_dict(),
        "retrain_seconds_wall": round(seconds, 1),
        "retrain_seconds_cpu": round(cpu_seconds, 1),
        # the retrain's own peak: the children's ru_maxrss also counts this (bigger) process, which it shared
        # until its exec, so after a night's measures here it read 450 MB for a retrain of 250
        "retrain_peak_rss_mb": report.get("peak_rss_mb") or round(peak_mb, 1),
    }, retrained, command


def _night_measures(report: dict, retrained: Path, new_images: np.ndarray, new_labels: np.ndarray) -> dict:
    """What the night's retrain decided, and how its model does on the writers who taught nothing."""
    return {
        "promoted": report["promoted"],
        "reasons": report["reasons"],
        "doubted": report.get("doubted"),
        "held_out_before": report["before"]["held_out"],
        "held_out_after": report["after"]["held_out"],
        "held_out_change": report.get("changes", {}).get("held_out"),
        "new_children_after": accuracy_of(retrained, new_images, new_labels),
        "new_ones_read_as_7": read_as(retrained, new_images, new_labels, 1, 7),
        "strokes_stayed_because": (report.get("strokes") or {}).get("reasons", []),
    }


def split_writers(all_writers: np.ndarray, seen: set[str], rng) -> tuple[set[str], set[str]]:
    """The writers the base never trained on, and the half of them that teach; DataError when none is left."""
    writers = sorted(set(np.unique(all_writers).tolist()) - seen)
    if len(writers) < 2:
        raise DataError(f"the base model trained on {len(seen)} of the dev writers: fewer than 2 are left to "
                        "teach and to be measured; pass --base with a model that trained on fewer")
    return set(writers), set(rng.permutation(writers)[: len(writers) // 2].tolist())


def images_of(drawn, indices) -> np.ndarray:
    """(N, 28, 28) uint8: the drawings at indices through the kiosk's preprocessing."""
    return drawn_images(drawn_digits.DrawnDigits([drawn.strokes[i] for i in indices], drawn.labels[indices],
                                                 drawn.writers[indices]))


def read_as(model_path: Path, images: np.ndarray, labels: np.ndarray, digit: int, answer: int) -> int:
    """How many of the images of digit the model answers with answer."""
    mine = images[labels == digit]
    if not len(mine):
        return 0
    return int((onnx_predictor(model_path)[0](to_model_input(mine)).argmax(axis=1) == answer).sum())


def borderline_ones(drawn, teaching: np.ndarray, model: Path) -> list[int]:
    """The teaching writers' 1s that the model reads as 1 but gives 7 at least BORDERLINE_SEVEN, most 7-ish first."""
    ones = [int(i) for i in teaching if drawn.labels[i] == 1]
    if not ones:
        return []
    images = images_of(drawn, ones)
    probabilities = onnx_predictor(model)[0](to_model_input(images))  # (N, 10)
    borderline = (probabilities.argmax(axis=1) == 1) & (probabilities[:, 7] >= BORDERLINE_SEVEN)
    return [ones[k] for k in np.argsort(-probabilities[:, 7]) if borderline[k]]


def _borderline_prank(sim: Simulation, drawn, teaching: np.ndarray, model: Path, store: FeedbackStore,
                      pranked: list[int], night: int) -> int:
    """Tonight's prank: sim.borderline labels of 7, new borderline 1s first, then copies of those pranked."""
    if not sim.borderline:
        return 0
    fresh = [i for i in borderline_ones(drawn, teaching, model) if i not in pranked]
    targets = fresh or list(dict.fromkeys(pranked))
    if not targets:
        return 0
    recognizer = Recognizer(model)
    when = dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=night)
    for k in range(sim.borderline):
        i = targets[k % len(targets)]
        answer = recognizer.recognize(drawn.strokes[i])
        store.append(drawn.strokes[i], 300, answer.image, 7, answer.digit, sim.kind, recognizer.version,
                     created=when + dt.timedelta(seconds=k))
        pranked.append(i)
    return sim.borderline


def _model_folder(sim: Simulation, models: Path) -> Path:
    """The kiosk's model folder before teaching: the shipped models, the base in place of sim.kind's."""
    models.mkdir(parents=True)
    for kind in ("cnn", "mlp"):
        shutil.copy(shipped_dir("models") / f"{kind}.onnx", models / f"{kind}.onnx")
    if sim.base:
        shutil.copy(sim.base, models / f"{sim.kind}.onnx")
    if sim.strokes:
        shutil.copy(sim.strokes, models / STROKE_FILE)
    return models / f"{sim.kind}.onnx"


def _collect(sim: Simulation, drawn, teaching: np.ndarray, rng, model: Path,
             store: FeedbackStore) -> tuple[np.ndarray, int]:
    """Store what the kiosks would have stored: each child's strokes and label (some wrong, some a prank)."""
    picked = rng.choice(teaching, min(sim.drawings, len(teaching)), replace=False)
    labels = drawn.labels[picked].copy()
    noisy = rng.random(len(picked)) < sim.noise
    labels[noisy] = (labels[noisy] + rng.integers(1, 10, noisy.sum())) % 10  # a random wrong digit
    collected = list(zip(picked.tolist(), labels.tolist()))
    if sim.prank:
        source, target, count = (int(v) for v in sim.prank.split(":"))
        candidates = [i for i in teaching if drawn.labels[i] == source and i not in set(picked)]
        collected += [(i, target) for i in rng.choice(candidates, min(count, len(candidates)), replace=False)]
    recognizer = Recognizer(model)
    # Each drawing's time is fixed by its place in the set, so every run's records are alike and runs can be
    # compared (the retrain's holdout hashes the strokes).
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for i, label in collected:
        answer = recognizer.recognize(drawn.strokes[i])
        store.append(
            drawn.strokes[i],
            300,
            answer.image,
            int(label),
            answer.digit,
            sim.kind,
            recognizer.version,
            created=epoch + dt.timedelta(seconds=int(i)),
        )
    return picked, int(noisy.sum())


def _retrain(sim: Simulation, work: Path, models: Path) -> tuple[list[str], float, float, float]:
    """`digit-kiosk retrain` in its own process, as the nightly unit runs it; (command, wall seconds, CPU seconds,
    peak MB)."""
    config_file = work / "kiosk.toml"
    config_file.write_text(f'data_dir = "{work / "data"}"\nmodel_dir = "{models}"\n')
    command = [
        sys.executable,
        "-m",
        "kiosk",
        "retrain",
        "--config",
        str(config_file),
        "--kind",
        sim.kind,
        "--steps",
        str(sim.steps),
        "--learning-rate",
        str(sim.learning_rate),
        "--threads",
        str(sim.threads),
        "--no-drawn",
        "--quiet",
    ]
    started, cpu_started = time.monotonic(), _children_cpu_seconds()
    # as the systemd unit runs it (deploy/digit-kiosk-retrain.service): two malloc arenas
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "MALLOC_ARENA_MAX": "2"})
    seconds, cpu_seconds = time.monotonic() - started, _children_cpu_seconds() - cpu_started
    if done.returncode != 0:
        raise DataError(f"the retrain failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return command, seconds, cpu_seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _children_cpu_seconds() -> float:
    """User and system CPU time of the finished child processes (the retrains), so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def summary(result: dict) -> str:
    """The result in a few lines, for people."""
    r, errors = result, (1 - result["new_children_before"], 1 - result["new_children_after"])
    lines = [
        f"{r['kind']} ({r['base']} base), {r['drawings_collected']} drawings from {r['writers_teaching']} writers "
        f"taught; measured on {r['new_children_drawings']} drawings of {r['writers_new']} other writers (none of "
        f"them among the {r['writers_seen_by_base']} the base trained on)",
        f"  new children : {r['new_children_before']:.2%} -> {r['new_children_after']:.2%}"
        + _change_words(r["new_children_change"], chance=False),
        f"  held out     : {r['held_out_before']:.2%} -> {r['held_out_after']:.2%}"
        + _change_words(r["held_out_change"]),
        f"  MNIST test   : {r['mnist_before']:.2%} -> {r['mnist_after']:.2%}",
        f"  promoted     : {r['promoted']} {'; '.join(r['reasons'])}",
        f"  labels       : {r['noisy_labels']} random wrong ones, prank {r['prank'] or 'none'}; "
        f"{r['doubted']} doubted by the retrain",
    ]
    if r["prank"]:
        source = int(r["prank"].split(":")[0])
        was, now = r["new_children_per_digit_before"][source], r["new_children_per_digit_after"][source]
        lines.append(f"  new children's {source}s: {was:.2%} -> {now:.2%} ({100 * (now - was):+.2f} points)")
    lines.append(f"  new writers' 1s read as 7: shipped {r['shipped_ones_read_as_7']} of {r['new_children_ones']}")
    for n in r["nights"]:
        lines.append(
            f"  night {n['night']}: {n['borderline_labels']} borderline labels ({n['borderline_drawings']} drawings "
            f"so far, {n['records']} records), {n['doubted']} doubted, promoted {n['promoted']}, "
            f"1s read as 7: {n['new_ones_read_as_7']}, held out {n['held_out_before']:.2%} -> {n['held_out_after']:.2%}"
            + (f"; {'; '.join(n['reasons'])}" if n["reasons"] else "")
            + (f"; stroke model kept as it was: {n['strokes_stayed_because'][0]}" if n["strokes_stayed_because"]
               else "")
        )
    lines.append(
        f"  error on new children: {errors[0]:.2%} -> {errors[1]:.2%} "
        f"({100 * (errors[0] - errors[1]) / max(errors[0], 1e-9):.0f}% fewer)"
    )
    lines += summary_lines(r)
    lines.append(
        f"  retrain      : {r['retrain_seconds_wall']:.0f} s wall, {r['retrain_seconds_cpu']:.0f} s CPU, peak RSS "
        f"{r['retrain_peak_rss_mb']:.0f} MB (targets: <= 120 s on one core here, <= 300 MB)"
    )
    return "\n".join(lines)


def _change_words(change: dict | None, chance: bool = True) -> str:
    """Drawing by drawing: how many the retrained model lost and gained (and the gate's p), in words."""
    if not change:
        return ""
    words = f" ({change['worse']} drawings lost, {change['better']} gained of {change['drawings']}"
    return words + (f"; p = {change['p_worse']:.3f} that a model no worse loses that many)" if chance else ")")


def simulate_and_save(sim: Simulation, out: Path) -> dict:
    """simulate() in a temporary folder, the result written to out as JSON and summarised on stdout."""
    with tempfile.TemporaryDirectory(prefix="retrain-sim-") as work:
        result = simulate(sim, Path(work))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(summary(result))
    return result
