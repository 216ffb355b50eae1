"""The two models a child can pick: an MLP (two linear layers) and a small CNN. Input (N, 1, 28, 28) in [0, 1]."""
from __future__ import annotations

import torch
from torch import nn

from kiosk.recognition.model_contract import INPUT_SHAPE, NUM_CLASSES
from trainer.settings import TrainSettings


class MLP(nn.Sequential):
    """Two linear layers with dropout: every pixel talks to every hidden unit."""

    def __init__(self, hidden_units: int, dropout_rate: float):
        super().__init__(
            nn.Flatten(),  # (N, 784)
            nn.Linear(INPUT_SHAPE[1] * INPUT_SHAPE[2], hidden_units),
            nn.ReLU(),
            nn.Dropout(dropout_rate),
            nn.Linear(hidden_units, NUM_CLASSES),  # (N, 10) logits
        )


def _conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


class CNN(nn.Module):
    """Convolutions find strokes and corners anywhere in the picture; fully connected layers vote."""

    def __init__(self, dropout_rate: float, channels: tuple[int, int, int] = (32, 64, 128), fc_units: int = 128):
        super().__init__()
        c1, c2, c3 = channels
        # Only one convolution at full 28x28 resolution: that is where a CPU spends its time.
        self.features = nn.Sequential(
            _conv_block(1, c1), nn.MaxPool2d(2),  # (N, c1, 14, 14)
            _conv_block(c1, c2), _conv_block(c2, c2), nn.MaxPool2d(2),  # (N, c2, 7, 7)
            _conv_block(c2, c3), nn.MaxPool2d(2),  # (N, c3, 3, 3)
            nn.Flatten(),
        )
        with torch.no_grad():  # derive the flattened size instead of computing it by hand
            flat_size = self.features(torch.zeros(1, *INPUT_SHAPE)).shape[1]
        self.classifier = nn.Sequential(
            nn.Dropout(dropout_rate),
            nn.Linear(flat_size, fc_units),
            nn.ReLU(),
            nn.Dropout(dropout_rate),
            nn.Linear(fc_units, NUM_CLASSES),  # (N, 10) logits
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(images))


def build_model(settings: TrainSettings) -> nn.Module:
    """The model settings.model names, freshly initialised from the current torch seed."""
    if settings.model == "mlp":
        return MLP(settings.hidden_units, settings.dropout_rate)
    return CNN(settings.dropout_rate)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable numbers in the model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
