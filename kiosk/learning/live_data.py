"""The MNIST subset the kiosk carries for live training: 10,000 digits to learn from, 1,000 held out to test.

Built by digit-kiosk-trainer build-live-data from the verified MNIST files (MNIST: Y. LeCun, C. Cortes,
C. Burges; CC BY-SA 3.0). A missing or damaged file is a LearningError, never a crash: the
"train it yourself" screen then says it cannot train.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.errors import LearningError
from kiosk.recognition.model_contract import IMAGE_SIZE

SUBSET_PATH = Path(__file__).resolve().parent / "data" / "mnist_subset.npz"


@dataclass(frozen=True)
class LiveData:
    train_images: np.ndarray  # (N, 28, 28) uint8
    train_labels: np.ndarray  # (N,) int64
    test_images: np.ndarray
    test_labels: np.ndarray


def load(path: Path = SUBSET_PATH) -> LiveData:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = [data[k] for k in ("train_images", "train_labels", "test_images", "test_labels")]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise LearningError(
            f"the live-training digits ({path}) cannot be read ({error}); rebuild them with "
            "digit-kiosk-trainer build-live-data"
        ) from error
    train_images, train_labels, test_images, test_labels = arrays
    for images, labels in ((train_images, train_labels), (test_images, test_labels)):
        if (
            images.dtype != np.uint8
            or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE)
            or len(images) != len(labels)
            or not len(labels)
            or labels.max() > 9
        ):
            raise LearningError(
                f"{path} does not hold 28x28 digits with labels 0-9; "
                "rebuild it with digit-kiosk-trainer build-live-data"
            )
    return LiveData(train_images, train_labels.astype(np.int64), test_images, test_labels.astype(np.int64))
