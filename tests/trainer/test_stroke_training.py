"""The stroke model's trainer: the kiosk's own channels, an export the kiosk's contract accepts, and a
cross-validation whose folds never train on the writers (or the site) they answer."""
import json
from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("torch")

from kiosk.recognition import model_contract as contract
from kiosk.recognition.preprocess import clean_strokes
from kiosk.recognition.runtime import ort
from kiosk.recognition.stroke_channels import stroke_channels
from kiosk.errors import ModelLoadError
from kiosk.recognition.stroke_model import StrokeModel, contract_problems
from trainer import drawings, stroke_crossval, stroke_training
from trainer.stroke_training import StrokeSettings

TINY = StrokeSettings(epochs=1, digit_copies=1, letter_copies=1, limit_batches=2, batch_size=16, threads=1)


def few(drawn_dir, count=12):
    digits = drawings.load_digits(drawn_dir)
    return digits.subset(np.arange(len(digits)) < count)


def test_training_sees_the_channels_the_kiosk_makes(drawn_dir):
    digits = few(drawn_dir, 3)
    rendered = stroke_training.render(digits, copies=1, seed=5, strength=0.0)  # placed, not jittered
    rng = np.random.default_rng(5 * 1_000_003 + 0)  # the first drawing's own seed
    kiosk = stroke_channels(clean_strokes(drawings.on_canvas(digits.strokes[0], rng)))[1]
    assert rendered.dtype == np.int8 and rendered.shape == (3, 7, 28, 28)
    assert np.abs(rendered[0] / 127.0 - kiosk).max() <= 0.5 / 127 + 1e-6


@pytest.mark.slow  # torch's ONNX export: seconds
def test_an_exported_stroke_model_fits_the_kiosks_contract_and_agrees_with_torch(drawn_dir, tmp_path):
    digits = few(drawn_dir)
    x = stroke_training.render(digits, 1, seed=0)
    model = stroke_training.fit(x, digits.labels, TINY, log=lambda *_: None)
    rule = {"min_confidence": 0.8}
    data = stroke_training.to_onnx_bytes(model, stroke_training.metadata(TINY, ["ced/a"], rule, {}))
    assert stroke_training.check_parity(model, data, x) <= 1e-5
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    metadata = session.get_modelmeta().custom_metadata_map
    assert contract_problems([(i.name, i.shape) for i in session.get_inputs()],
                             [(o.name, o.shape) for o in session.get_outputs()], metadata) == []
    assert json.loads(metadata[contract.META_DECISION]) == rule
    assert json.loads(metadata[contract.META_TRAINED_ON_WRITERS]) == ["ced/a"]
    # two batches of training read the example digits no better than chance: the kiosk refuses it
    (tmp_path / contract.STROKE_FILE).write_bytes(data)
    with pytest.raises(ModelLoadError, match="example digits"):
        StrokeModel(tmp_path / contract.STROKE_FILE)


@pytest.mark.slow  # reads the letters: half a second
def test_the_site_folds_hold_out_one_whole_site_each(drawn_dir, drawn_letters_dir):
    digits, letters = drawings.load_digits(drawn_dir), drawings.load_letters(drawn_letters_dir)
    groups = stroke_crossval.fold_groups("site", digits, letters, folds=5)
    sites = [{w.split("/")[0] for w in group} for group in groups]
    assert all(len(s) == 1 for s in sites) and len(sites) == len({s.pop() for s in sites}) == 7
    writer_groups = stroke_crossval.fold_groups("writer", digits, letters, folds=5)
    assert len(writer_groups) == 5 and sum(map(len, writer_groups)) == len(set().union(*writer_groups))


