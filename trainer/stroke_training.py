"""The stroke model: a small CNN on the pen's path (kiosk/recognition/stroke_channels.py), trained on the drawn
digits and, as an eleventh class "not a number", the letters no hand makes look like a digit.

The kiosk fuses it with the image CNN (kiosk/recognition/recognizer.py). It never sees MNIST (MNIST has no
strokes): it learns only from the dev writers it is given, each drawing in several jittered versions (another
hand's slant, proportions and wobble), rendered through the kiosk's own stroke channels.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict, dataclass
from multiprocessing import get_context

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from kiosk.errors import EmptyDrawing
from kiosk.recognition import model_contract as contract
from kiosk.recognition.preprocess import PREPROCESSING_VERSION, clean_strokes
from kiosk.recognition.stroke_channels import CHANNELS, STROKE_CHANNELS_VERSION, stroke_channels
from trainer import drawings
from trainer.drawings import NOT_DIGIT_TRAINING, Drawings
from trainer.errors import ExportError

NOT_A_NUMBER = contract.NUM_CLASSES  # the eleventh class


@dataclass(frozen=True)
class StrokeSettings:
    """How the stroke model is trained; the same for every fold and for the shipped model."""

    epochs: int = 12
    learning_rate: float = 3e-3  # AdamW's peak in a one-cycle schedule
    weight_decay: float = 1e-4
    digit_copies: int = 10  # jittered versions of each drawn digit (another hand's version each)
    letter_copies: int = 2  # ... of each "not a number" letter: about as many letters as digits
    strength: float = 1.0  # jitter strength (drawings.jittered)
    batch_size: int = 256
    seed: int = 0
    threads: int = 2  # torch threads on a CPU
    workers: int = 1  # processes rendering the channels (16 on a big machine)
    limit_batches: int | None = None  # CI: stop each epoch after this many batches


class StrokeCNN(nn.Module):
    """Three small convolutions over the seven channels, then 11 logits (ten digits, "not a number")."""

    def __init__(self, channels: tuple[int, int, int] = (32, 64, 96), fc_units: int = 128):
        super().__init__()
        c1, c2, c3 = channels
        self.net = nn.Sequential(
            nn.Conv2d(len(CHANNELS), c1, 3, padding=1),
            nn.BatchNorm2d(c1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14x14
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.BatchNorm2d(c2),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 7x7
            nn.Conv2d(c2, c3, 3, padding=1),
            nn.BatchNorm2d(c3),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 3x3
            nn.Flatten(),
            nn.Dropout(0.3),
            nn.Linear(c3 * 9, fc_units),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(fc_units, contract.STROKE_CLASSES),
        )

    def forward(self, strokes: torch.Tensor) -> torch.Tensor:  # (N, 7, 28, 28) -> (N, 11)
        return self.net(strokes)


def _render_one(job: tuple) -> np.ndarray:
    """One drawing's channels as the kiosk makes them: int8 (7, 28, 28), channels * 127.

    job: (strokes, seed, strength); strength 0 places the drawing on the canvas without jitter."""
    strokes, seed, strength = job
    rng = np.random.default_rng(seed)
    shape = drawings.jittered(strokes, rng, strength) if strength > 0 else strokes
    try:
        channels = stroke_channels(clean_strokes(drawings.on_canvas(shape, rng)))[1]
    except EmptyDrawing:  # a drawing that shrank to nothing stays blank; a handful at most
        return np.zeros((len(CHANNELS), 28, 28), np.int8)
    return np.round(channels * 127).astype(np.int8)


def render(drawn: Drawings, copies: int, seed: int, strength: float = 1.0, workers: int = 1) -> np.ndarray:
    """int8 (copies * len, 7, 28, 28): the k-th jittered copy of drawing i at k * len + i.

    strength 0: each drawing as drawn, placed on the canvas as a child's is (copies should then be 1)."""
    jobs = [(s, seed * 1_000_003 + k * len(drawn) + i, strength)
            for k in range(copies) for i, s in enumerate(drawn.strokes)]
    if not jobs:
        return np.zeros((0, len(CHANNELS), 28, 28), np.int8)
    if workers > 1:
        with get_context("fork").Pool(workers) as pool:
            return np.stack(pool.map(_render_one, jobs, chunksize=64))
    return np.stack([_render_one(job) for job in jobs])


