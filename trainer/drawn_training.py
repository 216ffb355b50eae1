"""Teach the shipped models real drawings: the digit CNN learns pen-drawn digits besides MNIST, and a small
"is it a number at all?" model (the gate) learns digits against letters, doodles and shapes.

Both start from what the project already trusts: the CNN from the shipped MNIST CNN (fine-tuned, so its
MNIST accuracy stays), the gate from scratch but on MNIST digits as well as drawn ones. Which writers
they may learn from is the caller's choice (all of them for shipping; the others for a fold of
cross-validation), and nothing here reads a held-out writer.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from kiosk.learning.augment import CLEAN_PROBABILITY
from kiosk.recognition import model_contract as contract
from kiosk.recognition.preprocess import PREPROCESSING_VERSION, to_model_input
from trainer import drawings, not_digits
from trainer.dataset import STYLE_PROBABILITY, augment
from trainer.drawings import NOT_DIGIT_TRAINING, Drawings
from trainer.errors import ExportError, TrainerError

FINE_TUNED_KEY = "fine_tuned_on_drawings"  # metadata of a CNN that has seen the dev writers


@dataclass(frozen=True)
class DrawnSettings:
    """How the CNN is fine-tuned and the gate trained; every number here is the same for every fold."""

    cnn_epochs: int = 3
    cnn_learning_rate: float = 3e-4  # a tenth of the first training's: it refines, it does not start over
    mnist_per_epoch: int = 30_000  # MNIST keeps its weight, so MNIST accuracy stays within the gate
    drawn_copies: int = 8  # jittered copies of each drawn digit per epoch (another hand's version each time)
    gate_epochs: int = 4
    gate_learning_rate: float = 2e-3
    gate_positives_mnist: int = 20_000
    gate_letter_copies: int = 3
    gate_shapes: int = 12_000  # synthetic doodles, shapes and stroke-font letters per epoch
    batch_size: int = 128
    seed: int = 0
    threads: int = 2


def mnist_only_base(path) -> tuple[nn.Module, object, dict[str, str], bytes]:
    """The CNN to fine-tune: (model, its TrainSettings, metadata, file bytes); TrainerError for one that has
    already seen drawings (cross-validation on it would be a lie, and building on it would stack)."""
    from trainer.from_onnx import load_onnx_model

    data = open(path, "rb").read()
    model, settings, metadata = load_onnx_model(path)
    if FINE_TUNED_KEY in metadata:
        raise TrainerError(
            f"{path} was already fine-tuned on the drawings; use the MNIST-only CNN "
            "(digit-kiosk-trainer build-shipped cnn rebuilds it, or take it from git history)"
        )
    return model, settings, metadata, data


class Gate(nn.Module):
    """A small CNN with one question: is this a number (0) or not (1)? Half a millisecond on one core."""

    def __init__(self, channels: tuple[int, int, int] = (16, 32, 64), fc_units: int = 64):
        super().__init__()
        c1, c2, c3 = channels
        self.net = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 7x7
            nn.Conv2d(c2, c3, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 3x3
            nn.Flatten(),
            nn.Dropout(0.3),
            nn.Linear(c3 * 9, fc_units),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(fc_units, 2),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


def _mnist_batch(images: np.ndarray, generator: torch.Generator) -> torch.Tensor:
    batch = torch.from_numpy(to_model_input(images))
    keep = torch.rand(len(images), generator=generator) < CLEAN_PROBABILITY
    return torch.where(keep.view(-1, 1, 1, 1), batch, augment(batch, "finger", generator))


def _epoch(
    model: nn.Module,
    optimizer,
    parts: list[tuple[np.ndarray, np.ndarray, bool]],
    settings: DrawnSettings,
    rng: np.random.Generator,
    generator: torch.Generator,
) -> float:
    """One shuffled pass over (images, labels, augment-like-MNIST) parts; returns the mean loss."""
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts]).astype(np.int64)
    mnist_like = np.concatenate([np.full(len(p[1]), p[2]) for p in parts])
    order = rng.permutation(len(labels))
    model.train()
    total = 0.0
    for start in range(0, len(order), settings.batch_size):
        index = order[start : start + settings.batch_size]
        batch = torch.from_numpy(to_model_input(images[index]))
        if mnist_like[index].any():  # MNIST digits get the finger-style jitter the first training used
            rows = np.flatnonzero(mnist_like[index])
            batch[rows] = _mnist_batch(images[index][rows], generator)
        loss = F.cross_entropy(model(batch), torch.from_numpy(labels[index]))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(index)
    return total / len(order)


def _mnist_pick(mnist_images, styled_images, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """count MNIST digits (indices, pictures), a share of the 0s, 1s, 2s and 7s in European style as in the
    first training: a slashed 0 or a flagged 1 is a number too."""
    pick = rng.choice(len(mnist_images), count, replace=False)
    images = mnist_images[pick]
    if styled_images is not None:
        use = rng.random(count) < STYLE_PROBABILITY
        images = np.where(use[:, None, None], styled_images[pick], images)
    return pick, images


def finetune_cnn(
    base: nn.Module,
    mnist_images: np.ndarray,
    mnist_labels: np.ndarray,
    drawn: Drawings,
    settings: DrawnSettings = DrawnSettings(),
    log=print,
    styled_images: np.ndarray | None = None,
) -> nn.Module:
    """The shipped CNN, fine-tuned on MNIST and jittered copies of these drawn digits.

    styled_images: MNIST in the European styles (kiosk.learning.styles copies)."""
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    generator = torch.Generator().manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    optimizer = torch.optim.Adam(base.parameters(), lr=settings.cnn_learning_rate)
    for epoch in range(settings.cnn_epochs):
        pick, picked = _mnist_pick(mnist_images, styled_images, settings.mnist_per_epoch, rng)
        drawn_images = drawings.images(drawn, rng, copies=settings.drawn_copies)
        drawn_labels = np.tile(drawn.labels, settings.drawn_copies)
        for group in optimizer.param_groups:
            group["lr"] = settings.cnn_learning_rate * 0.5**epoch
        loss = _epoch(
            base,
            optimizer,
            [(picked, mnist_labels[pick], True), (drawn_images, drawn_labels, False)],
            settings,
            rng,
            generator,
        )
        log(f"  cnn epoch {epoch + 1}/{settings.cnn_epochs}: loss {loss:.4f}")
    return base.eval()


def gate_negatives(letters: Drawings) -> Drawings:
    """The letters that teach "not a number": those no hand makes look like a digit."""
    return letters.subset(np.isin(letters.characters(), list(NOT_DIGIT_TRAINING)))


def fresh_gate(settings: DrawnSettings, rng_offset: int):
    """(gate, its Adam, the torch generator, the numpy rng) for a gate trained from scratch, seeded by settings
    (rng_offset: each gate its own numpy stream)."""
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    generator = torch.Generator().manual_seed(settings.seed)
    gate = Gate()
    optimizer = torch.optim.Adam(gate.parameters(), lr=settings.gate_learning_rate)
    return gate, optimizer, generator, np.random.default_rng(settings.seed + rng_offset)


def train_gate(
    mnist_images: np.ndarray,
    drawn: Drawings,
    letters: Drawings,
    settings: DrawnSettings = DrawnSettings(),
    log=print,
    styled_images: np.ndarray | None = None,
) -> Gate:
    """The gate, trained on digits (MNIST and drawn) against letters, shapes and doodles, about half each."""
    gate, optimizer, generator, rng = fresh_gate(settings, rng_offset=1)
    negatives = gate_negatives(letters)
    for epoch in range(settings.gate_epochs):
        mnist = _mnist_pick(mnist_images, styled_images, settings.gate_positives_mnist, rng)[1]
        drawn_images = drawings.images(drawn, rng, copies=settings.drawn_copies)
        letter_images = drawings.images(negatives, rng, copies=settings.gate_letter_copies, strength=1.3)
        shapes = not_digits.images(settings.gate_shapes, rng)
        for group in optimizer.param_groups:
            group["lr"] = settings.gate_learning_rate * 0.5**epoch
        parts = [
            (mnist, np.zeros(len(mnist)), True),
            (drawn_images, np.zeros(len(drawn_images)), False),
            (letter_images, np.ones(len(letter_images)), False),
            (shapes, np.ones(len(shapes)), False),
        ]
        loss = _epoch(gate, optimizer, parts, settings, rng, generator)
        log(
            f"  gate epoch {epoch + 1}/{settings.gate_epochs}: loss {loss:.4f} "
            f"({len(mnist) + len(drawn_images)} digits, {len(letter_images) + len(shapes)} not)"
        )
    return gate.eval()


@torch.no_grad()
def probabilities(model: nn.Module, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    model.eval()
    return np.concatenate(
        [
            torch.softmax(model(torch.from_numpy(to_model_input(images[i : i + batch_size]))), 1).numpy()
            for i in range(0, len(images), batch_size)
        ]
    )


def gate_to_onnx_bytes(gate: Gate, metadata: dict[str, str]) -> bytes:
    """The gate as the kiosk loads it: image (N,1,28,28) -> not_digit (N,2) [a number, not a number]."""
    from trainer.export import softmax_onnx_bytes

    return softmax_onnx_bytes(
        gate,
        contract.GATE_OUTPUT_NAME,
        metadata,
        "The digit kiosk's gate: image (N,1,28,28) in [0,1] -> (N,2) [a number, not a number]",
    )


def check_gate_parity(gate: Gate, onnx_bytes: bytes, batch: np.ndarray) -> float:
    """torch and onnxruntime must give the same gate answers before the file is written."""
    from kiosk.recognition.runtime import ort
    from trainer.export import PARITY_TOLERANCE

    with torch.no_grad():
        expected = torch.softmax(gate.eval()(torch.from_numpy(batch)), 1).numpy()
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    actual = session.run([contract.GATE_OUTPUT_NAME], {contract.INPUT_NAME: batch})[0]
    difference = float(np.abs(actual - expected).max())
    if not difference <= PARITY_TOLERANCE:
        raise ExportError(f"onnxruntime and torch disagree on the gate by {difference:.2e}; not written")
    return difference


def gate_metadata(settings: DrawnSettings, writers: list[str], extra: dict[str, str]) -> dict[str, str]:
    return {
        contract.META_CONTRACT_VERSION: contract.CONTRACT_VERSION,
        contract.META_MODEL_KIND: contract.GATE_KIND,
        contract.META_PREPROCESSING_VERSION: PREPROCESSING_VERSION,
        contract.META_SETTINGS: json.dumps(asdict(settings)),
        "trained_on_writers": json.dumps(sorted(writers)),
        contract.META_CREATED: datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **extra,
    }