@pytest.mark.slow  # twelve tiny trainings on a few writers per site: ~15 s of CPU
def test_crossval_never_answers_a_drawing_with_a_model_that_learned_its_writer(drawn_dir, drawn_letters_dir,
                                                                               tmp_path, monkeypatch):
    from trainer import stroke_report

    monkeypatch.setenv("DRAWN_DIGITS_DIR", str(drawn_dir))
    monkeypatch.setenv("DRAWN_LETTERS_DIR", str(drawn_letters_dir))
    real_pool, real_fit, trained = stroke_crossval.training_pool, stroke_training.fit, []

    def marked_pool(digits, letters, settings):
        pool = real_pool(digits, letters, settings)
        names = sorted(set(pool.writers))
        x = pool.x.copy()
        x[:, 0, 0, 0] = [names.index(w) for w in pool.writers]  # each copy says whose it is
        return stroke_crossval.TrainingPool(x, pool.y, pool.writers), names

    def spy_fit(x, y, settings, device="cpu", log=print):
        trained.append({names[i] for i in np.unique(x[:, 0, 0, 0])})
        return real_fit(x, y, replace(settings, epochs=1, limit_batches=1), device, log)

    names: list[str] = []

    def pool_and_names(digits, letters, settings):
        pool, found = marked_pool(digits, letters, settings)
        names[:] = found
        return pool

    monkeypatch.setattr(stroke_crossval, "training_pool", pool_and_names)
    monkeypatch.setattr(stroke_training, "fit", spy_fit)
    from conftest import PROJECT_ROOT

    settings = replace(TINY, digit_copies=1, letter_copies=1)
    path = stroke_crossval.run(tmp_path, PROJECT_ROOT / "exported_models", 3, settings, "cpu", limit=3,
                               log=lambda *a, **k: None)
    r = dict(np.load(path))
    groups = [*stroke_crossval.fold_groups("writer", *_small(drawn_dir, drawn_letters_dir), 3),
              *stroke_crossval.fold_groups("site", *_small(drawn_dir, drawn_letters_dir), 3)]
    assert len(trained) == len(groups)
    for learned, held in zip(trained, groups):
        assert learned and not learned & held, "a fold trained on a writer it answers"
    for scheme in ("writer", "site"):
        assert np.isfinite(r[f"digits_stroke_{scheme}"]).all()  # every drawing answered by a held-out model
    summary = stroke_report.report(tmp_path, PROJECT_ROOT / "exported_models")
    assert set(summary) >= {"writer", "site", "rule"}
    assert 0 <= summary["site"]["wrong"] <= 1 and json.loads((tmp_path / "summary.json").read_text())["rule"]


def _small(drawn_dir, drawn_letters_dir):
    return (stroke_crossval._small(drawings.load_digits(drawn_dir), 3),
            stroke_crossval._small(drawings.load_letters(drawn_letters_dir), 3))


@pytest.mark.slow  # 150 drawings through the kiosk and through the cross-validation's arrays: a second or two
def test_the_cross_validation_decides_as_the_kiosk_does(drawn_dir):
    """Two paths to one answer: recognize_all on the strokes, and the report's fuse + decide on the arrays."""
    from conftest import PROJECT_ROOT
    from kiosk.config import KioskConfig
    from kiosk.recognition.fusion import decide, fuse
    from kiosk.recognition.model_files import load_recognizers
    from kiosk.recognition.recognizer import Uncertainty, recognize_all

    models = PROJECT_ROOT / "exported_models"
    recognizers = load_recognizers(KioskConfig(model_dir=str(models)))
    stroke_model = recognizers[0].stroke_model
    digits = few(drawn_dir, 150)
    view = stroke_crossval.kiosk_view(digits, seed=3)
    cnn, gate = stroke_crossval.image_answers(models, view.images)
    strokes = stroke_model.run(view.channels.astype(np.float32) / 127.0)
    like = (view.ratio <= Uncertainty().max_path_ratio) & (view.ink <= Uncertainty().max_ink_fraction)
    arrays = decide(fuse(cnn, strokes, stroke_model.rule.stroke_weight), strokes[:, -1], gate[:, 1], like,
                    stroke_model.rule)
    rng = np.random.default_rng(3)
    kiosk = [recognize_all(recognizers, drawings.on_canvas(s, rng))[0].digit for s in digits.strokes]
    assert [-1 if d is None else d for d in kiosk] == arrays.tolist()
