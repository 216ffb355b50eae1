"""The gate ("is it a number at all?"): its file is checked like a model's, a bad one costs only the gate,
and when it says "not a number" no digit is said while the bars still show the best guess."""
import logging

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.errors import ModelLoadError
from kiosk.recognition import model_contract as contract
from kiosk.recognition.gate import NotDigitGate, load_gate
from kiosk.recognition.recognizer import Recognizer, Uncertainty, recognize_all

SHIPPED_GATE = PROJECT_ROOT / "exported_models" / contract.GATE_FILE
CNN = PROJECT_ROOT / "exported_models" / "cnn.onnx"
MLP = PROJECT_ROOT / "exported_models" / "mlp.onnx"


def seven():
    top = [(x, 100.0) for x in np.linspace(100, 220, 30)]
    return [top + [(220 - t * 70, 100 + t * 200) for t in np.linspace(0, 1, 60)]]


def letter_h():
    return [[(100, 100), (100, 300)], [(220, 100), (220, 300)], [(100, 200), (220, 200)]]


class FixedGate:
    def __init__(self, answer):
        self.answer, self.asked = answer, 0

    def not_digit(self, image):
        self.asked += 1
        return self.answer


def test_the_shipped_gate_loads_and_answers_between_0_and_1():
    gate = NotDigitGate(SHIPPED_GATE)
    value = gate.not_digit(np.zeros((28, 28), np.uint8))
    assert 0.0 <= value <= 1.0 and len(gate.version) == 16


def test_a_digit_model_is_not_a_gate():
    with pytest.raises(ModelLoadError, match="not a gate"):
        NotDigitGate(CNN)


@pytest.mark.parametrize("content", [None, b"", b"garbage" * 10])
def test_a_missing_or_broken_gate_costs_only_the_gate(tmp_path, caplog, content):
    if content is not None:
        (tmp_path / contract.GATE_FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assert load_gate(tmp_path) is None
    assert contract.GATE_FILE in caplog.text


def test_not_a_number_says_no_digit_but_keeps_the_best_guess():
    cnn = Recognizer(CNN, gate=FixedGate(0.99))
    prediction = cnn.recognize(seven())
    assert prediction.digit is None and not prediction.digit_like
    assert prediction.best == 7 and prediction.not_digit == 0.99
    assert Recognizer(CNN, gate=FixedGate(0.1)).recognize(seven()).digit == 7


def test_the_threshold_is_the_configured_one():
    assert Recognizer(CNN, Uncertainty(max_not_digit=0.995), gate=FixedGate(0.99)).recognize(seven()).digit == 7
    assert Recognizer(CNN, Uncertainty(max_not_digit=0.5), gate=FixedGate(0.9)).recognize(seven()).digit is None


def test_every_model_hears_the_gate_once_per_drawing():
    gate = FixedGate(0.1)
    answers = recognize_all([Recognizer(CNN, gate=gate), Recognizer(MLP, gate=gate)], seven())
    assert gate.asked == 1 and [a.not_digit for a in answers] == [0.1, 0.1]


def test_the_shipped_gate_passes_digits_and_stops_letters(mnist_dir):
    from kiosk.learning import mnist

    gate = NotDigitGate(SHIPPED_GATE)
    images, _ = mnist.load_test_set(mnist_dir)  # never trained on: MNIST's test set
    called_not = np.mean([gate.not_digit(image) >= Uncertainty().max_not_digit for image in images[:2000]])
    assert called_not <= 0.01, f"{100 * called_not:.2f}% of MNIST test digits called not a number"
    cnn = Recognizer(CNN, gate=gate)
    assert cnn.recognize(seven()).digit == 7
    assert cnn.recognize(letter_h()).digit is None, "an H is not a number"