def training_set(digits: Drawings, letters: Drawings, settings: StrokeSettings) -> tuple[np.ndarray, np.ndarray]:
    """Jittered channels of the digits and of the "not a number" letters, with labels 0-9 and 10."""
    negatives = letters.subset(np.isin(letters.characters(), list(NOT_DIGIT_TRAINING)))
    x_digits = render(digits, settings.digit_copies, settings.seed, settings.strength, settings.workers)
    x_letters = render(negatives, settings.letter_copies, settings.seed + 1, settings.strength * 1.3, settings.workers)
    labels = np.concatenate([np.tile(digits.labels, settings.digit_copies),
                             np.full(len(x_letters), NOT_A_NUMBER)]).astype(np.int64)
    return np.concatenate([x_digits, x_letters]), labels


def fit(x: np.ndarray, y: np.ndarray, settings: StrokeSettings, device: str = "cpu", log=print) -> StrokeCNN:
    """Train a StrokeCNN on int8 channels x (N, 7, 28, 28) and labels y (N,)."""
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    model = StrokeCNN().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    batches = -(-len(y) // settings.batch_size)
    steps = settings.epochs * min(batches, settings.limit_batches or batches)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, settings.learning_rate, total_steps=max(steps, 1))
    data_x = torch.from_numpy(x).to(device)
    data_y = torch.from_numpy(y).to(device)
    generator = torch.Generator().manual_seed(settings.seed)
    for epoch in range(settings.epochs):
        model.train()
        order = torch.randperm(len(y), generator=generator).to(device)
        total, seen = 0.0, 0
        for b in range(min(batches, settings.limit_batches or batches)):
            index = order[b * settings.batch_size : (b + 1) * settings.batch_size]
            batch = data_x[index].float() / 127.0  # (B, 7, 28, 28)
            loss = F.cross_entropy(model(batch), data_y[index], label_smoothing=0.05)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total, seen = total + loss.item() * len(index), seen + len(index)
        log(f"  stroke epoch {epoch + 1}/{settings.epochs}: loss {total / max(seen, 1):.4f}")
    return model.cpu().eval()


@torch.no_grad()
def probabilities(model: nn.Module, x: np.ndarray, batch_size: int = 2000) -> np.ndarray:
    """int8 channels (N, 7, 28, 28) -> (N, 11) probabilities."""
    model.eval()
    device = next(model.parameters()).device
    return np.concatenate([torch.softmax(model(torch.from_numpy(x[i : i + batch_size]).to(device).float() / 127.0),
                                         1).cpu().numpy() for i in range(0, len(x), batch_size)]
                          or [np.zeros((0, contract.STROKE_CLASSES), np.float32)])


def to_onnx_bytes(model: nn.Module, metadata: dict[str, str]) -> bytes:
    """The stroke model as the kiosk loads it: strokes (N, 7, 28, 28) -> probabilities (N, 11); onnx.checker'd."""
    from trainer.export import softmax_onnx_bytes

    return softmax_onnx_bytes(
        model.cpu(), contract.OUTPUT_NAME, metadata,
        "The digit kiosk's stroke model: strokes (N,7,28,28) -> (N,11) [ten digits, not a number]",
        input_name=contract.STROKE_INPUT_NAME, input_shape=contract.STROKE_INPUT_SHAPE,
    )


def check_parity(model: nn.Module, onnx_bytes: bytes, x: np.ndarray) -> float:
    """torch and onnxruntime must agree on the same channels before the file is written."""
    from kiosk.recognition.runtime import ort
    from trainer.export import PARITY_TOLERANCE

    expected = probabilities(model.cpu(), x)
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    actual = session.run([contract.OUTPUT_NAME], {contract.STROKE_INPUT_NAME: x.astype(np.float32) / 127.0})[0]
    difference = float(np.abs(actual - expected).max())
    if not difference <= PARITY_TOLERANCE:
        raise ExportError(f"onnxruntime and torch disagree on the stroke model by {difference:.2e}; not written")
    return difference


def metadata(settings: StrokeSettings, writers: list[str], decision: dict, extra: dict[str, str]) -> dict[str, str]:
    """What the stroke model's file says about itself (the kiosk reads model_kind, the versions and decision)."""
    return {
        contract.META_CONTRACT_VERSION: contract.CONTRACT_VERSION,
        contract.META_MODEL_KIND: contract.STROKE_KIND,
        contract.META_PREPROCESSING_VERSION: PREPROCESSING_VERSION,
        contract.META_STROKE_CHANNELS_VERSION: STROKE_CHANNELS_VERSION,
        contract.META_SETTINGS: json.dumps(asdict(settings)),
        contract.META_TRAINED_ON_WRITERS: json.dumps(sorted(writers)),
        contract.META_DECISION: json.dumps(decision),
        contract.META_CREATED: datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **extra,
    }
