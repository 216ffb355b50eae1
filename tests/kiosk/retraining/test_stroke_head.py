"""The stroke model learning beside the CNN in the night: its last layer only, anchored, judged by a yardstick
of the example digits no child can write to, and kept only beside the CNN it was judged with."""
import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.learning.onnx_io import check_parity, read_onnx, to_onnx_bytes
from kiosk.retraining import stroke_head

SHIPPED_STROKES = PROJECT_ROOT / "exported_models" / "strokes.onnx"


def test_the_engine_reads_the_stroke_model_and_writes_it_back_as_onnxruntime_answers():
    network, metadata, proto = read_onnx(SHIPPED_STROKES)
    channels, _ = stroke_head.yardstick_channels()
    assert network.kind == "stroke" and network.forward(channels[:3]).shape == (3, 11)
    assert check_parity(network, to_onnx_bytes(network, metadata, proto), channels[:50], input_name="strokes") < 1e-4


def test_a_jittered_drawing_keeps_its_order_and_direction():
    strokes = [np.array([[0.0, 0.0], [100.0, 0.0]]), np.array([[50.0, 20.0], [50.0, 120.0]])]
    turned = stroke_head.jittered(strokes, np.random.default_rng(0))
    assert [len(s) for s in turned] == [2, 2]
    assert turned[0][1, 0] > turned[0][0, 0] and turned[1][1, 1] > turned[1][0, 1], "the same way along each stroke"
    assert not np.allclose(turned[0], strokes[0])


@pytest.fixture(scope="module")
def drawn(drawn_dir):
    from kiosk.learning import drawn_digits

    return drawn_digits.load(drawn_dir)


def test_the_last_layer_learns_the_labels_anchored_and_only_the_last_layer_moves(drawn):
    network, _, _ = read_onnx(SHIPPED_STROKES)
    trunk = [layer.weight.value.copy() for layer in network.layers[:-1] if hasattr(layer, "weight")]
    last = stroke_head.last_layer(network)
    not_a_number = last.weight.value[10].copy(), float(last.bias.value[10])
    picks = np.arange(0, len(drawn.labels), len(drawn.labels) // 60)[:60]
    learned = stroke_head.fine_tune(network, [drawn.strokes[i] for i in picks], drawn.labels[picks])
    assert learned["rows"] == 60 * (1 + stroke_head.COPIES) and learned["loss_last"] < learned["loss_first"]
    assert 0 < learned["weights_moved"] < 0.5, "nudged, not rewritten"
    after = [layer.weight.value for layer in network.layers[:-1] if hasattr(layer, "weight")]
    assert all(np.array_equal(a, b) for a, b in zip(trunk, after)), "the convolutions and first dense layer stay"
    assert np.array_equal(last.weight.value[10], not_a_number[0]) and last.bias.value[10] == not_a_number[1], \
        "a child's label says which digit, never whether it is a number: that row stays as shipped"


def test_a_night_learns_from_at_most_so_many_drawings(drawn, monkeypatch):
    monkeypatch.setattr(stroke_head, "MAX_DRAWINGS", 10)
    network, _, _ = read_onnx(SHIPPED_STROKES)
    learned = stroke_head.fine_tune(network, drawn.strokes[:40], drawn.labels[:40])
    assert learned["rows"] == 10 * (1 + stroke_head.COPIES)


def test_a_stroke_model_that_cannot_be_retrained_stays_as_it_was(tmp_path, monkeypatch):
    from kiosk.config import KioskConfig
    from kiosk.errors import LearningError
    from kiosk.recognition.stroke_model import StrokeModel
    from kiosk.retraining.fused_judging import HeldOutStrokes

    def broken(*args):
        raise LearningError("the learned model answers differently in onnxruntime")

    monkeypatch.setattr(stroke_head, "retrain_beside", broken)
    held = HeldOutStrokes.of([[np.array([[0.0, 0.0], [0.0, 100.0]])]])
    night, report = stroke_head.stroke_night(KioskConfig(data_dir=str(tmp_path)), StrokeModel(SHIPPED_STROKES),
                                             [[np.array([[0.0, 0.0], [0.0, 100.0]])]], np.array([1]), held, 0)
    assert night is None and report["kept"] is False and "answers differently" in report["reasons"][0]


def test_a_damaged_stroke_model_beside_the_taught_cnn_stops_the_night_with_a_clear_error(tmp_path):
    from kiosk.config import KioskConfig
    from kiosk.errors import LearningError
    from kiosk.recognition.recognizer import model_version
    from kiosk.recognition.stroke_model import paired_file

    config = KioskConfig(data_dir=str(tmp_path / "data"))
    config.taught_model_dir.mkdir(parents=True)
    cnn = config.taught_model_dir / "cnn.onnx"
    cnn.write_bytes((PROJECT_ROOT / "exported_models" / "cnn.onnx").read_bytes())
    paired_file(config.taught_model_dir, model_version(cnn.read_bytes())).write_bytes(b"damaged")
    with pytest.raises(LearningError, match="does not load"):
        stroke_head.current_stroke_model(config, str(cnn))


def test_a_prank_that_teaches_the_stroke_model_ones_are_sevens_is_refused_by_the_example_ones(drawn):
    network, _, _ = read_onnx(SHIPPED_STROKES)
    channels, truth = stroke_head.yardstick_channels()
    before = stroke_head.yardstick(network.probabilities(channels), truth)
    ones = np.flatnonzero(drawn.labels == 1)[:60]
    stroke_head.fine_tune(network, [drawn.strokes[i] for i in ones], np.full(len(ones), 7))
    after = stroke_head.yardstick(network.probabilities(channels), truth)
    reasons = stroke_head.floors(before, after)
    assert before["1"] >= 0.95 and any("example 1s fell" in reason for reason in reasons)


def test_only_the_stroke_models_of_the_taught_cnn_and_its_kept_versions_stay(tmp_path):
    from kiosk.recognition.recognizer import model_version
    from kiosk.recognition.stroke_model import paired_file

    (tmp_path / "versions").mkdir()
    (tmp_path / "cnn.onnx").write_bytes(b"now")
    (tmp_path / "versions" / "cnn-1.onnx").write_bytes(b"before")
    kept = [paired_file(tmp_path, model_version(data)) for data in (b"now", b"before")]
    gone = paired_file(tmp_path, model_version(b"long ago"))
    for path in (*kept, gone):
        path.write_bytes(b"a stroke model")
    stroke_head.keep_paired_only(tmp_path)
    assert all(path.exists() for path in kept) and not gone.exists()
