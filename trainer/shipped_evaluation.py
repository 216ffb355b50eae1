"""Evaluate the shipped models on the MNIST test set and the drawn digits (kiosk preprocessing):
a full report (per digit, confusion) for cnn.onnx and mlp.onnx, one line for every digit model, and
the gate ("is it a number at all?") judged as a gate: how many MNIST test digits it turns away.

    digit-kiosk-trainer evaluate-shipped [--model-dir exported_models] [--data-dir MNIST] [--drawn-dir DIR]

It runs on the kiosk's runtime (onnxruntime), no torch.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.recognition import backwards
from kiosk.recognition import model_contract as contract
from trainer.evaluate import evaluate_files

FULL_REPORT = ("cnn.onnx", "mlp.onnx")  # the two the kiosk answers with
# Shipped files that are no digit model on a picture, and the command that measures each as what it is.
MEASURED_ELSEWHERE = {
    contract.STROKE_FILE: "the stroke model (reads the pen's path, not a picture): digit-kiosk-trainer stroke-crossval",
    backwards.GATE_FILE: "the right-way-round gate, not a digit model: digit-kiosk-trainer backwards-digits",
}


def evaluate_shipped(model_dir: Path, data_dir: str | None, drawn_dir: str | None, drawn_required: bool = True) -> str:
    """The full report for the kiosk's two models, one line per digit model, and the gate's line."""
    model_dir = Path(model_dir)
    full = evaluate_files([model_dir / name for name in FULL_REPORT], data_dir, drawn_dir, drawn_required)
    others = {contract.GATE_FILE, *MEASURED_ELSEWHERE}
    digit_models = [path for path in sorted(model_dir.glob("*.onnx")) if path.name not in others]
    every = evaluate_files(digit_models, data_dir, drawn_dir, drawn_required, brief=True)
    gate = model_dir / contract.GATE_FILE
    if gate.is_file():
        every += "\n" + gate_line(gate, data_dir)
    for name, what in MEASURED_ELSEWHERE.items():
        if (model_dir / name).is_file():
            every += f"\n{name:<26} {what}"
    return f"{full}\n\nEvery shipped file:\n{every}"


def gate_line(path: Path, data_dir: str | None) -> str:
    """The gate is no digit model: the share of MNIST test digits it calls not a number, at the kiosk's threshold."""
    from kiosk.config import KioskConfig
    from kiosk.learning import mnist
    from kiosk.recognition.gate import NotDigitGate

    gate, threshold = NotDigitGate(path), KioskConfig.load(None).max_not_a_number
    images, _ = mnist.load_test_set(data_dir)
    turned_away = sum(gate.not_digit(image) >= threshold for image in images) / len(images)
    return (
        f"{path.name:<26} the gate (is it a number at all?), not a digit model: calls {100 * turned_away:.2f}% "
        f"of MNIST test digits not a number at {threshold}"
    )
