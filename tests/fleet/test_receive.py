"""A kiosk takes a model from the fleet only when every check passes, and refuses anything else in one log line."""

import errno
import logging

import pytest

from conftest import PROJECT_ROOT
from kiosk.config import KioskConfig
from kiosk.fleet import receive as receiving
from kiosk.fleet.paths import FleetPaths
from kiosk.fleet.signing import load_key, new_key, publish, sign

SHIPPED = PROJECT_ROOT / "exported_models"
MODEL = (SHIPPED / "mlp.onnx").read_bytes()


@pytest.fixture
def hub(tmp_path):
    public = new_key(tmp_path / "hub.key")
    return load_key(tmp_path / "hub.key"), public


@pytest.fixture
def config(tmp_path, hub):
    return KioskConfig(data_dir=str(tmp_path / "data"), fleet_role="member", fleet_hub_key=hub[1])


def put(config, bundle, kind="mlp"):
    publish(FleetPaths.of(config).published, bundle, kind)


def taught(config):
    path = config.taught_model_dir / "mlp.onnx"
    return path.read_bytes() if path.exists() else None


@pytest.mark.slow  # installs a model: onnxruntime, the engine's parity, promotion
def test_a_model_signed_by_the_hub_is_installed_once(config, hub, caplog):
    put(config, sign(MODEL, "mlp", 1, hub[0]))
    said = receiving.receive(config)
    assert taught(config) == MODEL and "number 1" in said[0]
    assert receiving.installed_sequence(FleetPaths.of(config), "mlp") == 1
    assert receiving.receive(config) == [], "the same bundle is looked at once"


def test_a_model_signed_by_another_key_is_refused_in_one_log_line(config, tmp_path, caplog):
    new_key(tmp_path / "stranger.key")
    put(config, sign(MODEL, "mlp", 5, load_key(tmp_path / "stranger.key")))
    with caplog.at_level(logging.ERROR):
        receiving.receive(config)
        receiving.receive(config)
    refusals = [r for r in caplog.records if "refused the fleet's mlp model" in r.getMessage()]
    assert len(refusals) == 1 and "not the hub's" in refusals[0].getMessage()
    assert taught(config) is None
    assert "not the hub's" in receiving.read_state(FleetPaths.of(config))["refused"]["why"]


def test_an_unsigned_model_is_refused(config, caplog):
    put(config, MODEL)
    with caplog.at_level(logging.ERROR):
        receiving.receive(config)
    assert taught(config) is None and "unsigned" in caplog.text


def test_without_a_trusted_key_nothing_is_taken(tmp_path, hub):
    config = KioskConfig(data_dir=str(tmp_path / "data"), fleet_role="member")
    put(config, sign(MODEL, "mlp", 1, hub[0]))
    assert "no fleet_hub_key" in receiving.receive(config)[0] and taught(config) is None


@pytest.mark.slow  # installs a model: onnxruntime, the engine's parity, promotion
def test_an_old_bundle_played_again_is_refused(config, hub):
    put(config, sign(MODEL, "mlp", 3, hub[0]))
    receiving.receive(config)
    put(config, sign((SHIPPED / "mlp128.onnx").read_bytes(), "mlp", 2, hub[0]))
    assert "not newer" in receiving.receive(config)[0]
    assert taught(config) == MODEL


def test_a_signed_file_that_is_not_a_model_is_refused(config, hub):
    put(config, sign(b"not an onnx model at all", "mlp", 1, hub[0]))
    assert "refused" in receiving.receive(config)[0] and taught(config) is None


def test_a_model_of_another_kind_in_the_kinds_file_is_refused(config, hub):
    put(config, sign(MODEL, "cnn", 1, hub[0]), kind="mlp")
    assert "'cnn' model" in receiving.receive(config)[0]


@pytest.mark.slow  # installs a model: onnxruntime, the engine's parity, promotion
def test_a_full_disk_is_logged_and_the_model_is_tried_again(config, hub, monkeypatch):
    put(config, sign(MODEL, "mlp", 1, hub[0]))
    from kiosk.retraining import promotion

    real = promotion.promote

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(promotion, "promote", full)
    assert "No space" in receiving.receive(config)[0] and taught(config) is None
    monkeypatch.setattr(promotion, "promote", real)
    receiving.receive(config)
    assert taught(config) == MODEL


@pytest.mark.slow  # loads the model in onnxruntime before the parity check refuses it
def test_a_model_onnxruntime_answers_differently_is_refused(config, hub, monkeypatch):
    from kiosk.errors import LearningError
    from kiosk.learning import onnx_io

    def differs(*args, **kwargs):
        raise LearningError("the learned model answers differently in onnxruntime (by 3.1e-02); it was not used")

    monkeypatch.setattr(onnx_io, "check_parity", differs)
    put(config, sign(MODEL, "mlp", 1, hub[0]))
    assert "answers differently" in receiving.receive(config)[0] and taught(config) is None


@pytest.mark.slow  # installs a model once the lock is free
def test_a_model_arriving_during_a_retrain_waits_for_the_next_pass(config, hub):
    from kiosk.retraining.promotion import retrain_lock

    put(config, sign(MODEL, "mlp", 1, hub[0]))
    with retrain_lock(config.data_dir_path):
        assert "trying again later" in receiving.receive(config)[0] and taught(config) is None
    receiving.receive(config)
    assert taught(config) == MODEL
