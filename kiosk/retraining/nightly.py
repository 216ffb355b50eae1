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
from kiosk.atomic_write import write_text_atomic
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
from kiosk.recognition.runtime import ort
from kiosk.teaching.feedback_store import FeedbackStore, Labelled
from kiosk.retraining.promotion import clean_leftovers, promote, retrain_lock, set_aside
from kiosk.retraining.scoring import evaluate
from kiosk.retraining.status import current_model_path
from kiosk.teaching.status import REPORT_NAME

log = logging.getLogger(__name__)

MAX_MNIST_DROP = 0.002  # the gate: at most 0.2 points of MNIST test accuracy may be given up
MAX_DIGIT_DROP = 0.01  # ... and at most 1 point on any one digit, plain or in European style: a prank moves
# one digit, not the average. Both yardsticks are MNIST's test digits, which no child can write to.
# A label is doubted when the current model leans to another digit and gives the child's almost nothing
# (measured on held-out writers: 5 of the shipped CNN's 18 real errors would be doubted, 0.25% of true labels):
# a child's honest correction is mostly of an answer the model was unsure of; "this clear 1 is a 7" is play.
DOUBT_CONFIDENCE = 0.5
DOUBT_BELIEF = 0.02
# A burst of the same contradiction ("the 1 it was sure of is a 7", at least PRANK_BURST times and
# BURST_SHARE of all labels) is a game, not slips. Then every drawing with that label in which the model
# sees that answer at all (>= 1%) is set aside too: the prank's drawings the model was less sure of are the
# ones that would teach it (10 pranks among 230: 8 doubted; one of the 2 left, a clear 1 given 3% of 7,
# turned 3 of 60 new children's 1s into 7s). Honest European 1s plus 10% random labels make at most 8 of
# one pair in 1,459 (the simulation), under the 1%.
PRANK_BURST = 5
BURST_SHARE = 0.01
BURST_WINDOW = 1000  # a burst is counted among the newest labels: a prank is one afternoon's game, and the
# months of honest labels a kiosk keeps (up to 5,000) must not water it down below the share
BURST_SUSPICION = 0.01
EVAL_BATCH = 25  # images per onnxruntime call when scoring: a CNN's activations for 100 take ~100 MB, for 25 ~10
PARITY_IMAGES = 500  # MNIST test images the engine and onnxruntime must agree on before a file is used


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
    """True for held-out drawings: chosen by a hash of each record, so a drawing held out once is held
    out in every later retrain too (it never leaks into training)."""
    def bucket(record: Labelled) -> float:
        digest = hashlib.sha256(f"{record.created}|{record.label}|{record.strokes[:1]}".encode()).digest()
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


def newest(created: list[str], count: int = BURST_WINDOW) -> np.ndarray:
    """True for the count most recent labels (by their ISO creation times)."""
    order = np.argsort(np.array(created, dtype=object), kind="stable")
    mask = np.zeros(len(created), dtype=bool)
    mask[order[-count:]] = True
    return mask


def doubted(probabilities: np.ndarray, labels: np.ndarray, recent: np.ndarray | None = None) -> np.ndarray:
    """True where a child's label is not believed: the model's own answer is sure and the label nearly
    impossible, or the label is part of a burst of the same contradiction and the model sees that answer in it.

    recent: the labels a burst is counted among (default: all)."""
    recent = np.ones(len(labels), dtype=bool) if recent is None else recent
    mine = probabilities[np.arange(len(labels)), labels]
    doubt = (probabilities.max(axis=1) >= DOUBT_CONFIDENCE) & (mine < DOUBT_BELIEF)
    answers = probabilities.argmax(axis=1)
    counted = doubt & recent
    pairs, counts = np.unique(np.stack([answers[counted], labels[counted]], axis=1), axis=0, return_counts=True)
    burst = max(PRANK_BURST, BURST_SHARE * int(recent.sum()))
    for (answer, label), count in zip(pairs.reshape(-1, 2), counts):
        if count >= burst:
            doubt |= (labels == label) & (probabilities[:, answer] >= BURST_SUSPICION)
    return doubt


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


