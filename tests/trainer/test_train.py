import dataclasses

import numpy as np
import pytest
import torch

from trainer.dataset import split
from trainer.models import build_model
from trainer.settings import TrainSettings
from trainer.train import accuracy, fit, seed_everything

pytestmark = pytest.mark.slow  # real MNIST trainings

SMOKE = TrainSettings(
    model="mlp", max_epochs=2, limit_batches=40, val_size=1000, hidden_units=64, learning_rate=3e-3, threads=1
)


def train(settings: TrainSettings, mnist_data, on_epoch_end=None):
    seed_everything(settings)
    model = build_model(settings)
    history = fit(model, split(mnist_data, settings), settings, on_epoch_end)
    return model, history


def test_a_short_real_run_learns_well_above_chance(mnist_data):
    model, history = train(SMOKE, mnist_data)
    assert len(history.epochs) == 2 and history.best_epoch in (1, 2)
    assert history.epochs[-1].train_loss < 1.0
    assert (
        accuracy(model, mnist_data.test_images[:2000], mnist_data.test_labels[:2000].astype(np.int64)) > 0.6
    )  # chance is 0.1


def test_same_seed_gives_the_same_model(mnist_data):
    settings = dataclasses.replace(SMOKE, max_epochs=1, limit_batches=10, augment="finger")
    first, _ = train(settings, mnist_data)
    second, _ = train(settings, mnist_data)
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    third, _ = train(dataclasses.replace(settings, seed=1), mnist_data)
    assert not torch.equal(first.state_dict()["1.weight"], third.state_dict()["1.weight"])


def test_interrupt_keeps_the_best_epoch_so_far(mnist_data):
    settings = dataclasses.replace(SMOKE, max_epochs=5, limit_batches=10)
    seen = []

    def stop_after_two(report, model, history):
        seen.append(report.epoch)
        if report.epoch == 2:
            raise KeyboardInterrupt

    model, history = train(settings, mnist_data, stop_after_two)
    assert history.interrupted and seen == [1, 2] and len(history.epochs) == 2
    best = history.epochs[history.best_epoch - 1].val_accuracy
    assert best == max(e.val_accuracy for e in history.epochs)
    val = split(mnist_data, settings)
    assert accuracy(model, val.val_images, val.val_labels) == pytest.approx(best)


def test_a_learning_rate_far_too_high_fails_to_learn(mnist_data):
    model, history = train(dataclasses.replace(SMOKE, learning_rate=5.0, augment="none"), mnist_data)
    assert max(e.val_accuracy for e in history.epochs) < 0.5  # the lesson the settings explorer shows


def test_ctrl_c_in_the_middle_of_a_batch_loop_stops_cleanly(mnist_data, monkeypatch):
    import trainer.train as train_module

    real_batches = train_module.train_batches
    calls = {"epochs": 0}

    def batches_then_ctrl_c(*args, **kwargs):
        calls["epochs"] += 1
        for step, batch in enumerate(real_batches(*args, **kwargs)):
            if calls["epochs"] == 2 and step == 3:
                raise KeyboardInterrupt
            yield batch

    monkeypatch.setattr(train_module, "train_batches", batches_then_ctrl_c)
    model, history = train(dataclasses.replace(SMOKE, max_epochs=3, limit_batches=10), mnist_data)
    assert history.interrupted and len(history.epochs) == 1 and history.best_epoch == 1
