import numpy as np
import pytest

from kiosk.errors import DataError
from kiosk.learning import drawn_digits
from kiosk.recognition.preprocess import COM_TARGET, center_of_mass


def test_drawings_are_placed_on_the_canvas_at_finger_size(drawn_dir):
    drawn = drawn_digits.load(drawn_dir)
    assert set(drawn.labels.tolist()) == set(range(10))
    assert len(drawn.strokes) == len(drawn.labels) == len(drawn.writers)
    points = np.concatenate(drawn.strokes[0])
    extent = points.max(axis=0) - points.min(axis=0)
    assert extent.max() == pytest.approx(drawn_digits.TYPICAL_DRAWING_PX, abs=1)
    assert np.array_equal(points, np.round(points))  # whole screen pixels, as touch events give


@pytest.mark.slow
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


def test_a_checkout_looks_beside_itself_and_an_installed_package_nowhere(monkeypatch, tmp_path):
    assert drawn_digits.default_dir() == drawn_digits.DEFAULT_DRAWN_DIGITS_DIR  # this checkout: ../shared beside it
    installed = tmp_path / "lib" / "python3.11" / "site-packages" / "kiosk" / "learning" / "drawn_digits.py"
    monkeypatch.setattr(drawn_digits, "__file__", str(installed))
    assert drawn_digits.default_dir() is None  # not lib/python3.11/shared/...


def test_no_folder_given_and_none_beside_the_checkout_says_how_to_add_one(monkeypatch):
    monkeypatch.delenv(drawn_digits.DRAWN_DIGITS_ENV, raising=False)
    monkeypatch.setattr(drawn_digits, "default_dir", lambda: None)
    assert not drawn_digits.given(None) and drawn_digits.given("some/dir")
    with pytest.raises(DataError, match="--drawn-dir") as raised:
        drawn_digits.load(None)
    assert "None" not in str(raised.value)
