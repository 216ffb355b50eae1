"""digit-kiosk-trainer evaluate-shipped: every shipped file gets its line, the gate judged as a gate
(it is no digit model)."""

import shutil

import pytest

from conftest import PROJECT_ROOT
from trainer.shipped_evaluation import evaluate_shipped

SHIPPED = PROJECT_ROOT / "exported_models"


@pytest.mark.slow  # a real run: MNIST test through real models
def test_the_gate_is_evaluated_as_a_gate_beside_the_digit_models(tmp_path, mnist_dir):
    small = SHIPPED / "mlp128-e1.onnx"  # a small digit model stands in for all three: the test is of the report
    for name in ("cnn.onnx", "mlp.onnx", "mlp128-e1.onnx"):
        shutil.copy(small, tmp_path / name)
    for other in ("not_a_digit.onnx", "strokes.onnx", "right_way_round.onnx"):
        shutil.copy(SHIPPED / other, tmp_path)
    report = evaluate_shipped(tmp_path, str(mnist_dir), None, drawn_required=False)
    full, every = report.split("Every shipped file:\n")
    assert "cnn.onnx" in full and "mlp.onnx" in full and "confusion" in full.lower()
    lines = every.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["cnn.onnx", "mlp.onnx", "mlp128-e1.onnx", "not_a_digit.onnx",
                                                    "strokes.onnx", "right_way_round.onnx"]
    assert "stroke-crossval" in lines[4] and "backwards-digits" in lines[5], "measured as what they are"
    assert all("MNIST test" in line for line in lines[:3])
    gate = lines[3]
    assert "not a digit model" in gate and "% of MNIST test digits not a number" in gate
    share = float(gate.split("calls ")[1].split("%")[0])
    assert share < 10, "the shipped gate turns away only a few real digits"
