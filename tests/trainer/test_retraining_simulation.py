"""digit-kiosk-trainer simulate-retraining: new children must be measured from a model that never saw them."""

import subprocess
import sys

from conftest import PROJECT_ROOT


def test_the_shipped_cnn_is_refused_as_a_base_it_has_seen_every_writer(tmp_path, drawn_dir):
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, "-m", "trainer", "simulate-retraining", "--drawings", "10", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert done.returncode == 2 and "fine-tuned on these very writers" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


def test_the_borderline_prank_labels_new_1s_first_then_copies_which_count_once(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import numpy as np

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
