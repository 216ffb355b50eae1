"""Build the small MNIST subset the kiosk carries for live training (`kiosk/learning/data/mnist_subset.npz`).

From the verified MNIST files only (their md5s are checked by kiosk/learning/mnist.py): 10,000 training images,
1,000 of each digit, chosen with a fixed seed, and a held-out slice of 1,000 test images (100 of each
digit) from MNIST's *test* set, which the live training never trains on. Stored compressed with the
source files' checksums, so anyone can rebuild it and get the same arrays (a test does, in CI).
MNIST: Y. LeCun, C. Cortes, C. Burges; CC BY-SA 3.0 (see THIRD_PARTY_NOTICES.md).

Usage: digit-kiosk-trainer build-live-data [--data-dir MNIST_DIR] [--check]
"""

from __future__ import annotations

import io
import json

import numpy as np

from kiosk.atomic_write import write_bytes_atomic
from kiosk.learning import mnist
from kiosk.learning.live_data import SUBSET_PATH

TRAIN_PER_DIGIT = 1_000
TEST_PER_DIGIT = 100
SEED = 2026


def stratified(labels: np.ndarray, per_digit: int, rng: np.random.Generator) -> np.ndarray:
    picks = [rng.choice(np.flatnonzero(labels == digit), per_digit, replace=False) for digit in range(10)]
    order = np.concatenate(picks)
    rng.shuffle(order)  # digits mixed, so any first n images are a fair sample
    return order


def build(data_dir: str | None) -> bytes:
    data = mnist.load(data_dir)
    rng = np.random.default_rng(SEED)
    train = stratified(data.train_labels, TRAIN_PER_DIGIT, rng)
    test = stratified(data.test_labels, TEST_PER_DIGIT, rng)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        train_images=data.train_images[train],
        train_labels=data.train_labels[train].astype(np.uint8),
        test_images=data.test_images[test],
        test_labels=data.test_labels[test].astype(np.uint8),
        source=np.frombuffer(
            json.dumps(
                {
                    "checksums": data.checksums,
                    "seed": SEED,
                    "train_indices": "stratified",
                    "licence": "MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0",
                },
                sort_keys=True,
            ).encode(),
            np.uint8,
        ),
    )
    return buffer.getvalue()


def same_arrays(a: bytes, b: bytes) -> bool:
    with np.load(io.BytesIO(a)) as x, np.load(io.BytesIO(b)) as y:
        return set(x.files) == set(y.files) and all(np.array_equal(x[k], y[k]) for k in x.files)


def build_or_check(data_dir: str | None, check: bool = False) -> int:
    """build-live-data: write the subset, or (check) only say whether the shipped one is what MNIST gives."""
    built = build(data_dir)
    if check:
        ok = SUBSET_PATH.is_file() and same_arrays(SUBSET_PATH.read_bytes(), built)
        print(f"{SUBSET_PATH}: {'up to date' if ok else 'differs from what MNIST gives: rebuild it'}")
        return 0 if ok else 1
    write_bytes_atomic(SUBSET_PATH, built)
    print(f"wrote {SUBSET_PATH} ({len(built) / 1e6:.2f} MB)")
    return 0
