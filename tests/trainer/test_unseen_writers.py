"""The shipped kiosk measured only on writers its models never trained on."""
import numpy as np
import pytest

from conftest import PROJECT_ROOT
from trainer import drawings, unseen_writers


def test_the_shipped_models_name_the_writers_they_trained_on():
    seen = unseen_writers.trained_writers(PROJECT_ROOT / "exported_models")
    assert seen and all(w.count("/") == 1 for w in seen), "cnn.onnx and the gate record 'site/writer' names"


@pytest.mark.slow  # the kiosk answers three writers' drawings and letters: a second or two of CPU
def test_no_drawing_by_a_trained_on_writer_is_measured(drawn_dir, drawn_letters_dir, monkeypatch):
    digits, letters = drawings.load_digits(drawn_dir), drawings.load_letters(drawn_letters_dir)
    kept = set(sorted(set(digits.writers))[:3])  # pretend the models trained on every writer but three
    everyone = set(digits.writers) | set(letters.writers)
    monkeypatch.setattr(unseen_writers, "trained_writers", lambda model_dir: everyone - kept)
    measured = []
    real = unseen_writers.kiosk_answers

    def spy(recognizers, drawn, seed):
        measured.append(set(drawn.writers))
        return real(recognizers, drawn, seed)

    monkeypatch.setattr(unseen_writers, "kiosk_answers", spy)
    result = unseen_writers.report(None, drawn_dir, drawn_letters_dir)
    assert measured and all(writers <= kept for writers in measured), "only the unseen writers are answered"
    assert result["digits"] == int(np.isin(digits.writers, list(kept)).sum())
    assert 0.0 <= result["wrong"] <= 1.0 and abs(result["right"] + result["not_sure"] + result["wrong"] - 1) < 1e-9


def test_a_set_every_writer_trained_on_is_refused(drawn_dir, drawn_letters_dir, monkeypatch):
    from trainer.errors import DataError

    everyone = set(drawings.load_digits(drawn_dir).writers) | set(drawings.load_letters(drawn_letters_dir).writers)
    monkeypatch.setattr(unseen_writers, "trained_writers", lambda model_dir: everyone)
    with pytest.raises(DataError, match="no unseen writer"):
        unseen_writers.report(None, drawn_dir, drawn_letters_dir)
