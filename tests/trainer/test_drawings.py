"""Real drawings for training and measuring: loaded, kept apart by writer, and varied as another hand would."""
import numpy as np
import pytest

from trainer import drawings, not_digits
from trainer.errors import DataError


def test_both_sets_load_with_their_writers(drawn_dir, drawn_letters_dir):
    digits, letters = drawings.load_digits(drawn_dir), drawings.load_letters(drawn_letters_dir)
    # Properties, not counts: the sets grow (13 writers, then 146) and the tests must hold on any release.
    assert set(digits.labels.tolist()) == set(range(10)), "every digit is there"
    for writer in np.unique(digits.writers):
        assert writer.count("/") == 1 and all(writer.split("/")), f"{writer!r} is not 'site/writer'"
    assert len(np.unique(np.char.partition(digits.writers.astype(str), "/")[:, 0])) >= 2, "more than one site"
    assert set(letters.characters()) >= set(drawings.NOT_DIGIT_LIKE), "every letter that looks like no digit"
    assert set(digits.writers) <= set(letters.writers), "every digit writer also wrote letters"
    # A letter writer with no digits is only ever trained on: no digit fold can hold them out, so none leaks.
    strangers = set(letters.writers) - set(digits.writers)
    assert len(strangers) <= 0.05 * len(set(letters.writers)), f"letters mostly by the digits' writers: {strangers}"


def test_folds_split_writers_never_drawings(drawn_dir):
    writers = drawings.load_digits(drawn_dir).writers
    folds = drawings.writer_folds(writers, 4)
    assert set().union(*folds) == set(writers), "every writer in a fold"
    assert sum(len(f) for f in folds) == len(set(writers)), "no writer split across folds"
    sizes = [np.isin(writers, list(f)).sum() for f in folds]
    assert sum(sizes) == len(writers), "every drawing in exactly one fold"
    largest_writer = np.unique(writers, return_counts=True)[1].max()
    assert max(sizes) - min(sizes) <= largest_writer, "folds balanced to within one writer's drawings"


def test_a_fold_trains_on_other_writers_only(drawn_dir, drawn_letters_dir, monkeypatch):
    from trainer import crossval, drawn_training

    digits, letters = drawings.load_digits(drawn_dir), drawings.load_letters(drawn_letters_dir)
    held_out = drawings.writer_folds(digits.writers, 4)[1]
    seen = {}

    class Stop(Exception):
        pass

    def record_cnn(base, images, labels, drawn, settings, styled_images=None):
        seen["cnn"] = set(drawn.writers)
        return base

    def record_gate(images, drawn, letters, settings, styled_images=None):
        seen["gate"] = set(drawn.writers) | set(letters.writers)
        raise Stop

    monkeypatch.setattr(drawn_training, "mnist_only_base", lambda path: (object(), None, {}, b""))
    monkeypatch.setattr(drawn_training, "finetune_cnn", record_cnn)
    monkeypatch.setattr(drawn_training, "train_gate", record_gate)
    empty = np.zeros((0, 28, 28), np.uint8)
    with pytest.raises(Stop):
        crossval.run_fold(1, held_out, (digits, letters, empty, np.zeros(0), empty, np.zeros(0), None), None, None)
    assert seen["cnn"] and not seen["cnn"] & held_out and not seen["gate"] & held_out


def test_jitter_changes_the_shape_but_keeps_a_drawing(drawn_dir):
    digits = drawings.load_digits(drawn_dir)
    digits = digits.subset(np.arange(len(digits)) < 40)
    rng = np.random.default_rng(0)
    plain, varied = drawings.images(digits, rng, strength=0), drawings.images(digits, rng, copies=2)
    assert plain.shape == (40, 28, 28) and varied.shape == (80, 28, 28)
    assert all(image.any() for image in varied), "no drawing jittered away"
    assert np.abs(plain.astype(int) - varied[:40]).mean() > 5, "the copies really differ from the drawings"


def test_not_numbers_are_drawn_as_the_kiosk_draws(tmp_path):
    rng = np.random.default_rng(0)
    for maker in not_digits.SHAPES:
        image = drawings.images(drawings.Drawings([not_digits._unit(maker(rng))], np.zeros(1), np.array(["x"])), rng)[0]
        assert image.any() and image.max() > 200, maker.__name__
    fonts = np.stack([not_digits.font_letter_image(rng) for _ in range(20)])
    assert fonts.shape == (20, 28, 28) and all(f.any() for f in fonts)
    ink = (fonts > 127).mean()
    assert 0.05 < ink < 0.25, f"a pen's width, not a brush's ({ink:.3f})"


def test_a_missing_set_says_which_variable_to_set(tmp_path):
    with pytest.raises(DataError, match="DRAWN_LETTERS_DIR"):
        drawings.load_letters(tmp_path)


@pytest.mark.slow
def test_a_tiny_training_gives_a_gate_the_kiosk_loads(tmp_path, mnist_data, drawn_dir, drawn_letters_dir):
    from kiosk.recognition import model_contract as contract
    from kiosk.recognition.gate import NotDigitGate
    from kiosk.recognition.preprocess import to_model_input
    from trainer import drawn_training

    digits, letters = drawings.load_digits(drawn_dir), drawings.load_letters(drawn_letters_dir)
    few = drawn_training.DrawnSettings(gate_epochs=1, gate_positives_mnist=300, gate_letter_copies=1, gate_shapes=300,
                                       drawn_copies=1)
    gate = drawn_training.train_gate(mnist_data.train_images, digits.subset(np.arange(len(digits)) < 200),
                                     letters.subset(np.arange(len(letters)) < 600), few, log=lambda *a: None)
    data = drawn_training.gate_to_onnx_bytes(gate, drawn_training.gate_metadata(few, ["a/b"], {}))
    batch = to_model_input(mnist_data.test_images[:100])
    assert drawn_training.check_gate_parity(gate, data, batch) <= 1e-5
    (tmp_path / contract.GATE_FILE).write_bytes(data)
    assert 0.0 <= NotDigitGate(tmp_path / contract.GATE_FILE).not_digit(mnist_data.test_images[0]) <= 1.0


def test_a_fine_tuned_cnn_is_refused_as_a_base():
    from conftest import PROJECT_ROOT
    from trainer import drawn_training
    from trainer.errors import TrainerError

    with pytest.raises(TrainerError, match="already fine-tuned"):  # the shipped CNN has seen every dev writer
        drawn_training.mnist_only_base(PROJECT_ROOT / "exported_models" / "cnn.onnx")