def gate(before: dict, after: dict, shipped_mnist: float | None = None) -> list[str]:
    """Why the new model must not replace the current one; empty when it may.

    shipped_mnist: the shipped model's MNIST accuracy. Every night is compared with it too, so small
    allowed losses cannot add up night after night."""
    reasons = []
    if shipped_mnist is not None and after["mnist_test"] < shipped_mnist - MAX_MNIST_DROP:
        reasons.append(f"MNIST test accuracy {after['mnist_test']:.2%} is more than {MAX_MNIST_DROP:.1%} below "
                       f"the shipped model's {shipped_mnist:.2%}")
    if after["mnist_test"] < before["mnist_test"] - MAX_MNIST_DROP:
        reasons.append(f"MNIST test accuracy fell from {before['mnist_test']:.2%} to {after['mnist_test']:.2%} "
                       f"(at most {MAX_MNIST_DROP:.1%} may be lost)")
    for key, name in (("mnist_per_digit", "MNIST test"), ("styled_per_digit", "MNIST test in European style")):
        was_by_digit, now_by_digit = _by_digit(before.get(key)), _by_digit(after.get(key))
        for digit, was in was_by_digit.items():
            now = now_by_digit.get(digit, was)
            if now < was - MAX_DIGIT_DROP:
                reasons.append(f"{name} {digit}s fell from {was:.2%} to {now:.2%} (at most {MAX_DIGIT_DROP:.1%} per digit)")
    if after["held_out"] < before["held_out"]:
        reasons.append(f"held-out children's drawings fell from {before['held_out']:.2%} to {after['held_out']:.2%}")
    if before.get("drawn_dev") is not None and after["drawn_dev"] < before["drawn_dev"]:
        reasons.append(f"drawn-digits-dev fell from {before['drawn_dev']:.2%} to {after['drawn_dev']:.2%}")
    return reasons


def _by_digit(values) -> dict[int, float]:
    """Per-digit accuracies as {digit: accuracy}, from a list of ten or a {"digit": accuracy} map."""
    if isinstance(values, dict):
        return {int(k): float(v) for k, v in values.items()}
    return {d: float(v) for d, v in enumerate(values or []) if v == v}  # NaN: no such digit


def _predictor(model: bytes | str):
    """What the kiosk will run: onnxruntime on the file (or its bytes), as a batch -> probabilities function."""
    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = False  # a Pi's memory is for the kiosk: nothing kept between batches
    session = ort.InferenceSession(model if isinstance(model, bytes) else str(model), options, providers=["CPUExecutionProvider"])
    return lambda batch: session.run([contract.OUTPUT_NAME], {contract.INPUT_NAME: batch})[0]


