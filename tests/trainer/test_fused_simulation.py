"""The retraining simulation's measure of what a child hears: the CNN fused with the stroke model it is paired with."""
import shutil
from types import SimpleNamespace

import numpy as np

from conftest import PROJECT_ROOT
from kiosk.recognition.recognizer import model_version
from kiosk.recognition.stroke_model import paired_file
from trainer.fused_simulation import FusedMeasure, stroke_writers

SHIPPED = PROJECT_ROOT / "exported_models"


def test_the_pair_the_kiosk_runs_after_the_night_is_measured(tmp_path, drawn_dir):
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load(drawn_dir)
    picks = np.arange(0, len(drawn.labels), len(drawn.labels) // 40)[:40]
    models = tmp_path / "models"
    models.mkdir()
    for name in ("cnn.onnx", "strokes.onnx"):
        shutil.copy(SHIPPED / name, models / name)
    images = drawn_digits.to_images(drawn_digits.DrawnDigits([drawn.strokes[i] for i in picks], drawn.labels[picks],
                                                             drawn.writers[picks]))
    measure = FusedMeasure.of(SimpleNamespace(strokes=SHIPPED / "strokes.onnx"), models / "cnn.onnx",
                              [drawn.strokes[i] for i in picks], images, drawn.labels[picks])
    assert measure.before() >= 0.95
    unchanged = measure.after(tmp_path)  # nothing promoted: the kiosk runs what it ran
    assert unchanged["new_children_fused_change"]["worse"] == 0 and not unchanged["strokes_retrained"]
    taught = tmp_path / "data" / "models"
    taught.mkdir(parents=True)
    shutil.copy(SHIPPED / "cnn.onnx", taught / "cnn.onnx")
    shutil.copy(SHIPPED / "strokes.onnx", paired_file(taught, model_version((taught / "cnn.onnx").read_bytes())))
    assert measure.after(tmp_path)["strokes_retrained"], "a promoted CNN is measured with its own stroke model"
    assert len(stroke_writers(SHIPPED / "strokes.onnx")) >= 100 and stroke_writers(None) == set()
