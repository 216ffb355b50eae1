import torch

from trainer.models import CNN, MLP, build_model, count_parameters
from trainer.settings import TrainSettings


def test_both_models_map_image_batches_to_ten_logits():
    for kind in ("mlp", "cnn"):
        model = build_model(TrainSettings(model=kind)).eval()
        assert model(torch.rand(5, 1, 28, 28)).shape == (5, 10)


def test_mlp_is_two_linear_layers_with_configurable_width():
    model = MLP(hidden_units=64, dropout_rate=0.2)
    linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [tuple(m.weight.shape) for m in linear] == [(64, 784), (10, 64)]
    assert any(isinstance(m, torch.nn.Dropout) and m.p == 0.2 for m in model.modules())


def test_dropout_is_active_only_in_training():
    model = CNN(dropout_rate=0.5)
    x = torch.rand(4, 1, 28, 28)
    model.eval()
    assert torch.equal(model(x), model(x))
    model.train()
    assert not torch.equal(model(x), model(x))


def test_models_are_small_enough_to_ship_several():
    assert count_parameters(CNN(0.3)) < 400_000  # < 1.6 MB as float32
    assert count_parameters(MLP(400, 0.3)) < 400_000
