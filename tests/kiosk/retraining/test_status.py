"""--status: what the kiosk runs and what the last night did."""

import pytest

from conftest import PROJECT_ROOT
from kiosk.retraining import promotion

SHIPPED = PROJECT_ROOT / "exported_models"


@pytest.mark.slow
def test_status_says_what_the_kiosk_runs_and_what_the_last_night_did(config, config_file, run_cli):
    settings = config_file
    result = run_cli("retrain", "--config", settings, "--status")
    assert result.returncode == 0
    assert "cnn: runs the shipped model" in result.stdout and "last retrain: none yet" in result.stdout
    promotion.promote((SHIPPED / "cnn-e4.onnx").read_bytes(), config.taught_model_dir, "cnn")
    (config.data_dir_path / "retrain_report.json").write_text(
        '{"kind": "cnn", "finished": "2026-11-24T02:31:00+00:00", "drawings": 120, "promoted": true, "reasons": [],'
        ' "before": {"held_out": 0.9, "mnist_test": 0.996}, "after": {"held_out": 0.95, "mnist_test": 0.995}}')
    result = run_cli("retrain", "--config", settings, "--status")
    assert "cnn: runs the retrained model" in result.stdout
    assert "held-out 90.00% -> 95.00%" in result.stdout and "promoted" in result.stdout
