"""On-device retraining: fine-tune the kiosk's current model on the drawings children labelled, with
MNIST replay so it does not forget, and promote it only if the gate says it is no worse.

Made for a Raspberry Pi at night: no torch (the kiosk's numpy learning engine, kiosk/learning/),
niced, a few hundred small steps, MNIST held as uint8 (47 MB), progress in the log, and Ctrl-C or
kill -9 at any point leaves the kiosk's model as it was.
"""
from __future__ import annotations

import datetime as dt
import dataclasses
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from kiosk import version
from kiosk.atomic_write import write_bytes_atomic, write_text_atomic
from kiosk.config import KioskConfig
from kiosk.errors import DataError, EmptyDrawing, LearningError
from kiosk.learning import drawn_digits, stopping
from kiosk.learning import mnist as mnist_data
from kiosk.learning.augment import CLEAN_PROBABILITY, jitter
from kiosk.learning.network import Adam, Network, train_step
from kiosk.learning.onnx_io import check_parity, read_onnx, to_onnx_bytes
from kiosk.learning.styles import STYLED_DIGITS, styled_copies
from kiosk.recognition import model_contract as contract
from kiosk.recognition.preprocess import clean_strokes, strokes_to_image, to_model_input
from kiosk.recognition.recognizer import model_version
from kiosk.retraining import status
from kiosk.recognition.model_files import FUSED_KINDS
from kiosk.retraining.doubt import BURST_WINDOW, doubted
from kiosk.recognition.stroke_model import StrokeModel, paired_file
from kiosk.retraining.fused_judging import HeldOutStrokes, StrokeReadings, file_runner
from kiosk.retraining.stroke_head import carried, current_stroke_model, keep_paired_only, stroke_night, tidy_paired
from kiosk.retraining.judging import changes_between, gate, measure, measure_yardsticks, probabilities
from kiosk.retraining.promotion import clean_leftovers, promote, retrain_lock, set_aside
from kiosk.teaching.feedback_store import FeedbackStore, Labelled
from kiosk.teaching.status import REPORT_NAME

log = logging.getLogger(__name__)

PARITY_IMAGES = 500  # MNIST test images the engine and onnxruntime must agree on before a file is used
MIN_EACH_SIDE = 5  # drawings to train on, and to judge by: fewer and the night learns or proves nothing

Pair = tuple[np.ndarray, np.ndarray]  # (N, 28, 28) uint8 images and their (N,) labels


@dataclass(frozen=True)
class RetrainOptions:
    kind: str = "cnn"
    steps: int = 300  # batches; a few minutes for the CNN on 2 x86 cores (numpy), longer on a Pi 4
    batch_size: int = 128
    collected_share: float = 0.25  # of each batch: children's drawings; the rest is MNIST replay
    learning_rate: float = 5e-5  # a twentieth of the first training: nudge the model, do not re-learn it
    micro_batch: int = 32  # images per forward/backward within a step: the same step in a quarter of the memory
    holdout_fraction: float = 0.2  # of the collected drawings, never trained on, to judge the result
    min_drawings: int = 20  # fewer than this and there is nothing sound to learn from or judge by
    seed: int = 0
    threads: int = 2
    nice: int = 10  # the kiosk keeps its CPU while the retrain runs beside it


