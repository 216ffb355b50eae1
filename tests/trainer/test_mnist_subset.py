"""The MNIST subset the kiosk carries for live training is exactly what build-live-data builds from the
verified MNIST files (never hand-edited), small, and stratified."""

import subprocess
import sys

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.learning import live_data

pytestmark = pytest.mark.slow  # real MNIST, all 70,000 digits loaded


def test_the_shipped_subset_is_what_build_live_data_builds_from_mnist(mnist_dir):
    result = subprocess.run(
        [sys.executable, "-m", "trainer", "build-live-data", "--check", "--data-dir", str(mnist_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_subset_is_small_stratified_and_held_out_from_training(mnist_data):
    assert live_data.SUBSET_PATH.stat().st_size <= 4_000_000
    data = live_data.load()
    assert (
        np.bincount(data.train_labels).tolist() == [1000] * 10 and np.bincount(data.test_labels).tolist() == [100] * 10
    )
    # the held-out slice comes from MNIST's test set: none of its images is among the training ones
    train = {image.tobytes() for image in data.train_images}
    assert not any(image.tobytes() in train for image in data.test_images)
    tests = {image.tobytes() for image in mnist_data.test_images}
    assert all(image.tobytes() in tests for image in data.test_images[:50])
