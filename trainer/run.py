"""The train and evaluate commands as functions: data -> model -> fit -> measure -> export."""

from __future__ import annotations

import copy
import dataclasses
import logging
from pathlib import Path

import numpy as np
import torch
from torch import nn

from kiosk.recognition.preprocess import to_model_input
from kiosk.learning import mnist
from trainer.dataset import split
from trainer.errors import TrainerError
from trainer.evaluate import Predictor, evaluate, load_drawn
from trainer.export import build_metadata, export_onnx
from trainer.models import build_model, count_parameters
from trainer.settings import TrainSettings
from trainer.train import EpochReport, History, fit, seed_everything

log = logging.getLogger(__name__)
PARITY_IMAGES = 1000  # test images that torch and onnxruntime must agree on before publishing


def torch_predictor(model: nn.Module) -> Predictor:
    """Predictor over a torch model in eval mode."""

    def predict(batch: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model.eval()(torch.from_numpy(batch)).numpy()

    return predict


def measure(predict: Predictor, data: mnist.Mnist, drawn: tuple[np.ndarray, np.ndarray] | None) -> dict[str, float]:
    """MNIST test and drawn-digits accuracy."""
    metrics = {"mnist_test_accuracy": evaluate(predict, data.test_images, data.test_labels).accuracy}
    if drawn is not None:
        metrics["drawn_dev_accuracy"] = evaluate(predict, *drawn).accuracy
    return metrics


def train_and_export(
    settings_values: dict,
    out_dir: Path,
    name: str | None,
    snapshot_epochs: list[int],
    data_dir: str | None,
    drawn_dir: str | None,
    command: str | None,
    drawn_required: bool = True,
) -> History:
    """Train one model per settings, export it (and the requested epoch snapshots) into out_dir.

    An interrupted run is exported as NAME-interrupted.onnx, so it never replaces a finished model.
    """
    settings = TrainSettings(**settings_values)
    name = name or settings.model
    bad_snapshots = [e for e in snapshot_epochs if not 1 <= e < settings.max_epochs]
    if bad_snapshots:
        raise TrainerError(
            f"snapshot epochs {bad_snapshots} must lie between 1 and max_epochs - 1 ({settings.max_epochs - 1})"
        )
    data = mnist.load(data_dir)
    drawn = load_drawn(drawn_dir, drawn_required)
    seed_everything(settings)
    model = build_model(settings)
    log.info("%s with %d parameters; settings %s", settings.model, count_parameters(model), settings)
    check_images = to_model_input(data.test_images[:PARITY_IMAGES])  # (1000, 1, 28, 28)

    def publish(trained: nn.Module, run_settings: TrainSettings, history: History, file_stem: str) -> None:
        metrics = measure(torch_predictor(trained), data, drawn)
        metadata = build_metadata(run_settings, history, metrics, data.checksums)
        export_onnx(trained, out_dir / f"{file_stem}.onnx", metadata, check_images, command)
        log.info(
            "exported %s: MNIST test %.2f%%, drawn %s, best epoch %d of %d",
            out_dir / f"{file_stem}.onnx",
            100 * metrics["mnist_test_accuracy"],
            f"{100 * metrics['drawn_dev_accuracy']:.2f}%" if "drawn_dev_accuracy" in metrics else "n/a",
            history.best_epoch,
            len(history.epochs),
        )

    def on_epoch_end(report: EpochReport, current: nn.Module, history: History) -> None:
        if report.epoch in snapshot_epochs and report.epoch < settings.max_epochs:
            # The best model after k epochs is what a run with max_epochs=k would have produced.
            snapshot = copy.deepcopy(current)
            snapshot.load_state_dict(history.best_state)
            truncated = History(list(history.epochs), history.best_epoch)
            publish(
                snapshot, dataclasses.replace(settings, max_epochs=report.epoch), truncated, f"{name}-e{report.epoch}"
            )

    history = fit(model, split(data, settings), settings, on_epoch_end)
    if not history.epochs:
        raise TrainerError("stopped before the first epoch ended: nothing was exported")
    if history.interrupted:
        name = f"{name}-interrupted"
        log.warning("interrupted after %d epochs: exporting as %s.onnx", len(history.epochs), name)
    publish(model, settings, history, name)
    return history
