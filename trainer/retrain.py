"""On-device retraining: fine-tune the kiosk's current model on the drawings children labelled, with
MNIST replay so it does not forget, and promote it only if the gate says it is no worse.

Made for a Raspberry Pi at night: niced, a few hundred small steps, MNIST held as uint8 (47 MB),
progress on stderr, and Ctrl-C or kill -9 at any point leaves the kiosk's model as it was.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from kiosk.atomic_write import write_text_atomic
from kiosk.config import KioskConfig
from kiosk.errors import EmptyDrawing
from kiosk.teaching.feedback_store import FeedbackStore, Labelled
from kiosk.recognition.preprocess import clean_strokes, strokes_to_image
from kiosk.teaching.status import REPORT_NAME
from trainer import mnist as mnist_data
from trainer.dataset import CLEAN_PROBABILITY, as_tensor, augment
from trainer import stopping
from trainer.errors import TrainerError
from trainer.evaluate import load_drawn
from trainer.export import build_metadata, check_parity, to_onnx_bytes
from trainer.from_onnx import load_onnx_model
from trainer.promotion import clean_leftovers, promote, retrain_lock, set_aside
from trainer.retrain_status import current_model_path
from trainer.train import History, accuracy

log = logging.getLogger(__name__)

MAX_MNIST_DROP = 0.002  # the gate: at most 0.2 points of MNIST test accuracy may be given up
EVAL_BATCH = 200  # small batches keep the CNN's activations (and the Pi's memory) low while scoring


@dataclass(frozen=True)
class RetrainOptions:
    kind: str = "cnn"
    steps: int = 300  # batches; ~40 s for the CNN on 2 x86 cores, a few minutes on a Pi 4
    batch_size: int = 128
    collected_share: float = 0.25  # of each batch: children's drawings; the rest is MNIST replay
    learning_rate: float = 5e-5  # a twentieth of the first training: nudge the model, do not re-learn it
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


def fine_tune(model: nn.Module, collected: tuple[np.ndarray, np.ndarray], replay: tuple[np.ndarray, np.ndarray],
              options: RetrainOptions, show_progress: bool = True) -> list[float]:
    """Adam on mixed batches: children's drawings (lightly augmented) plus MNIST (augmented as in training)."""
    generator = torch.Generator().manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=options.learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    n_collected = max(1, int(round(options.batch_size * options.collected_share)))
    n_replay = options.batch_size - n_collected
    losses = []
    model.train()
    with tqdm(total=options.steps, desc="retrain", unit="step", disable=not show_progress) as progress:
        for _ in range(options.steps):
            stopping.check()
            pick = rng.integers(0, len(collected[1]), n_collected)
            mine = augment(as_tensor(collected[0][pick]), "affine", generator)
            pick_replay = rng.integers(0, len(replay[1]), n_replay)
            theirs = as_tensor(replay[0][pick_replay])
            keep_clean = torch.rand(n_replay, generator=generator) < CLEAN_PROBABILITY  # as in the first training
            theirs = torch.where(keep_clean.view(-1, 1, 1, 1), theirs, augment(theirs, "finger", generator))
            images = torch.cat([mine, theirs])
            labels = torch.from_numpy(np.concatenate([collected[1][pick], replay[1][pick_replay].astype(np.int64)]))
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            progress.update()
            progress.set_postfix(loss=f"{np.mean(losses[-20:]):.4f}", refresh=False)
    model.eval()
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
    if after["held_out"] < before["held_out"]:
        reasons.append(f"held-out children's drawings fell from {before['held_out']:.2%} to {after['held_out']:.2%}")
    if before.get("drawn_dev") is not None and after["drawn_dev"] < before["drawn_dev"]:
        reasons.append(f"drawn-digits-dev fell from {before['drawn_dev']:.2%} to {after['drawn_dev']:.2%}")
    return reasons


def measure(model: nn.Module, data: mnist_data.Mnist, held_out: tuple[np.ndarray, np.ndarray],
            trained_on: tuple[np.ndarray, np.ndarray], drawn: tuple[np.ndarray, np.ndarray] | None) -> dict:
    batch = EVAL_BATCH
    return {
        "mnist_test": accuracy(model, data.test_images, data.test_labels, batch),
        "held_out": accuracy(model, *held_out, batch),
        "trained_on": accuracy(model, *trained_on, batch),
        "drawn_dev": accuracy(model, *drawn, batch) if drawn is not None else None,
    }


