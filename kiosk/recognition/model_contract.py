"""Facts about the ONNX models that the trainer (writer) and the kiosk (reader) share. No torch here."""
from __future__ import annotations

IMAGE_SIZE = 28
NUM_CLASSES = 10
LABELS = tuple(range(NUM_CLASSES))
INPUT_NAME = "image"  # float32 (N, 1, 28, 28), white ink on black, values in [0, 1]
OUTPUT_NAME = "probabilities"  # float32 (N, 10), each row sums to 1
INPUT_SHAPE = (1, IMAGE_SIZE, IMAGE_SIZE)  # per example; the batch axis N is dynamic
OPSET = 17
CONTRACT_VERSION = "1"
# The gate: a second, small model with one question, "is this a number at all?" (optional; without it
# the kiosk falls back on the drawing's shape alone). Same input; output (N, 2): [a number, not a number].
GATE_FILE = "not_a_digit.onnx"
GATE_OUTPUT_NAME = "not_digit"
GATE_KIND = "gate"
# The stroke model: the pen's path (kiosk/recognition/stroke_channels.py) in, ten digits and "not a number"
# out; optional (without it the image model answers alone). The kiosk fuses it with the image CNN.
STROKE_FILE = "strokes.onnx"
STROKE_KIND = "stroke"
STROKE_INPUT_NAME = "strokes"  # float32 (N, 7, 28, 28): stroke_channels.CHANNELS
STROKE_INPUT_SHAPE = (7, IMAGE_SIZE, IMAGE_SIZE)
STROKE_CLASSES = NUM_CLASSES + 1  # the ten digits, then "not a number"
META_STROKE_CHANNELS_VERSION = "stroke_channels_version"
META_DECISION = "decision"  # JSON: the fused answer's "not sure" rule, calibrated on held-out writers
META_TRAINED_ON_WRITERS = "trained_on_writers"  # JSON: the dev writers a model learned from

# Keys of the ONNX metadata_props. Values are strings; those marked JSON hold JSON text.
META_CONTRACT_VERSION = "contract_version"
META_MODEL_KIND = "model_kind"  # "mlp" or "cnn"
META_SETTINGS = "train_settings"  # JSON: every TrainSettings field
META_EPOCHS_RUN = "epochs_run"
META_HISTORY = "history"  # JSON: per epoch {epoch, train_loss, train_accuracy, val_accuracy, seconds}
META_MNIST_TEST_ACCURACY = "mnist_test_accuracy"
META_DRAWN_DEV_ACCURACY = "drawn_dev_accuracy"
META_TRAINING_SECONDS = "training_seconds"
META_CREATED = "created"  # ISO 8601 UTC
META_DATA_CHECKSUMS = "data_checksums"  # JSON: file name -> md5 of the decompressed MNIST file
META_PREPROCESSING_VERSION = "preprocessing_version"
META_TRAINER_VERSION = "trainer_version"
REQUIRED_METADATA = (META_CONTRACT_VERSION, META_MODEL_KIND, META_PREPROCESSING_VERSION)
JSON_METADATA = (META_SETTINGS, META_HISTORY, META_DATA_CHECKSUMS)


def contract_problems(
    inputs: list[tuple[str, list]], outputs: list[tuple[str, list]], metadata: dict[str, str]
) -> list[str]:
    """What keeps a model from fitting this contract (empty when it fits).

    inputs/outputs: (name, shape) pairs as onnxruntime reports them; a dynamic axis may be any
    string or None. Kept free of onnxruntime so both the kiosk and the trainer can call it.
    """
    problems = []
    if [name for name, _ in inputs] != [INPUT_NAME]:
        problems.append(f"inputs are {[name for name, _ in inputs]}, expected ['{INPUT_NAME}']")
    elif list(inputs[0][1][1:]) != list(INPUT_SHAPE):
        problems.append(f"input shape is {inputs[0][1]}, expected [N, {', '.join(map(str, INPUT_SHAPE))}]")
    if [name for name, _ in outputs] != [OUTPUT_NAME]:
        problems.append(f"outputs are {[name for name, _ in outputs]}, expected ['{OUTPUT_NAME}']")
    elif list(outputs[0][1][1:]) != [NUM_CLASSES]:
        problems.append(f"output shape is {outputs[0][1]}, expected [N, {NUM_CLASSES}]")
    for key in REQUIRED_METADATA:
        if key not in metadata:
            problems.append(f"metadata has no '{key}'")
    if metadata.get(META_CONTRACT_VERSION, CONTRACT_VERSION) != CONTRACT_VERSION:
        version = metadata[META_CONTRACT_VERSION]
        problems.append(f"contract_version is {version!r}, this kiosk reads {CONTRACT_VERSION!r}")
    return problems
