"""The training loop: epochs of Adam on cross-entropy, validation after each, the best epoch kept."""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel
from tqdm import tqdm

from kiosk.learning import stopping
from trainer.dataset import TrainData, eval_batches, train_batches
from trainer.settings import TrainSettings

log = logging.getLogger(__name__)
EMA_DECAY = 0.998  # weights are averaged over the last ~500 steps: steadier than any single step's weights


@dataclass(frozen=True)
class EpochReport:
    """What one epoch did; the kiosk draws train_loss and val_accuracy as a learning curve."""

    epoch: int  # 1-based
    train_loss: float
    train_accuracy: float
    val_accuracy: float
    learning_rate: float
    seconds: float  # training and validation time so far, at the end of this epoch


@dataclass
class History:
    """All epochs so far, which was best, and whether training was interrupted."""

    epochs: list[EpochReport] = field(default_factory=list)
    best_epoch: int = 0
    interrupted: bool = False
    best_state: dict | None = field(default=None, repr=False)  # weights of best_epoch

    @property
    def seconds(self) -> float:
        return self.epochs[-1].seconds if self.epochs else 0.0

    def to_list(self) -> list[dict]:
        return [report.__dict__ for report in self.epochs]


def seed_everything(settings: TrainSettings) -> torch.Generator:
    """Same seed, same model: fix torch's seeds and threads; return the generator for batches."""
    torch.manual_seed(settings.seed)
    np.random.seed(settings.seed)
    torch.set_num_threads(settings.threads)
    return torch.Generator().manual_seed(settings.seed)


def train_one_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    data: TrainData,
    settings: TrainSettings,
    generator: torch.Generator,
    description: str,
    average: AveragedModel | None = None,
) -> tuple[float, float]:
    """One pass over the training set; returns (mean loss, accuracy) on the augmented batches.

    average, if given, is updated after every step (an exponential moving average of the weights).
    """
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    num_batches = -(-len(data.train_labels) // settings.batch_size)
    if settings.limit_batches:
        num_batches = min(num_batches, settings.limit_batches)
    with tqdm(total=num_batches, desc=description, leave=False, dynamic_ncols=True, mininterval=0.5) as progress:
        for step, (images, labels) in enumerate(train_batches(data, settings, generator)):
            stopping.check()
            if step >= num_batches:
                break
            # forward, backward, step
            logits = model(images)  # (B, 10)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if average is not None:
                average.update_parameters(model)
            # bookkeeping for the progress bar
            total_loss += loss.item() * len(labels)
            correct += (logits.argmax(1) == labels).sum().item()
            seen += len(labels)
            progress.update()
            progress.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.4f}", refresh=False)
    return total_loss / max(seen, 1), correct / max(seen, 1)


@torch.no_grad()
def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> float:
    """Share of images the model classifies right (eval mode, no augmentation)."""
    if len(labels) == 0:
        return float("nan")
    model.eval()
    correct = sum((model(x).argmax(1) == y).sum().item() for x, y in eval_batches(images, labels, batch_size))
    return correct / len(labels)


def _ema(averaged: torch.Tensor, current: torch.Tensor, num_averaged: torch.Tensor) -> torch.Tensor:
    # Ramp the decay up from 0 so the average forgets the random initial weights within a few steps.
    decay = min(EMA_DECAY, (1.0 + float(num_averaged)) / (10.0 + float(num_averaged)))
    return decay * averaged + (1.0 - decay) * current


def fit(
    model: nn.Module,
    data: TrainData,
    settings: TrainSettings,
    on_epoch_end: Callable[[EpochReport, nn.Module, History], None] | None = None,
) -> History:
    """Train for settings.max_epochs; leave the best epoch's weights in model. Ctrl-C stops cleanly.

    The weights evaluated and kept are a moving average of the training weights (as in timm's
    ModelEmaV2): single steps of Adam jitter the decision boundary from epoch to epoch.

    on_epoch_end(report, model, history) runs after each epoch (the hook for snapshots and live
    curves); history.best_state holds the best weights so far. The learning rate decays by settings.lr_decay per epoch,
    which does not depend on max_epochs: epoch k of a long run is exactly a run of k epochs.
    """
    generator = seed_everything(settings)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=settings.lr_decay)
    average = AveragedModel(model, avg_fn=_ema, use_buffers=True)
    history, best_score = History(), -1.0
    training_seconds = 0.0  # excludes on_epoch_end, so snapshots and live plots do not count as training
    try:
        for epoch in range(1, settings.max_epochs + 1):
            epoch_started = time.perf_counter()
            learning_rate = optimizer.param_groups[0]["lr"]
            label = f"{settings.model} epoch {epoch}/{settings.max_epochs}"
            loss, train_acc = train_one_epoch(model, optimizer, data, settings, generator, label, average)
            scheduler.step()
            # validate, keep the best
            val_acc = accuracy(average.module, data.val_images, data.val_labels)
            training_seconds += time.perf_counter() - epoch_started
            report = EpochReport(epoch, loss, train_acc, val_acc, learning_rate, training_seconds)
            history.epochs.append(report)
            score = val_acc if not np.isnan(val_acc) else train_acc
            if score > best_score:  # ties keep the earlier, cheaper epoch
                # copy first: a Ctrl-C keeps epoch and state in step
                best_state = copy.deepcopy(average.module.state_dict())
                best_score, history.best_epoch, history.best_state = score, epoch, best_state
            log.info("epoch %d: loss %.4f, train acc %.4f, val acc %.4f, lr %.2g, %.0fs",
                     epoch, loss, train_acc, val_acc, learning_rate, report.seconds)
            if on_epoch_end:
                on_epoch_end(report, average.module, history)
    except KeyboardInterrupt:
        history.interrupted = True
        log.warning("interrupted: keeping the best epoch so far (%d)", history.best_epoch)
    if history.best_state is not None:
        model.load_state_dict(history.best_state)
    model.eval()
    return history