def retrain(config: KioskConfig, options: RetrainOptions = RetrainOptions(), mnist_dir: str | None = None,
            drawn_dir: str | None = None, use_drawn: bool = True, show_progress: bool = True) -> dict:
    """The whole night's work; returns the report (also written to the data dir)."""
    started = time.monotonic()
    if options.nice:
        try:
            os.nice(options.nice)
        except OSError:
            log.warning("could not lower this process's priority")
    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    with retrain_lock(config.data_dir_path):
        clean_leftovers(config.taught_model_dir)
        records = FeedbackStore(config.feedback_dir).load()
        if len(records) < options.min_drawings:
            raise TrainerError(f"only {len(records)} labelled drawings in {config.feedback_dir}; "
                               f"retraining needs at least {options.min_drawings}")
        mask = holdout_mask(records, options.holdout_fraction)
        if mask.sum() < 5 or (~mask).sum() < 5:
            raise TrainerError(f"{len(records)} drawings split into {int((~mask).sum())} to train on and "
                               f"{int(mask.sum())} to judge by; each needs at least 5")
        images, labels = images_of(records)
        train_set, held_out = (images[~mask], labels[~mask]), (images[mask], labels[mask])
        source = current_model_path(config, options.kind)
        model, settings, old_metadata = load_onnx_model(source)
        data = mnist_data.load(mnist_dir)
        drawn = load_drawn(drawn_dir, required=False) if use_drawn else None
        log.info("retraining %s from %s on %d drawings (%d held out) with MNIST replay", options.kind, source,
                 len(train_set[1]), len(held_out[1]))
        before = measure(model, data, held_out, train_set, drawn)
        shipped = config.model_dir_path / f"{options.kind}.onnx"
        shipped_mnist = (before["mnist_test"] if source == shipped
                         else accuracy(load_onnx_model(shipped)[0], data.test_images, data.test_labels, EVAL_BATCH))
        train_started = time.monotonic()
        losses = fine_tune(model, train_set, (data.train_images, data.train_labels), options, show_progress)
        train_seconds = time.monotonic() - train_started
        after = measure(model, data, held_out, train_set, drawn)
        reasons = gate(before, after, shipped_mnist)
        report = {
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "kind": options.kind,
            "started_from": str(source),
            "drawings": len(records),
            "trained_on": int(len(train_set[1])),
            "held_out": int(len(held_out[1])),
            "options": dataclasses.asdict(options),
            "before": before,
            "after": after,
            "shipped_mnist_test": shipped_mnist,
            "promoted": not reasons,
            "reasons": reasons,
            "training_seconds": round(train_seconds, 1),
            "final_loss": round(float(np.mean(losses[-20:])), 4),
        }
        history = History()
        metadata = build_metadata(settings, history, {"mnist_test_accuracy": after["mnist_test"],
                                                      "drawn_dev_accuracy": after["drawn_dev"] if after["drawn_dev"] is not None else float("nan")},
                                  data.checksums)
        metadata["history"] = old_metadata.get("history", "[]")  # how it first learned: still true
        metadata["epochs_run"], metadata["best_epoch"] = old_metadata.get("epochs_run", "0"), old_metadata.get("best_epoch", "0")
        metadata["retrained"] = json.dumps({k: report[k] for k in ("finished", "drawings", "before", "after")})
        onnx_bytes = to_onnx_bytes(model, metadata)
        check_parity(model, onnx_bytes, as_tensor(data.test_images[:500]).numpy())
        if reasons:
            report["set_aside"] = str(set_aside(onnx_bytes, config.taught_model_dir, options.kind, report))
            log.warning("not promoted: %s", "; ".join(reasons))
        else:
            report["promoted_to"] = str(promote(onnx_bytes, config.taught_model_dir, options.kind))
            log.info("promoted to %s", report["promoted_to"])
        report["seconds"] = round(time.monotonic() - started, 1)
        write_text_atomic(config.data_dir_path / REPORT_NAME, json.dumps(report, indent=1) + "\n")
        return report
