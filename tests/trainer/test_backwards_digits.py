"""Backwards digits measured on writers the models never saw, and the right-way-round gate's pictures."""

import numpy as np
import pytest

from trainer import drawings
from trainer.backwards_gate import mirror_drawings, mirror_images


def test_a_drawing_is_turned_left_right_in_its_own_box():
    drawn = drawings.Drawings([[np.array([[0.0, 0.0], [1.0, 0.5]], np.float32), np.array([[0.5, 1.0]], np.float32)]],
                              np.array([2]), np.array(["site/writer"]))
    [[stroke, dot]] = mirror_drawings(drawn).strokes
    assert stroke.tolist() == [[1.0, 0.0], [0.0, 0.5]] and dot.tolist() == [[0.5, 1.0]]


def test_a_mirrored_picture_is_turned_and_centred_again():
    seven = np.zeros((28, 28), np.uint8)
    seven[6:9, 8:20], seven[6:22, 17:20] = 255, 255  # a bar, and a stem down from its right end
    [turned] = mirror_images(seven[None])
    rows, cols = np.nonzero(turned > 127)
    stem = cols[rows > 12]
    assert stem.max() < cols.mean(), "the stem now hangs from the left end"
    assert abs(cols.mean() - 14) <= 1.5 and abs(rows.mean() - 14) <= 1.5, "centred as the kiosk centres a drawing"


@pytest.mark.slow  # ~600 drawings read both ways, and the rule fitted again: some 20 s of CPU
def test_backwards_digits_are_named_without_calling_digits_or_letters_backwards(drawn_dir, drawn_letters_dir):
    from trainer.backwards_digits import report

    result = report(limit=300)  # fitted on site ced's writers, measured on tos's and imp's
    assert result["backwards_digits"] >= 60 and result["named_backwards"] >= 0.70
    assert result["ordinary_called_backwards"] <= 0.01
    assert result["letters_answered_after"] - result["letters_answered_before"] <= 0.01
    assert result["ordinary_read_mirrored"] <= 0.03, "few ordinary answers pay for a second read"
    assert result["p50_ms"] > 0  # its p99 against the 3 ms target: python -m benchmarks inference, on a quiet core
