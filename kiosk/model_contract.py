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
