import numpy as np
import pytest

from kiosk.errors import EmptyDrawing
from kiosk.recognition.preprocess import (
    COM_TARGET,
    DIGIT_BOX_PX,
    center_of_mass,
    fit_and_center,
    strokes_to_image,
    to_model_input,
)


def seven(scale=1.0, dx=0.0, dy=0.0):
    """A 7 as a finger would draw it: one stroke, many points."""
    top = [(x, 0.0) for x in np.linspace(0, 60, 30)]
    stem = [(60 - t * 30, t * 100) for t in np.linspace(0, 1, 50)]
    return [[(x * scale + dx, y * scale + dy) for x, y in top + stem]]


def ink_box(image, threshold=0):
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return rows[0], rows[-1], cols[0], cols[-1]


def test_output_is_mnist_like():
    image = strokes_to_image(seven())
    assert image.shape == (28, 28) and image.dtype == np.uint8
    top, bottom, left, right = ink_box(image)
    assert bottom - top + 1 == DIGIT_BOX_PX  # the taller side fills the 20 px box
    assert right - left + 1 < DIGIT_BOX_PX  # aspect ratio kept
    row, col = center_of_mass(image)
    assert abs(row - COM_TARGET) <= 0.5 and abs(col - COM_TARGET) <= 0.5
    assert image.max() == 255 and image[0].max() == 0  # white ink on black, margins empty


@pytest.mark.parametrize("scale, dx, dy", [(0.05, 0, 0), (20.0, 0, 0), (1.0, 3000, -700), (0.3, 5.5, 900.25)])
def test_tiny_huge_and_off_centre_drawings_come_out_alike(scale, dx, dy):
    reference = strokes_to_image(seven()).astype(int)
    other = strokes_to_image(seven(scale, dx, dy)).astype(int)
    assert np.abs(reference - other).mean() < 4  # same picture up to antialiasing


def test_centred_digit_stays_centred():
    ring = [[(50 + 40 * np.cos(a), 50 + 40 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 80)]]
    image = strokes_to_image(ring)
    top, bottom, left, right = ink_box(image)
    assert bottom - top + 1 == DIGIT_BOX_PX and right - left + 1 == DIGIT_BOX_PX
    # 28 - 20 leaves 8 px: 4 on each side, give or take the half pixel MNIST's rounding allows
    assert top in (4, 5) and left in (4, 5)
    row, col = center_of_mass(image)
    assert abs(row - COM_TARGET) <= 0.5 and abs(col - COM_TARGET) <= 0.5


@pytest.mark.parametrize("strokes", [[], [[]], [[], []], [[(float("nan"), 1.0)]], [[(np.inf, np.inf)]]])
def test_empty_drawing_is_reported_not_classified(strokes):
    with pytest.raises(EmptyDrawing):
        strokes_to_image(strokes)


def test_a_single_dot_is_drawn_as_a_blob():
    image = strokes_to_image([[(10, 10)]])
    assert image.max() == 255
    assert abs(center_of_mass(image)[0] - COM_TARGET) <= 0.5


def test_bad_points_are_dropped_and_the_rest_kept():
    clean = seven()
    dirty = [clean[0][:40] + [(float("nan"), 3.0), (1.0, float("inf"))] + clean[0][40:]]
    assert np.array_equal(strokes_to_image(clean), strokes_to_image(dirty))


def test_multi_stroke_digit_uses_all_strokes():
    one_stroke = strokes_to_image([[(0, 0), (0, 100)]])
    plus = strokes_to_image([[(0, 0), (0, 100)], [(-40, 50), (40, 50)]])
    assert (plus > 0).sum() > (one_stroke > 0).sum()


def test_fit_and_center_rescales_a_raster():
    big = np.zeros((300, 200), np.uint8)
    big[40:260, 90:110] = 255
    image = fit_and_center(big)
    top, bottom, _, _ = ink_box(image, threshold=127)
    assert bottom - top + 1 == DIGIT_BOX_PX


def test_model_input_is_float_batch_in_unit_range():
    batch = to_model_input(np.full((3, 28, 28), 255, np.uint8))
    assert batch.shape == (3, 1, 28, 28) and batch.dtype == np.float32
    assert batch.max() == 1.0
    with pytest.raises(TypeError):
        to_model_input(np.zeros((28, 28), np.float64))