def holdout_mask(records: list[Labelled], fraction: float) -> np.ndarray:
    """True for held-out drawings: chosen by a hash of each drawing's strokes, so a drawing held out once is
    held out in every later retrain too, and every copy of it (labelled again, at another time) lands on the
    same side: held-out drawings never have copies in training."""
    def bucket(record: Labelled) -> float:
        digest = hashlib.sha256(f"holdout|{record.drawing}".encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32

    return np.array([bucket(r) < fraction for r in records], dtype=bool)


def images_of(records: list[Labelled]) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 through today's kiosk preprocessing (from the strokes), and the labels."""
    images = []
    for record in records:
        try:
            images.append(strokes_to_image(clean_strokes(record.strokes)))
        except EmptyDrawing:  # strokes lost or unusable: the picture the kiosk saw then
            images.append(record.image)
    return np.array(images, dtype=np.uint8).reshape(-1, 28, 28), np.array([r.label for r in records], dtype=np.int64)


@dataclass(frozen=True)
class Collected:
    """The children's labelled drawings, split: to learn from, to judge by, and how many were not believed."""

    train: Pair
    held_out: Pair
    drawings: int
    doubted: int
    skipped: int = 0  # record files not read: damaged, out of bounds, or not a record
    # where the CNN answers with a stroke model: that model, held_out's strokes, and train's (the stroke model
    # learns beside the CNN: stroke_head.py)
    stroke_model: StrokeModel | None = None
    held_out_strokes: HeldOutStrokes | None = None
    train_strokes: list | None = None

    def readings_before(self) -> StrokeReadings | None:
        """The current stroke model's readings of the held-out drawings (None: the CNN answers alone)."""
        if self.stroke_model is None or self.held_out_strokes is None:
            return None
        # onnxruntime on the file with no time limit: a niced night beside a busy kiosk may be slow, not wrong
        return self.held_out_strokes.read_by(file_runner(self.stroke_model.path), self.stroke_model.rule.stroke_weight)


def collect(config: KioskConfig, options: RetrainOptions, model: str) -> Collected:
    """The labelled drawings through today's preprocessing, split by the holdout hash, doubted labels set aside.

    model: the current model's file, which judges which labels are believable."""
    loaded = FeedbackStore(config.feedback_dir).read()
    records = loaded.records
    if loaded.skipped:
        log.warning("%d feedback record(s) skipped as damaged or out of bounds (named above)", loaded.skipped)
    if len(records) < options.min_drawings:
        raise LearningError(f"only {len(records)} labelled drawings in {config.feedback_dir}; "
                            f"retraining needs at least {options.min_drawings}")
    mask = holdout_mask(records, options.holdout_fraction)
    if mask.sum() < MIN_EACH_SIDE or (~mask).sum() < MIN_EACH_SIDE:
        raise LearningError(f"{len(records)} drawings split into {int((~mask).sum())} to train on and "
                            f"{int(mask.sum())} to judge by; each needs at least {MIN_EACH_SIDE}")
    images, labels = images_of(records)
    count = len(records)
    # the kiosk answers with this kind fused with a stroke model: the held-out drawings are judged that way too
    stroke_model = current_stroke_model(config, model) if options.kind in FUSED_KINDS else None
    strokes = None if stroke_model is None else [[np.asarray(s, np.float32) for s in r.strokes] for r in records]
    # The newest labels are the last saved (records come in the order saved), never the latest by their
    # clock: a Pi booted in 1970 would hide a prank of tonight among the oldest.
    recent = np.arange(count) >= count - BURST_WINDOW
    del records  # their strokes as Python lists outweigh the pictures many times; MNIST comes next
    # Labels the current model finds nearly impossible are neither learned nor judged by (a prank or a slip).
    doubt = doubted(probabilities(model, images), labels, recent)
    train, held_out = (images[~mask & ~doubt], labels[~mask & ~doubt]), (images[mask & ~doubt], labels[mask & ~doubt])
    if len(train[1]) < MIN_EACH_SIDE or len(held_out[1]) < MIN_EACH_SIDE:
        raise LearningError(f"after setting aside {int(doubt.sum())} doubted labels, {len(train[1])} drawings are left "
                            f"to train on and {len(held_out[1])} to judge by; each needs at least {MIN_EACH_SIDE}")
    if strokes is None:
        return Collected(train, held_out, count, int(doubt.sum()), loaded.skipped)
    held = HeldOutStrokes.of([strokes[i] for i in np.flatnonzero(mask & ~doubt)])
    return Collected(train, held_out, count, int(doubt.sum()), loaded.skipped, stroke_model, held,
                     [strokes[i] for i in np.flatnonzero(~mask & ~doubt)])


@dataclass(frozen=True)
class Yardsticks:
    """What every model of the night is measured on, besides the children's held-out drawings."""

    test: Pair  # MNIST's 10,000 test digits
    styled: Pair  # its 0s, 1s, 2s and 7s in European style
    drawn: Pair | None  # the drawn-digits dev set, where this machine has it


def yardsticks(data: mnist_data.Mnist, drawn_dir: str | None, use_drawn: bool) -> Yardsticks:
    """MNIST's test digits, plain and in European style, and the drawn digits where available."""
    # MNIST's test 0s, 1s, 2s and 7s with a slash, a flag, a loop or a bar: the European hands a prank
    # on "1 or 7" would move, in digits no child wrote
    in_style = np.isin(data.test_labels, STYLED_DIGITS)
    styled = (styled_copies(data.test_images[in_style], data.test_labels[in_style], seed=0), data.test_labels[in_style])
    drawn = drawn_images(drawn_dir) if use_drawn else None
    return Yardsticks((data.test_images, data.test_labels), styled, drawn)


def fine_tune(network: Network, collected: tuple[np.ndarray, np.ndarray], replay: tuple[np.ndarray, np.ndarray],
              options: RetrainOptions, show_progress: bool = True) -> list[float]:
    """Adam on mixed batches: children's drawings (lightly jittered) plus MNIST (jittered as in the first training)."""
    rng = np.random.default_rng(options.seed)
    optimizer = Adam(network.params, learning_rate=options.learning_rate)
    n_collected = max(1, int(round(options.batch_size * options.collected_share)))
    n_replay = options.batch_size - n_collected
    losses = []
    every = max(1, options.steps // 10)
    for step in range(1, options.steps + 1):
        stopping.check()
        pick = rng.integers(0, len(collected[1]), n_collected)
        mine = jitter(collected[0][pick], "affine", rng)
        pick_replay = rng.integers(0, len(replay[1]), n_replay)
        theirs = replay[0][pick_replay].copy()
        change = rng.random(n_replay) >= CLEAN_PROBABILITY  # some stay clean, as in the first training
        theirs[change] = jitter(theirs[change], "finger", rng)
        images = to_model_input(np.concatenate([mine, theirs]))
        labels = np.concatenate([collected[1][pick], replay[1][pick_replay].astype(np.int64)])
        loss, _ = train_step(network, optimizer, images, labels, rng, options.micro_batch)
        if not np.isfinite(loss):
            raise LearningError(f"the learning blew up at step {step} (loss {loss}); try a smaller --learning-rate. "
                               "The kiosk keeps the model it has")
        losses.append(loss)
        if show_progress and (step % every == 0 or step == options.steps):
            log.info("retrain step %d/%d, loss %.4f", step, options.steps, np.mean(losses[-20:]))
    for layer in network.layers:
        layer.forget()
    return losses


def drawn_images(drawn_dir: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The drawn-digits set through today's kiosk preprocessing, for the gate; None (and a warning) without it."""
    try:
        drawn = drawn_digits.load(drawn_dir)
    except DataError as error:
        log.warning("no drawn-digits accuracy: %s", error)
        return None
    return drawn_digits.to_images(drawn), drawn.labels  # (S, 28, 28) uint8, (S,)


def retrained_metadata(old: dict[str, str], report: dict, checksums: dict[str, str]) -> dict[str, str]:
    """The old file's metadata (how it first learned is still true), with today's numbers and a note of the retrain."""
    metadata = dict(old)
    drawn = report["after"]["drawn_dev"]
    metadata.update({
        contract.META_MNIST_TEST_ACCURACY: f"{report['after']['mnist_test']:.6f}",
        contract.META_DRAWN_DEV_ACCURACY: "" if drawn is None else f"{drawn:.6f}",
        contract.META_CREATED: report["finished"],
        contract.META_DATA_CHECKSUMS: json.dumps(checksums, sort_keys=True),
        contract.META_TRAINER_VERSION: version(),
        "retrained": json.dumps({k: report[k] for k in ("finished", "drawings", "before", "after")}),
    })
    return metadata


def retrain(config: KioskConfig, options: RetrainOptions = RetrainOptions(), mnist_dir: str | None = None,
            drawn_dir: str | None = None, use_drawn: bool = True, show_progress: bool = True) -> dict:
    """The whole night's work; returns the report (also written to the data dir)."""
    started = time.monotonic()
    _lower_priority(options.nice)
    with retrain_lock(config.data_dir_path), threadpool_limits(options.threads):
        clean_leftovers(config.taught_model_dir)
        keep_paired_only(config.taught_model_dir)  # a stroke model whose CNN was never promoted (a stop between)
        source = status.current_model_path(config, options.kind)
        _stop_if_disk_full(config, options.kind, source)
        collected = collect(config, options, str(source))
        network, old_metadata, proto = read_onnx(source)
        data = mnist_data.load(mnist_dir)
        sticks = yardsticks(data, drawn_dir, use_drawn)
        log.info("retraining %s from %s on %d drawings (%d held out, %d labels doubted) with MNIST replay",
                 options.kind, source, len(collected.train[1]), len(collected.held_out[1]), collected.doubted)
        fused_before = collected.readings_before()
        before, right_before = _measure(str(source), sticks, collected, fused_before)
        shipped = config.model_dir_path / f"{options.kind}.onnx"
        # the fixed yardstick: every floor is measured against the shipped model as well as last night's
        shipped_sticks = before if source == shipped else measure_yardsticks(str(shipped), sticks.test, sticks.styled)
        train_started = time.monotonic()
        losses = fine_tune(network, collected.train, (data.train_images, data.train_labels), options, show_progress)
        strokes, strokes_report = (None, None) if collected.stroke_model is None else stroke_night(
            config, collected.stroke_model, collected.train_strokes, collected.train[1], collected.held_out_strokes,
            options.seed)
        report = _report(options, source, collected, before, time.monotonic() - train_started, losses)
        # The learned weights go into the original graph; onnxruntime must agree with the engine before the
        # file is scored, and the scores are of that file.
        draft = to_onnx_bytes(network, old_metadata, proto)
        check_parity(network, draft, to_model_input(data.test_images[:PARITY_IMAGES]))
        after, right_after = _measure(draft, sticks, collected, strokes.readings if strokes else fused_before)
        changes = changes_between(right_before, right_after)  # drawing by drawing: a loss beyond noise, or not
        reasons = gate(before, after, changes, shipped_sticks)
        shipped_report = {k: shipped_sticks[k] for k in ("mnist_test", "mnist_per_digit", "styled_per_digit")}
        report.update(after=after, changes={k: c.as_dict() for k, c in changes.items()}, shipped=shipped_report,
                      shipped_mnist_test=shipped_sticks["mnist_test"], promoted=not reasons, reasons=reasons,
                      strokes=strokes_report)
        onnx_bytes = to_onnx_bytes(network, retrained_metadata(old_metadata, report, data.checksums), proto)
        report["seconds"] = round(time.monotonic() - started, 1)
        report["peak_rss_mb"] = peak_rss_mb()
        _publish(onnx_bytes, config, options.kind, report,
                 strokes.data if strokes else carried(config, collected.stroke_model))
        return report


def peak_rss_mb() -> float | None:
    """This process's peak resident memory so far, in MB: VmHWM counts its own image only, where ru_maxrss also
    counts the parent's memory that it shared until its exec (a bigger parent, a bigger number); None where
    /proc has no such line."""
    try:
        for line in open("/proc/self/status", encoding="ascii", errors="replace"):
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _lower_priority(nice: int) -> None:
    if nice:
        try:
            os.nice(nice)
        except OSError:
            log.warning("could not lower this process's priority")


def _measure(model: bytes | str, sticks: Yardsticks, collected: Collected,
             fused: StrokeReadings | None) -> tuple[dict, dict[str, np.ndarray]]:
    return measure(model, sticks.test, collected.held_out, collected.train, sticks.drawn, sticks.styled, fused)


def _report(options: RetrainOptions, source, collected: Collected, before: dict, train_seconds: float,
            losses: list[float]) -> dict:
    """The report's first half: what the night started from and learned on (the verdict is added after)."""
    return {
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "kind": options.kind,
        "started_from": str(source),
        "drawings": collected.drawings,
        "trained_on": int(len(collected.train[1])),
        "doubted": collected.doubted,
        "skipped": collected.skipped,
        "held_out": int(len(collected.held_out[1])),
        "options": dataclasses.asdict(options),
        "engine": "numpy",
        "before": before,
        "training_seconds": round(train_seconds, 1),
        "final_loss": round(float(np.mean(losses[-20:])), 4),
    }


def _publish(onnx_bytes: bytes, config: KioskConfig, kind: str, report: dict, strokes: bytes | None = None) -> None:
    """Promote a model the gate let through; keep one it refused aside, with the reasons. The report is written
    before (so a stop in between never leaves last night's report describing the new model) and again after."""
    report["model_version"] = model_version(onnx_bytes)
    try:
        if report["reasons"]:
            _write_report(config, report)
            report["set_aside"] = str(set_aside(onnx_bytes, config.taught_model_dir, kind, report))
            log.warning("not promoted: %s", "; ".join(report["reasons"]))
        else:
            # --status tells a stop after the swap (the kiosk runs model_version) from one before it
            _write_report(config, {**report, "promoted": False, "promoting": True, "reasons": [STOPPED_PROMOTING]})
            if strokes is not None:  # first: it answers only beside the CNN named in its file name
                write_bytes_atomic(paired_file(config.taught_model_dir, report["model_version"]), strokes)
            report["promoted_to"] = str(promote(onnx_bytes, config.taught_model_dir, kind))
            tidy_paired(config.taught_model_dir)
            log.info("promoted to %s", report["promoted_to"])
    except OSError as error:  # the disk filled up (or went read-only) during the night
        _write_report(config, {**report, "promoted": False, "stopped": "disk full",
                               "reasons": [f"could not keep the new model ({error}); the kiosk kept its model"]},
                      best_effort=True)
        raise
    _write_report(config, report)


STOPPED_PROMOTING = "stopped while promoting, before the new model was swapped in: the kiosk kept its model"


def _write_report(config: KioskConfig, report: dict, best_effort: bool = False) -> None:
    try:
        write_text_atomic(config.data_dir_path / REPORT_NAME, json.dumps(report, indent=1) + "\n")
    except OSError as error:
        if not best_effort:
            raise
        log.error("cannot write the retrain report %s (%s)", config.data_dir_path / REPORT_NAME, error)


def _stop_if_disk_full(config: KioskConfig, kind: str, source) -> None:
    """Stop before an hour's work that could not be kept, with a report that says so (if even that fits)."""
    strokes = config.model_dir_path / contract.STROKE_FILE  # a stroke model retrained beside the CNN: as big
    beside = strokes.stat().st_size if kind in FUSED_KINDS and strokes.is_file() else 0
    free, needed = status.free_bytes(config.data_dir_path), status.space_needed(source) + beside
    if free >= needed:
        return
    reason = (f"the data dir {config.data_dir_path} has {free / 1e6:.1f} MB free; a retrain needs "
              f"{needed / 1e6:.1f} MB to keep a new model beside the old one: free space, then retrain")
    _write_report(config, {"finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "kind": kind,
                           "promoted": False, "stopped": "disk full", "reasons": [reason]}, best_effort=True)
    raise LearningError(reason)
