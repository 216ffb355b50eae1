"""Training batches: a stratified split of MNIST, finger-like augmentation, and the kiosk's own preprocessing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split

from kiosk.errors import EmptyDrawing
from kiosk.learning.augment import CLEAN_PROBABILITY  # one share for the first training and the device's retraining
from kiosk.learning.mnist import Mnist
from kiosk.learning.styles import styled_copies
from kiosk.recognition.preprocess import fit_and_center, to_model_input
from trainer.settings import TrainSettings

STYLE_PROBABILITY = 0.35  # share of 0s, 1s, 2s and 7s shown in a European style in each epoch


@dataclass(frozen=True)
class TrainData:
    """uint8 images (N, 28, 28) and int64 labels for training and validation."""

    train_images: np.ndarray
    train_labels: np.ndarray
    val_images: np.ndarray
    val_labels: np.ndarray
    styled_train_images: np.ndarray | None = None  # same order as train_images; None without styles


def split(mnist: Mnist, settings: TrainSettings) -> TrainData:
    """Hold out settings.val_size training images, stratified by digit, to choose the best epoch."""
    labels = mnist.train_labels.astype(np.int64)
    indices = np.arange(len(labels))
    if settings.val_size:
        train_idx, val_idx = train_test_split(
            indices, test_size=settings.val_size, stratify=labels, random_state=settings.seed
        )
    else:
        train_idx, val_idx = indices, indices[:0]
    train_images = mnist.train_images[train_idx]
    styled = None
    if settings.augment == "finger":
        styled = styled_copies(train_images, labels[train_idx], seed=settings.seed)
    return TrainData(train_images, labels[train_idx], mnist.train_images[val_idx], labels[val_idx], styled)


def as_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float32 tensor (N, 1, 28, 28) in [0, 1], via the kiosk's preprocessing."""
    return torch.from_numpy(to_model_input(images))


def train_batches(
    data: TrainData, settings: TrainSettings, generator: torch.Generator
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch of shuffled (images (B, 1, 28, 28), labels (B,)) batches, augmented per settings."""
    order = torch.randperm(len(data.train_labels), generator=generator).numpy()
    for start in range(0, len(order), settings.batch_size):
        index = order[start : start + settings.batch_size]
        images = data.train_images[index]
        if data.styled_train_images is not None:
            use_style = torch.rand(len(index), generator=generator).numpy() < STYLE_PROBABILITY
            images = np.where(use_style[:, None, None], data.styled_train_images[index], images)
        batch = as_tensor(images)
        if settings.augment != "none":
            keep_clean = torch.rand(len(index), generator=generator) < CLEAN_PROBABILITY
            batch = torch.where(keep_clean.view(-1, 1, 1, 1), batch, augment(batch, settings.augment, generator))
        yield batch, torch.from_numpy(data.train_labels[index])


def eval_batches(
    images: np.ndarray, labels: np.ndarray, batch_size: int = 1000
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Unaugmented batches in order."""
    for start in range(0, len(labels), batch_size):
        yield as_tensor(images[start : start + batch_size]), torch.from_numpy(labels[start : start + batch_size])


def augment(batch: torch.Tensor, kind: str, generator: torch.Generator) -> torch.Tensor:
    """Random shape jitter ("affine"), plus pen width and wobble ("finger"); then the kiosk's re-layout.

    batch: (B, 1, 28, 28) float32 in [0, 1]. A child's digit varies in slant, proportions and line
    width, and wobbles; the kiosk then re-centres and re-scales it, so the model sees that too.
    """
    count = batch.shape[0]

    def uniform(low: float, high: float, *shape: int) -> torch.Tensor:
        return low + (high - low) * torch.rand(*(shape or (count,)), generator=generator)

    if kind == "finger":
        batch = _vary_pen_width(batch, uniform(-0.4, 0.3))
    angle = torch.deg2rad(uniform(-10, 10))
    shear = uniform(-0.2, 0.2)
    scale_x, scale_y = uniform(0.85, 1.1), uniform(0.9, 1.1)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack(
        [
            torch.stack([cos / scale_x, (shear * cos - sin) / scale_x, uniform(-0.1, 0.1)], dim=1),
            torch.stack([sin / scale_y, (shear * sin + cos) / scale_y, uniform(-0.1, 0.1)], dim=1),
        ],
        dim=1,
    )  # (B, 2, 3)
    grid = F.affine_grid(theta, list(batch.shape), align_corners=False)  # (B, 28, 28, 2)
    if kind == "finger":
        wobble = uniform(-1, 1, count, 2, 4, 4) * uniform(0.0, 0.04).view(-1, 1, 1, 1)
        grid = grid + F.interpolate(wobble, size=batch.shape[-2:], mode="bicubic", align_corners=False).permute(
            0, 2, 3, 1
        )
    moved = F.grid_sample(batch, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return relayout(moved)


def _vary_pen_width(batch: torch.Tensor, amount: torch.Tensor) -> torch.Tensor:
    """Thicker (amount > 0, towards a 3x3 dilation) or thinner (amount < 0, towards an erosion) strokes."""
    amount = amount.view(-1, 1, 1, 1)
    thicker = F.max_pool2d(batch, 3, stride=1, padding=1)
    thinner = -F.max_pool2d(-batch, 3, stride=1, padding=1)
    return torch.where(amount >= 0, batch + amount * (thicker - batch), batch + (-amount) * (thinner - batch))


def relayout(batch: torch.Tensor) -> torch.Tensor:
    """Run each image through the kiosk's fit_and_center, exactly as a drawing would be."""
    images = (batch.squeeze(1).clamp(0, 1) * 255).round().to(torch.uint8).numpy()  # (B, 28, 28)
    out = np.empty_like(images)
    for i, image in enumerate(images):
        try:
            out[i] = fit_and_center(image)
        except EmptyDrawing:  # the jitter pushed all ink out of the frame: keep what is left
            out[i] = image
    return as_tensor(out)
