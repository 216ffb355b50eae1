import numpy as np
import pytest

from kiosk.errors import EmptyDrawing
from kiosk.recognition.preprocess import clean_strokes, image_and_frame, strokes_to_image
from kiosk.recognition.stroke_channels import CHANNELS, stroke_channels, to_stroke_input


def seven():
    """A 7 in one stroke: across the top, then down to the left."""
    top = [(x, 0.0) for x in np.linspace(0, 60, 30)]
    stem = [(60 - t * 30, t * 100) for t in np.linspace(0, 1, 50)]
    return [np.array(top + stem)]


def plus():
    """Two strokes: down, then across."""
    return [np.array([(50.0, 0.0), (50.0, 100.0)]), np.array([(0.0, 50.0), (100.0, 50.0)])]


def test_the_picture_is_the_kiosks_picture_and_the_frame_puts_the_path_on_its_ink():
    cleaned = clean_strokes(seven())
    image, frame = image_and_frame(cleaned)
    assert (image == strokes_to_image(cleaned)).all()
    path = frame.apply(cleaned[0])
    rows, cols = np.round(path[:, 1]).astype(int), np.round(path[:, 0]).astype(int)
    assert image[rows, cols].min() > 150  # every point of the path sits on bright ink


def test_channels_line_up_with_the_ink_and_stay_in_range():
    image, channels = stroke_channels(clean_strokes(seven()))
    assert channels.shape == (len(CHANNELS), 28, 28) and channels.dtype == np.float32
    assert np.allclose(channels[0], image / 255.0)
    off_ink = image == 0
    assert np.abs(channels[1:5][:, off_ink]).max() == 0 and channels[6][off_ink].max() == 0
    assert channels[1:5].min() >= -1 and channels[1:5].max() <= 1 and 0 <= channels[6].min() <= channels[6].max() <= 1


def test_direction_channels_flip_sign_when_a_stroke_is_drawn_backwards():
    forward = stroke_channels(clean_strokes(seven()))[1]
    backward = stroke_channels(clean_strokes([seven()[0][::-1]]))[1]
    assert np.allclose(forward[0], backward[0], atol=1.01 / 255)  # antialiasing may differ by one grey level
    assert np.allclose(forward[1:5], -backward[1:5], atol=0.01)
    assert np.abs(forward[1:5]).max() > 0.5
    # time runs the other way: where the 7 starts (its top left) is early forwards and late backwards
    x, y = np.round(image_and_frame(clean_strokes(seven()))[1].apply(seven()[0][0])).astype(int)
    assert forward[6][y, x] < 0.1 < 0.9 < backward[6][y, x]


def test_direction_says_which_way_the_pen_went():
    channels = stroke_channels(clean_strokes(plus()))[1]
    east, south = channels[CHANNELS.index("east")], channels[CHANNELS.index("south")]
    assert south[6, 14] > 0.8 and abs(east[6, 14]) < 0.2  # the downstroke, above the crossing
    assert east[14, 6] > 0.8 and abs(south[14, 6]) < 0.2  # the stroke across, left of it


def test_pen_down_marks_where_each_stroke_starts_and_time_grows_along_the_drawing():
    cleaned = clean_strokes(plus())
    channels = stroke_channels(cleaned)[1]
    frame = image_and_frame(cleaned)[1]
    pen_down, time = channels[CHANNELS.index("pen_down")], channels[CHANNELS.index("time")]
    (top, bottom), (left, right) = (np.round(frame.apply(s)[:, ::-1]).astype(int) for s in cleaned)  # (row, col)
    assert pen_down[tuple(top)] > 0.4 and pen_down[tuple(left)] > 0.4
    assert pen_down[tuple(bottom)] < 0.05 and pen_down[tuple(right)] < 0.05
    assert time[tuple(top)] < time[tuple(bottom)] < time[tuple(left)] < time[tuple(right)]


def test_a_tap_and_nothing():
    _, channels = stroke_channels(clean_strokes([[(5.0, 5.0)]]))
    assert np.isfinite(channels).all() and channels[5].max() > 0.5
    with pytest.raises(EmptyDrawing):
        stroke_channels([])
    assert to_stroke_input(channels).shape == (1, 7, 28, 28)