def measure(model: bytes | str, test: tuple[np.ndarray, np.ndarray], held_out: tuple[np.ndarray, np.ndarray],
            trained_on: tuple[np.ndarray, np.ndarray], drawn: tuple[np.ndarray, np.ndarray] | None,
            styled: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """The gate's numbers, scored by onnxruntime on the very file that would be promoted."""
    predict = _predictor(model)
    mnist = evaluate(predict, *test, batch_size=EVAL_BATCH)
    in_style = evaluate(predict, *styled, batch_size=EVAL_BATCH).per_class_accuracy if styled is not None else ()
    return {
        "mnist_test": mnist.accuracy,
        "mnist_per_digit": [float(v) for v in mnist.per_class_accuracy],
        "styled_per_digit": {str(d): float(v) for d, v in enumerate(in_style) if d in STYLED_DIGITS},
        "held_out": evaluate(predict, *held_out, batch_size=EVAL_BATCH).accuracy,
        "trained_on": evaluate(predict, *trained_on, batch_size=EVAL_BATCH).accuracy,
        "drawn_dev": evaluate(predict, *drawn, batch_size=EVAL_BATCH).accuracy if drawn is not None else None,
    }


def drawn_images(drawn_dir: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The drawn-digits set through today's kiosk preprocessing, for the gate; None (with a warning) where it is absent."""
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
    if options.nice:
        try:
            os.nice(options.nice)
        except OSError:
            log.warning("could not lower this process's priority")
    with retrain_lock(config.data_dir_path), threadpool_limits(options.threads):
        clean_leftovers(config.taught_model_dir)
        records = FeedbackStore(config.feedback_dir).load()
        if len(records) < options.min_drawings:
            raise LearningError(f"only {len(records)} labelled drawings in {config.feedback_dir}; "
                               f"retraining needs at least {options.min_drawings}")
        mask = holdout_mask(records, options.holdout_fraction)
        if mask.sum() < 5 or (~mask).sum() < 5:
            raise LearningError(f"{len(records)} drawings split into {int((~mask).sum())} to train on and "
                               f"{int(mask.sum())} to judge by; each needs at least 5")
        images, labels = images_of(records)
        collected = len(records)
        recent = newest([r.created for r in records])
        del records  # their strokes as Python lists outweigh the pictures many times; MNIST comes next
        source = current_model_path(config, options.kind)
        network, old_metadata, proto = read_onnx(source)
        # Labels the current model finds nearly impossible are neither learned nor judged by (a prank or a slip).
        current = _predictor(str(source))
        doubt = doubted(np.concatenate([current(to_model_input(images[i:i + EVAL_BATCH]))
                                        for i in range(0, len(images), EVAL_BATCH)]), labels, recent)
        del current  # its onnxruntime session would stay for the whole night
        train_set, held_out = (images[~mask & ~doubt], labels[~mask & ~doubt]), (images[mask & ~doubt], labels[mask & ~doubt])
        if len(train_set[1]) < 5 or len(held_out[1]) < 5:
            raise LearningError(f"after setting aside {int(doubt.sum())} doubted labels, {len(train_set[1])} drawings are left "
                               f"to train on and {len(held_out[1])} to judge by; each needs at least 5")
        data = mnist_data.load(mnist_dir)
        test = (data.test_images, data.test_labels)
        # MNIST's test 0s, 1s, 2s and 7s with a slash, a flag, a loop or a bar: the European hands a prank
        # on "1 or 7" would move, in digits no child wrote
        in_style = np.isin(data.test_labels, STYLED_DIGITS)
        styled = (styled_copies(data.test_images[in_style], data.test_labels[in_style], seed=0), data.test_labels[in_style])
        drawn = drawn_images(drawn_dir) if use_drawn else None
        log.info("retraining %s from %s on %d drawings (%d held out, %d labels doubted) with MNIST replay", options.kind,
                 source, len(train_set[1]), len(held_out[1]), int(doubt.sum()))
        before = measure(str(source), test, held_out, train_set, drawn, styled)
        shipped = config.model_dir_path / f"{options.kind}.onnx"
        shipped_mnist = before["mnist_test"] if source == shipped else evaluate(_predictor(str(shipped)), *test, batch_size=EVAL_BATCH).accuracy
        train_started = time.monotonic()
        losses = fine_tune(network, train_set, (data.train_images, data.train_labels), options, show_progress)
        train_seconds = time.monotonic() - train_started
        report = {
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "kind": options.kind,
            "started_from": str(source),
            "drawings": collected,
            "trained_on": int(len(train_set[1])),
            "doubted": int(doubt.sum()),
            "held_out": int(len(held_out[1])),
            "options": dataclasses.asdict(options),
            "engine": "numpy",
            "before": before,
        }
        # The learned weights go into the original graph; onnxruntime must agree with the engine before the
        # file is scored, and the scores are of that file.
        draft = to_onnx_bytes(network, old_metadata, proto)
        check_parity(network, draft, to_model_input(data.test_images[:PARITY_IMAGES]))
        after = measure(draft, test, held_out, train_set, drawn, styled)
        reasons = gate(before, after, shipped_mnist)
        report.update({
            "after": after,
            "shipped_mnist_test": shipped_mnist,
            "promoted": not reasons,
            "reasons": reasons,
            "training_seconds": round(train_seconds, 1),
            "final_loss": round(float(np.mean(losses[-20:])), 4),
        })
        onnx_bytes = to_onnx_bytes(network, retrained_metadata(old_metadata, report, data.checksums), proto)
        if reasons:
            report["set_aside"] = str(set_aside(onnx_bytes, config.taught_model_dir, options.kind, report))
            log.warning("not promoted: %s", "; ".join(reasons))
        else:
            report["promoted_to"] = str(promote(onnx_bytes, config.taught_model_dir, options.kind))
            log.info("promoted to %s", report["promoted_to"])
        report["seconds"] = round(time.monotonic() - started, 1)
        write_text_atomic(config.data_dir_path / REPORT_NAME, json.dumps(report, indent=1) + "\n")
        return report
