import numpy as np
import pytest
import torch

from kiosk.recognition.preprocess import COM_TARGET, center_of_mass
from trainer.dataset import augment, split, train_batches
from trainer.settings import TrainSettings
from kiosk.learning.styles import STYLED_DIGITS, add_style

pytestmark = pytest.mark.slow  # real MNIST, all 70,000 digits loaded


def test_validation_split_is_stratified_and_disjoint(mnist_data):
    data = split(mnist_data, TrainSettings(val_size=5000, augment="none"))
    assert len(data.val_labels) == 5000 and len(data.train_labels) == 55_000
    expected = np.bincount(mnist_data.train_labels) / 60_000
    assert np.abs(np.bincount(data.val_labels) / 5000 - expected).max() < 0.002
    assert data.styled_train_images is None


def test_batches_are_float_unit_range_and_follow_the_seed(mnist_data):
    settings = TrainSettings(val_size=1000, batch_size=32, augment="finger")
    data = split(mnist_data, settings)
    first = next(train_batches(data, settings, torch.Generator().manual_seed(1)))
    again = next(train_batches(data, settings, torch.Generator().manual_seed(1)))
    images, labels = first
    assert images.shape == (32, 1, 28, 28) and images.dtype == torch.float32 and labels.shape == (32,)
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert torch.equal(images, again[0]) and torch.equal(labels, again[1])


def test_augmented_digits_are_laid_out_like_the_kiosk_does(mnist_data):
    batch = torch.from_numpy(mnist_data.test_images[:64, None].astype(np.float32) / 255)
    out = augment(batch, "finger", torch.Generator().manual_seed(0))
    assert out.shape == batch.shape
    assert not torch.equal(out, batch)
    images = (out[:, 0].numpy() * 255).astype(np.uint8)
    for image in images:
        row, col = center_of_mass(image)
        assert abs(row - COM_TARGET) <= 1.0 and abs(col - COM_TARGET) <= 1.0


def test_styles_change_only_the_styled_digits(mnist_data):
    rng = np.random.default_rng(0)
    for digit in range(10):
        image = mnist_data.test_images[np.flatnonzero(mnist_data.test_labels == digit)[0]]
        styled = add_style(image, digit, rng)
        assert styled.shape == (28, 28) and styled.dtype == np.uint8
        assert (not np.array_equal(styled, image)) == (digit in STYLED_DIGITS)


def test_a_flagged_one_is_wider_and_inkier_at_its_top_left(mnist_data):
    ones = mnist_data.test_images[mnist_data.test_labels == 1][:50]
    rng = np.random.default_rng(0)
    styled = np.stack([add_style(one, 1, rng) for one in ones])

    def widths(images):
        return np.array([np.ptp(np.flatnonzero((image > 96).any(axis=0))) for image in images])

    def top_share(images):
        return images[:, :14].astype(float).sum() / images.astype(float).sum()

    assert (widths(styled) > widths(ones)).mean() >= 0.8  # the flag sticks out to the side ...
    assert widths(styled).mean() >= widths(ones).mean() + 3
    assert top_share(styled) > top_share(ones)  # ... near the top
