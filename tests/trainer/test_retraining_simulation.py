"""digit-kiosk-trainer simulate-retraining: new children must be measured from a model that never saw them."""

import numpy as np
import pytest


def test_only_writers_the_base_never_trained_on_teach_or_are_measured():
    from trainer import retraining_simulation as simulation
    from trainer.errors import DataError

    writers = np.array(["gmd/a", "gmd/a", "ced/b", "ced/c", "tos/d", "tos/d", "imp/e", "imp/f", "uqb/g"])
    every, teaching = simulation.split_writers(writers, {"gmd/a", "uqb/g"}, np.random.default_rng(0))
    assert every == {"ced/b", "ced/c", "tos/d", "imp/e", "imp/f"} and len(teaching) == 2 and teaching < every
    with pytest.raises(DataError, match="fewer than 2 are left"):
        simulation.split_writers(writers, set(writers.tolist()) - {"ced/b"}, np.random.default_rng(0))


def test_the_shipped_cnn_is_the_default_base_and_its_writers_are_named_by_its_metadata():
    from kiosk.config import shipped_dir
    from trainer.unseen_writers import trained_writers

    # the simulation leaves out every writer the shipped models trained on; they must say who they were
    assert trained_writers(shipped_dir("models")), "the shipped CNN's metadata names the writers it trained on"


def test_the_borderline_prank_labels_new_1s_first_then_copies_which_count_once(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from kiosk.teaching.feedback_store import FeedbackStore
    from trainer import retraining_simulation as simulation

    drawn = SimpleNamespace(strokes=[[[(0.0, 0.0), (3.0, 9.0 + i)]] for i in range(10)], labels=np.ones(10, int))
    borderline = [4, 2, 7]  # the night's model reads these as 1 but gives 7 at least 2%

    class Recognizer:
        version = "v"

        def __init__(self, path):
            pass

        def recognize(self, strokes):
            return SimpleNamespace(image=np.zeros((28, 28), np.uint8), digit=1)

    monkeypatch.setattr(simulation, "Recognizer", Recognizer)
    monkeypatch.setattr(simulation, "borderline_ones", lambda drawn, teaching, model: list(borderline))
    store, pranked = FeedbackStore(tmp_path), []
    sim = simulation.Simulation(borderline=7)
    assert simulation._borderline_prank(sim, drawn, np.arange(10), tmp_path / "m.onnx", store, pranked, 0) == 7
    assert pranked == [4, 2, 7, 4, 2, 7, 4], "each borderline 1 once, then copies (No -> 7 pressed again)"
    assert sorted(r.label for r in store.load()) == [7, 7, 7], "copies replace: one drawing counts once"
    borderline.append(9)  # the next night's model has one new borderline 1
    simulation._borderline_prank(simulation.Simulation(borderline=2), drawn, np.arange(10), tmp_path, store, pranked, 1)
    assert pranked[-2:] == [9, 9] and len(store.load()) == 4
