"""The Recognizer on the shipped models: drawings in, answers out, bad model files refused."""
import dataclasses

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.errors import EmptyDrawing, ModelLoadError
from kiosk.recognition.recognizer import Recognizer

CNN = PROJECT_ROOT / "exported_models" / "cnn.onnx"
MLP = PROJECT_ROOT / "exported_models" / "mlp.onnx"


def seven():
    top = [(x, 100.0) for x in np.linspace(100, 220, 30)]
    stem = [(220 - t * 70, 100 + t * 200) for t in np.linspace(0, 1, 60)]
    return [top + stem]


@pytest.fixture(scope="module")
def cnn():
    return Recognizer(CNN)


def test_recognizes_a_drawn_seven(cnn):
    prediction = cnn.recognize(seven())
    assert prediction.digit == 7 and prediction.best == 7
    assert len(prediction.probabilities) == 10 and sum(prediction.probabilities) == pytest.approx(1, abs=1e-5)
    assert prediction.image.shape == (28, 28) and prediction.image.dtype == np.uint8


def test_metadata_says_what_the_model_is(cnn):
    assert cnn.kind == "cnn"
    assert cnn.metadata["train_settings"]["dropout_rate"] == 0.3
    assert float(cnn.metadata["mnist_test_accuracy"]) > 0.99


def test_empty_canvas_is_never_classified(cnn):
    with pytest.raises(EmptyDrawing):
        cnn.recognize([])


def test_real_drawings_are_recognized_through_the_kiosk_path(drawn_dir):
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load(drawn_dir)
    picks = np.random.default_rng(0).choice(len(drawn), 200, replace=False)
    for path, floor in ((CNN, 0.93), (MLP, 0.85)):
        recognizer = Recognizer(path)
        answers = [recognizer.recognize(drawn.strokes[i]).best for i in picks]
        assert np.mean(np.array(answers) == drawn.labels[picks]) >= floor


@pytest.mark.parametrize("content", [b"", b"not an onnx model", b"\x08\x07" * 100])
def test_corrupt_model_file_is_refused_clearly(tmp_path, content):
    bad = tmp_path / "cnn.onnx"
    bad.write_bytes(content)
    with pytest.raises(ModelLoadError, match="cnn.onnx"):
        Recognizer(bad)


def test_missing_model_file_is_refused_clearly(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        Recognizer(tmp_path / "nowhere.onnx")


def test_a_long_scribble_gets_not_sure(cnn):
    steps = np.random.default_rng(3).normal(0, 25, (150, 2))
    scribble = [np.cumsum(steps, 0) + 200]
    prediction = cnn.recognize(scribble)
    assert prediction.digit is None and 0 <= prediction.best <= 9  # still has a best guess to show


def test_the_other_model_compares_but_does_not_veto(cnn):
    from kiosk.recognition.recognizer import name_the_other_guess

    seven_answer = cnn.recognize(seven())
    other = dataclasses.replace(seven_answer, best=1, digit=1)
    answers = name_the_other_guess([seven_answer, other])
    assert [a.digit for a in answers] == [7, 1], "a sure answer stands even when the other model differs"
    unsure = dataclasses.replace(seven_answer, digit=None, runner_up=2)
    answers = name_the_other_guess([unsure, other])
    # an unsure model names the two models' answers ("is it a seven or a one?"), not its own runner-up
    assert [(a.digit, a.best, a.runner_up) for a in answers] == [(None, 7, 1), (1, 1, other.runner_up)]
    assert name_the_other_guess([seven_answer, seven_answer]) == [seven_answer, seven_answer]


@pytest.mark.parametrize("scale, dx, dy", [(0.03, 0, 0), (8.0, 0, 0), (1.0, 5000, -300)])
def test_tiny_huge_and_off_centre_drawings_get_the_same_answer(cnn, scale, dx, dy):
    moved = [[(x * scale + dx, y * scale + dy) for x, y in stroke] for stroke in seven()]
    assert cnn.recognize(moved).digit == 7


@pytest.mark.parametrize(
    "strokes",
    [
        [np.random.default_rng(0).uniform(0, 400, (100_000, 2))],  # a stuck finger
        [np.random.default_rng(1).uniform(0, 400, (20, 2)) for _ in range(500)],  # 500 strokes
        [[(1e300, 1e300), (-1e300, 5.0), (3, 4)]],  # absurd coordinates
        [[(5, 5)]],  # a tap
    ],
)
def test_hostile_drawings_get_a_calm_answer(cnn, strokes):
    prediction = cnn.recognize(strokes)
    assert prediction.digit is None and len(prediction.probabilities) == 10


def test_huge_drawings_are_thinned_to_a_bounded_number_of_points():
    from kiosk.recognition.preprocess import _MAX_POINTS, clean_strokes

    strokes = [np.zeros((50_000, 2)) + i for i in range(3)] + [np.ones((7, 2))] * 100
    cleaned = clean_strokes(strokes)
    assert sum(len(s) for s in cleaned) <= _MAX_POINTS + 2 * len(cleaned)
    assert len(cleaned) == 103  # no stroke vanishes


def edited_model(tmp_path, name, metadata=None, poison_output=False):
    """The shipped MLP with its metadata changed, or with NaN added to every probability."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(PROJECT_ROOT / "exported_models" / "mlp.onnx")
    for key, value in (metadata or {}).items():
        entry = next((p for p in model.metadata_props if p.key == key), None) or model.metadata_props.add(key=key)
        entry.value = value
    if poison_output:
        output = model.graph.output[0].name
        model.graph.initializer.append(numpy_helper.from_array(np.array([np.nan], np.float32), "poison"))
        for node in model.graph.node:
            node.output[:] = [f"{o}_clean" if o == output else o for o in node.output]
        model.graph.node.append(helper.make_node("Add", [f"{output}_clean", "poison"], [output]))
    path = tmp_path / name
    onnx.save(model, path)
    return path


def test_a_model_that_answers_nan_is_refused_at_load(tmp_path):
    with pytest.raises(ModelLoadError, match="does not give 10 probabilities"):
        Recognizer(edited_model(tmp_path, "nan.onnx", poison_output=True))


def test_metadata_of_the_wrong_shape_is_dropped_not_shown(tmp_path, caplog):
    path = edited_model(tmp_path, "odd.onnx", {"train_settings": "[1, 2]", "mnist_test_accuracy": "very high",
                                               "history": "{not json"})
    recognizer = Recognizer(path)
    assert "train_settings" not in recognizer.metadata and "mnist_test_accuracy" not in recognizer.metadata
    assert "history" not in recognizer.metadata and recognizer.kind == "mlp"
    assert caplog.text.count("ignored") == 3
    # ... and the answer screen draws with it (it used to fail on every drawing).
    import pygame

    from kiosk.event_log import EventLog
    from kiosk.language.phrases import Phrases
    from kiosk.screens.draw import DrawScreen
    from kiosk.ui.theme import Theme
    from kiosk.voice.speaker import SilentSpeaker

    pygame.display.init()
    pygame.font.init()
    screen = DrawScreen([recognizer], SilentSpeaker(), Theme(800, 480), 700, EventLog(None), Phrases("en"))
    screen.ink.begin(*screen.canvas.center)
    screen.ink.extend(screen.canvas.centerx, screen.canvas.bottom - 10)
    screen.ink.end()
    screen.press("recognize")
    screen.draw(pygame.Surface((800, 480)))
    assert screen.prediction is not None
