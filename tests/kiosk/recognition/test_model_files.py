"""Which model the kiosk runs: a taught (retrained) model before the shipped one, and hot reload of a
newly promoted file at an idle moment; a bad file is refused while the kiosk keeps drawing."""

import pygame
import pytest

from conftest import PROJECT_ROOT
from kiosk.atomic_write import write_bytes_atomic
from kiosk.config import KioskConfig
from kiosk.recognition.model_files import ModelWatcher, load_recognizers

SHIPPED = PROJECT_ROOT / "exported_models"


@pytest.fixture
def config(tmp_path):
    return KioskConfig(data_dir=str(tmp_path / "data"))


def teach(config, source_name, kind="cnn"):
    """Put a model where a promotion puts it (atomically, as the retrain does)."""
    write_bytes_atomic(config.taught_model_dir / f"{kind}.onnx", (SHIPPED / source_name).read_bytes())


def test_a_taught_model_comes_before_the_shipped_one(config):
    assert [r.path for r in load_recognizers(config)] == [SHIPPED / "cnn.onnx", SHIPPED / "mlp.onnx"]
    teach(config, "cnn-e4.onnx")
    first = load_recognizers(config)[0]
    assert first.path == config.taught_model_dir / "cnn.onnx" and first.kind == "cnn"


def test_a_corrupt_taught_model_falls_back_to_the_shipped_one(config, caplog):
    config.taught_model_dir.mkdir(parents=True)
    (config.taught_model_dir / "cnn.onnx").write_bytes(b"not a model")
    assert load_recognizers(config)[0].path == SHIPPED / "cnn.onnx"
    assert "cannot use the cnn model" in caplog.text


def test_the_watcher_switches_to_a_promoted_model_refuses_a_bad_one_and_follows_a_rollback(config, caplog):
    current = load_recognizers(config)
    watcher = ModelWatcher(config, every_s=0)
    assert watcher.check(current) is None, "nothing changed"
    teach(config, "cnn-e4.onnx")
    switched = watcher.check(current)
    assert switched[0].path == config.taught_model_dir / "cnn.onnx" and switched[1] is current[1]
    write_bytes_atomic(config.taught_model_dir / "cnn.onnx", b"\x08\x01garbage")
    assert watcher.check(switched) is None
    assert "refused the new cnn model" in caplog.text
    (config.taught_model_dir / "cnn.onnx").unlink()  # rolled back past the last taught model
    back = watcher.check(switched)
    assert back[0].path == SHIPPED / "cnn.onnx"


def test_the_running_kiosk_switches_when_idle_and_keeps_drawing_after_a_refusal(config, tmp_path):
    from kiosk.app import App, LaunchOptions
    from kiosk.input import PointerDown, PointerMove, PointerUp

    app = App(config, LaunchOptions(headless=True, size=(800, 480)))
    try:
        app.model_watcher = ModelWatcher(config, every_s=0)
        draw = app.screens["draw"]
        shipped_version = app.recognizers[0].version
        teach(config, "cnn-e4.onnx")
        assert app.reload_models()
        assert draw.recognizers is app.recognizers and draw.recognizer.version != shipped_version
        assert app.screens["learn"].recognizers[0] is draw.recognizer
        (config.taught_model_dir / "cnn.onnx").write_bytes(b"corrupt")
        assert not app.reload_models()
        c = draw.canvas
        draw.handle(PointerDown(c.centerx, c.y + 30))
        draw.handle(PointerMove(c.centerx, c.bottom - 30))
        draw.handle(PointerUp(c.centerx, c.bottom - 30))
        draw.press("recognize")
        assert draw.prediction is not None and draw.prediction.best == 1
    finally:
        app.speaker.close()
        pygame.display.quit()  # not pygame.quit(): other tests go on with the cached fonts


def test_a_stroke_model_retrained_beside_a_cnn_answers_with_that_cnn_only(tmp_path):
    import shutil

    from kiosk.config import KioskConfig
    from kiosk.recognition.model_files import load_recognizers
    from kiosk.recognition.recognizer import model_version
    from kiosk.recognition.stroke_model import paired_file

    config = KioskConfig(data_dir=str(tmp_path / "data"))
    taught = config.taught_model_dir
    taught.mkdir(parents=True)
    shipped = config.model_dir_path
    shutil.copy(shipped / "cnn.onnx", taught / "cnn.onnx")
    paired = paired_file(taught, model_version((taught / "cnn.onnx").read_bytes()))
    shutil.copy(shipped / "strokes.onnx", paired)
    [cnn, *_] = load_recognizers(config)
    assert cnn.kind == "cnn" and cnn.stroke_model.path == paired, "beside its own CNN"
    paired.rename(paired_file(taught, "0123456789abcdef"))  # made beside another CNN
    [cnn, *_] = load_recognizers(config)
    assert cnn.stroke_model.path == shipped / "strokes.onnx", "beside another CNN: the shipped stroke model"


def test_the_watcher_pairs_a_promoted_cnn_with_its_own_stroke_model_and_a_rollback_with_the_shipped_one(config):
    from kiosk.recognition.recognizer import model_version
    from kiosk.recognition.stroke_model import paired_file

    current = load_recognizers(config)
    watcher = ModelWatcher(config, every_s=0)
    data = (SHIPPED / "cnn-e4.onnx").read_bytes()
    config.taught_model_dir.mkdir(parents=True)
    paired = paired_file(config.taught_model_dir, model_version(data))
    write_bytes_atomic(paired, (SHIPPED / "strokes.onnx").read_bytes())
    teach(config, "cnn-e4.onnx")  # promoted after its stroke model, as the night does
    switched = watcher.check(current)
    assert switched[0].stroke_model.path == paired
    (config.taught_model_dir / "cnn.onnx").unlink()  # rolled back: the shipped CNN, fused with the shipped strokes
    back = watcher.check(switched)
    assert back[0].path == SHIPPED / "cnn.onnx" and back[0].stroke_model.path == SHIPPED / "strokes.onnx"


def test_a_cnn_whose_own_stroke_model_is_damaged_gives_way_to_the_shipped_pair(config, caplog):
    from kiosk.recognition.recognizer import model_version
    from kiosk.recognition.stroke_model import paired_file

    teach(config, "cnn-e4.onnx")
    taught = config.taught_model_dir / "cnn.onnx"
    paired_file(config.taught_model_dir, model_version(taught.read_bytes())).write_bytes(b"damaged")
    [cnn, *_] = load_recognizers(config)
    assert cnn.path == SHIPPED / "cnn.onnx" and cnn.stroke_model.path == SHIPPED / "strokes.onnx", \
        "never a CNN with a stroke model it was not judged with"
    assert "does not load" in caplog.text
