"""train_and_export end to end on real MNIST, a few batches: snapshots, interruption, bad arguments."""

import json

import pytest

import trainer.run as run
from trainer.errors import TrainerError

SMALL = {"model": "mlp", "hidden_units": 16, "limit_batches": 3, "val_size": 500, "threads": 1}


@pytest.mark.slow
def test_interrupted_run_never_replaces_a_finished_model(tmp_path, mnist_dir, drawn_dir, monkeypatch):
    real_fit = run.fit

    def fit_then_ctrl_c(model, data, settings, on_epoch_end=None):
        def stop(report, current, history):
            if on_epoch_end:
                on_epoch_end(report, current, history)
            if report.epoch == 2:
                raise KeyboardInterrupt

        return real_fit(model, data, settings, stop)

    monkeypatch.setattr(run, "fit", fit_then_ctrl_c)
    history = run.train_and_export(
        {**SMALL, "max_epochs": 4}, tmp_path, "mlp", [1], str(mnist_dir), str(drawn_dir), None
    )
    assert history.interrupted
    assert sorted(p.name for p in tmp_path.glob("*.onnx")) == ["mlp-e1.onnx", "mlp-interrupted.onnx"]
    entry = json.loads((tmp_path / "MANIFEST.json").read_text())["models"]["mlp-interrupted.onnx"]
    assert entry["metadata"]["interrupted"] is True and entry["metadata"]["epochs_run"] == 2


@pytest.mark.slow
def test_nothing_is_exported_when_stopped_before_the_first_epoch(tmp_path, mnist_dir, drawn_dir, monkeypatch):
    monkeypatch.setattr(run, "fit", lambda *args, **kwargs: run.History(interrupted=True))
    with pytest.raises(TrainerError, match="nothing was exported"):
        run.train_and_export({**SMALL, "max_epochs": 2}, tmp_path, None, [], str(mnist_dir), str(drawn_dir), None)
    assert list(tmp_path.iterdir()) == []


def test_snapshot_epochs_outside_the_run_are_refused(tmp_path, mnist_dir):
    with pytest.raises(TrainerError, match="snapshot epochs \\[3\\]"):
        run.train_and_export({**SMALL, "max_epochs": 3}, tmp_path, None, [3], str(mnist_dir), None, None)


@pytest.mark.slow
def test_missing_drawn_digits_is_an_error_unless_waived(tmp_path, mnist_dir):
    with pytest.raises(TrainerError, match="--no-drawn"):
        run.train_and_export(
            {**SMALL, "max_epochs": 1}, tmp_path, None, [], str(mnist_dir), str(tmp_path / "none"), None
        )
    run.train_and_export(
        {**SMALL, "max_epochs": 1}, tmp_path, None, [], str(mnist_dir), str(tmp_path / "none"), None, False
    )
    meta = json.loads((tmp_path / "MANIFEST.json").read_text())["models"]["mlp.onnx"]["metadata"]
    assert meta["drawn_dev_accuracy"] is None and meta["mnist_test_accuracy"] > 0
