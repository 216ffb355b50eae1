"""The stroke model: its own contract, the fused answer in recognize_all, and the kiosk as before without it."""
import json
import logging
import shutil

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk.config import KioskConfig
from kiosk.errors import ModelLoadError, ModelRunError
from kiosk.recognition import model_contract as contract
from kiosk.recognition.fusion import FusionRule, decide, fuse
from kiosk.recognition.model_files import load_recognizers
from kiosk.recognition.recognizer import recognize_all
from kiosk.recognition.stroke_model import StrokeModel, load_stroke_model

SHIPPED = PROJECT_ROOT / "exported_models"
SEVEN = [[(100.0 + 4 * i, 100.0) for i in range(40)] + [(260.0 - 2 * i, 100.0 + 5 * i) for i in range(60)]]


def test_fuse_is_a_weighted_geometric_mean_of_the_two_models():
    image = np.array([[0.6, 0.4] + [0.0] * 8])
    strokes = np.array([[0.2, 0.6] + [0.0] * 8 + [0.2]])  # its "not a number" share is left out of the digits
    assert np.allclose(fuse(image, strokes, 0.0), image, atol=1e-6)
    assert np.allclose(fuse(image, strokes, 1.0)[0, :2], [0.25, 0.75], atol=1e-6)
    both = fuse(image, strokes, 0.5)[0]
    assert both[1] > both[0] and abs(both.sum() - 1) < 1e-6
    assert np.isclose(both[1] / both[0], np.sqrt((0.4 * 0.6) / (0.6 * 0.2)))


def test_decide_answers_only_a_sure_number():
    fused = np.array([[0.95, 0.05] + [0.0] * 8] * 4)
    rule = FusionRule(min_confidence=0.9, min_margin=0.8, max_not_digit=0.5, max_stroke_not_digit=0.5)
    given = decide(fused, np.array([0.1, 0.6, 0.1, 0.1]), np.array([0.1, 0.1, 0.7, 0.1]),
                   np.array([True, True, True, False]), rule)
    assert given.tolist() == [0, -1, -1, -1]
    assert decide(fused[:1], np.array([0.1]), None, np.array([True]), rule).tolist() == [0]  # no gate
    assert decide(fused[:1], np.array([0.1]), None, np.array([True]), FusionRule(min_margin=0.95)).tolist() == [-1]


def test_a_rule_from_metadata_takes_known_numbers_in_range():
    assert FusionRule.from_dict({"min_margin": 0.3, "unknown": 5}).min_margin == 0.3
    with pytest.raises(ValueError):
        FusionRule.from_dict({"min_confidence": 1.5})


def test_the_shipped_stroke_model_fits_its_contract_and_names_its_writers_and_rule():
    model = StrokeModel(SHIPPED / contract.STROKE_FILE)
    assert model.metadata[contract.META_MODEL_KIND] == contract.STROKE_KIND
    assert len(json.loads(model.metadata[contract.META_TRAINED_ON_WRITERS])) >= 146
    assert FusionRule.from_dict(json.loads(model.metadata[contract.META_DECISION])) == model.rule


@pytest.fixture(scope="module")
def shipped():
    return load_recognizers(KioskConfig(model_dir=str(SHIPPED)))


def test_the_cnn_answers_fused_with_the_strokes_and_the_mlp_alone(shipped):
    cnn, mlp = shipped
    assert cnn.kind == "cnn" and cnn.stroke_model is not None and mlp.stroke_model is None
    fused, plain = recognize_all(shipped, SEVEN)
    assert fused.digit == 7 and fused.best == 7
    image_alone = cnn.classify_image(fused.image)
    assert not np.allclose(fused.probabilities, image_alone.probabilities)  # the pen's path counted
    assert plain.probabilities == mlp.classify_image(fused.image, fused.digit_like, fused.not_digit).probabilities


def test_the_strokes_not_a_number_says_not_a_number(shipped):
    cnn = shipped[0]
    strict = StrokeModel(SHIPPED / contract.STROKE_FILE)
    object.__setattr__(strict, "rule", FusionRule(max_stroke_not_digit=0.0))  # everything counts as a letter
    cnn.stroke_model, kept = strict, cnn.stroke_model
    try:
        answer = recognize_all(shipped, SEVEN)[0]
    finally:
        cnn.stroke_model = kept
    assert answer.digit is None and not answer.digit_like


def image_models_only(tmp_path):
    for name in ("cnn.onnx", "mlp.onnx", contract.GATE_FILE):
        shutil.copy(SHIPPED / name, tmp_path / name)
    return KioskConfig(model_dir=str(tmp_path))


def test_without_the_stroke_model_the_kiosk_answers_as_before_and_says_why_once(tmp_path, caplog, shipped):
    with caplog.at_level(logging.WARNING):
        recognizers = load_recognizers(image_models_only(tmp_path))
    assert [r.stroke_model for r in recognizers] == [None, None]
    assert sum(contract.STROKE_FILE in r.getMessage() for r in caplog.records) == 1
    answers = recognize_all(recognizers, SEVEN)
    cnn = shipped[0]
    expected = cnn.classify_image(answers[0].image, True)
    assert answers[0].probabilities == expected.probabilities and answers[0].digit == expected.digit == 7


def test_a_file_that_is_not_a_stroke_model_is_refused_and_the_image_model_answers(tmp_path, caplog):
    config = image_models_only(tmp_path)
    shutil.copy(SHIPPED / "cnn.onnx", tmp_path / contract.STROKE_FILE)
    with pytest.raises(ModelLoadError, match="strokes"):
        StrokeModel(tmp_path / contract.STROKE_FILE)
    with caplog.at_level(logging.ERROR):
        assert load_stroke_model(tmp_path) is None
    assert "not used" in caplog.text
    assert all(r.stroke_model is None for r in load_recognizers(config))


def test_a_stroke_model_that_fails_at_run_time_is_retired_and_the_image_model_answers(shipped, caplog):
    cnn = shipped[0]
    broken = StrokeModel(SHIPPED / contract.STROKE_FILE)

    def fail(batch):
        raise ModelRunError("strokes.onnx answers NaN")

    broken.run = fail
    cnn.stroke_model, kept = broken, cnn.stroke_model
    try:
        with caplog.at_level(logging.ERROR):
            answer = recognize_all(shipped, SEVEN)[0]
    finally:
        cnn.stroke_model = kept
    assert broken.failed and "stroke model stops answering" in caplog.text
    assert answer.probabilities == cnn.classify_image(answer.image, True).probabilities


def test_a_promoted_cnn_keeps_answering_with_the_stroke_model(tmp_path):
    from kiosk.atomic_write import write_bytes_atomic
    from kiosk.recognition.model_files import ModelWatcher

    config = KioskConfig(data_dir=str(tmp_path / "data"))
    current = load_recognizers(config)
    watcher = ModelWatcher(config, every_s=0)
    write_bytes_atomic(config.taught_model_dir / "cnn.onnx", (SHIPPED / "cnn-e4.onnx").read_bytes())
    switched = watcher.check(current)
    assert switched[0].path == config.taught_model_dir / "cnn.onnx"
    assert switched[0].stroke_model is current[0].stroke_model is not None and switched[1].stroke_model is None
