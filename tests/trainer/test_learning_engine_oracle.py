"""The kiosk's numpy learning engine held to torch, step by step (an oracle test, as micrograd's):
same initial weights, same batches, same dropout masks -> the same weights after N steps of Adam."""

import numpy as np
import pytest
import torch
from torch import nn

from kiosk.learning import network as engine
from kiosk.learning.layers import Conv2d, Dropout, Linear
from kiosk.learning.onnx_io import read_onnx
from trainer.from_onnx import load_onnx_model
from trainer.models import MLP
from conftest import PROJECT_ROOT

STEPS = 8
LR = 3e-3


class EngineMask(nn.Module):
    """Dropout with the mask the engine drew for the same step, so both sides drop the same units."""

    def __init__(self, layer: Dropout):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        scale = self.layer._scale
        return x if scale is None else x * torch.from_numpy(scale)


def paired(kind: str, dropout: float):
    rng = np.random.default_rng(0)
    if kind == "mlp":
        mine, theirs = engine.mlp(64, dropout, rng), MLP(64, dropout)
    else:
        mine, theirs = engine.cnn(dropout, rng, channels=(4, 8, 8), fc_units=16), _small_folded_cnn(dropout)
    weighted = [m for m in theirs.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    learned = [layer for layer in mine.layers if isinstance(layer, (Conv2d, Linear))]
    assert len(weighted) == len(learned)
    with torch.no_grad():  # torch's own initialisation, copied into the engine
        for module, layer in zip(weighted, learned):
            layer.weight.value[...] = module.weight.numpy()
            layer.bias.value[...] = module.bias.numpy()
    drops = iter(layer for layer in mine.layers if isinstance(layer, Dropout))
    for parent in list(theirs.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Dropout):
                setattr(parent, name, EngineMask(next(drops)))
    assert next(drops, None) is None, "the engine drops out where torch's model does"
    return mine, theirs, weighted, learned


def _small_folded_cnn(dropout):
    from trainer.models import CNN

    model = CNN(dropout, channels=(4, 8, 8), fc_units=16)
    for block in model.features:
        if isinstance(block, nn.Sequential) and isinstance(block[0], nn.Conv2d):
            conv = block[0]
            block[0] = nn.Conv2d(conv.in_channels, conv.out_channels, 3, padding=1, bias=True)
            block[1] = nn.Identity()
    return model


@pytest.mark.parametrize(
    "kind,dropout", [("mlp", 0.0), ("mlp", 0.5), ("cnn", 0.0), pytest.param("cnn", 0.3, marks=pytest.mark.slow)]
)
def test_the_engine_learns_exactly_as_torch(kind, dropout):
    torch.manual_seed(0)
    mine, theirs, weighted, learned = paired(kind, dropout)
    starts = [(layer.weight.value.copy(), layer.bias.value.copy()) for layer in learned]
    optimizer = torch.optim.Adam(theirs.parameters(), lr=LR)
    adam = engine.Adam(mine.params, learning_rate=LR)
    data = np.random.default_rng(1)
    rng = np.random.default_rng(2)
    theirs.train()
    for step in range(STEPS):
        images = data.random((16, 1, 28, 28), dtype=np.float32)
        labels = data.integers(0, 10, 16)
        my_loss, _ = engine.train_step(mine, adam, images, labels, rng)  # draws the dropout masks
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(theirs(torch.from_numpy(images)), torch.from_numpy(labels))
        loss.backward()
        optimizer.step()
        assert my_loss == pytest.approx(loss.item(), abs=1e-5), f"step {step}"
    # Adam divides by the root of tiny second moments, so a rounding difference in a near-zero gradient
    # can move a weight by a hair: 99% of the weights agree to 1e-6, none by more than 1e-4 (0.4% of
    # the distance 8 steps can go; a wrong gradient or a wrong Adam is off by 1e-3 and more).
    for module, layer, start in zip(weighted, learned, starts):
        for mine_now, theirs_now, before in (
            (layer.weight.value, module.weight, start[0]),
            (layer.bias.value, module.bias, start[1]),
        ):
            difference = np.abs(mine_now - theirs_now.detach().numpy())
            assert np.abs(mine_now - before).max() > 0.1 * STEPS * LR, "the weights really moved"
            assert (difference < 1e-6).mean() > 0.99 and difference.max() < 1e-4


def test_the_oracle_would_catch_a_wrong_gradient(monkeypatch):
    """A deliberately broken backward (ReLU letting everything through) must fail the comparison."""
    from kiosk.learning import layers

    monkeypatch.setattr(layers.ReLU, "backward", lambda self, grad, need_input_grad=True: grad)
    with pytest.raises(AssertionError):
        test_the_engine_learns_exactly_as_torch("mlp", 0.0)


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_the_engine_reads_the_shipped_weights_as_the_trainer_does(name):
    mine, metadata, _ = read_onnx(PROJECT_ROOT / "exported_models" / f"{name}.onnx")
    theirs, settings, _ = load_onnx_model(PROJECT_ROOT / "exported_models" / f"{name}.onnx")
    images = np.random.default_rng(0).random((8, 1, 28, 28), dtype=np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(images)).numpy()
    assert np.abs(mine.forward(images) - expected).max() < 1e-4
    assert [layer.rate for layer in mine.layers if isinstance(layer, Dropout)] == [
        m.p for m in theirs.modules() if isinstance(m, nn.Dropout)
    ]
