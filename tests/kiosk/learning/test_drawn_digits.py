import numpy as np
import pytest

from kiosk.errors import DataError
from kiosk.learning import drawn_digits
from kiosk.recognition.preprocess import COM_TARGET, center_of_mass


def test_drawings_are_placed_on_the_canvas_at_finger_size(drawn_dir):
    drawn = drawn_digits.load(drawn_dir)
    assert set(drawn.labels.tolist()) == set(range(10)) and len(drawn.strokes) == len(drawn.labels) == len(drawn.writers)
    points = np.concatenate(drawn.strokes[0])
    extent = points.max(axis=0) - points.min(axis=0)
    assert extent.max() == pytest.approx(drawn_digits.TYPICAL_DRAWING_PX, abs=1)
    assert np.array_equal(points, np.round(points))  # whole screen pixels, as touch events give


def test_drawings_go_through_the_kiosk_preprocessing(drawn_dir):
    drawn = drawn_digits.load(drawn_dir)
    images = drawn_digits.to_images(drawn)[:50]
    assert images.shape == (50, 28, 28) and images.dtype == np.uint8
    for image in images:
        row, col = center_of_mass(image)
        assert abs(row - COM_TARGET) <= 0.5 and abs(col - COM_TARGET) <= 0.5
    assert abs(images.mean() / 255 - 0.1307) < 0.02  # as much ink as MNIST


def test_missing_folder_says_which_option_to_use(tmp_path):
    with pytest.raises(DataError, match="--drawn-dir"):
        drawn_digits.load(tmp_path)
