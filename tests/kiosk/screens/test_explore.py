"""The settings explorer: the grid comes from the manifest; one setting changes at a time."""

import pygame
import pytest

from conftest import PROJECT_ROOT
from kiosk.recognition import explorer_grid
from kiosk.language.phrases import Phrases
from kiosk.input import PointerDown
from kiosk.screens.explore import ExploreScreen
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import NavBar

MODELS = PROJECT_ROOT / "exported_models"


def test_grid_has_three_values_per_setting_for_each_kind():
    grids = explorer_grid.load(MODELS)
    assert set(grids) == {"cnn", "mlp"}
    for grid in grids.values():
        for axis in explorer_grid.AXES:
            assert len(grid.axes[axis]) >= 3 and grid.centre[axis] in grid.axes[axis]
            assert all(m.file.is_file() for m in grid.axes[axis].values())
    assert grids["cnn"].model_for("max_epochs", 15).file.name == "cnn.onnx"
    assert grids["mlp"].model_for("learning_rate", 1.0).mnist_accuracy < 0.2  # the lesson: too high fails


def test_missing_or_broken_manifest_gives_an_empty_explorer(tmp_path):
    assert explorer_grid.load(tmp_path) == {}
    (tmp_path / "MANIFEST.json").write_text("{ not json")
    assert explorer_grid.load(tmp_path) == {}


@pytest.fixture
def screen():
    pygame.display.init()
    pygame.font.init()
    theme = Theme(800, 480)
    panel = pygame.Rect(420, 60, 370, 410)
    yield ExploreScreen(
        explorer_grid.load(MODELS), theme, NavBar(pygame.Rect(420, 10, 370, 36), Phrases("en")), panel, Phrases("en")
    )
    pygame.display.quit()


def test_choosing_a_value_changes_only_that_setting_and_the_model_answers(screen):
    screen.enter([[(100, 50), (100, 350)]])
    assert screen.model.file.name == "cnn-e4.onnx" and screen.answer is not None
    screen.select("learning_rate", 1.0)
    assert screen.model.file.name == "cnn-lr1.onnx"
    screen.select("dropout_rate", 0.0)  # the learning rate goes back to "about right"
    assert screen.model.settings["learning_rate"] == 0.001 and screen.model.settings["dropout_rate"] == 0.0
    screen.select("kind", "mlp")  # "no dropout" stays "no dropout" in the MLP's grid
    assert screen.model.file.name == "mlp128-dropout0.onnx"
    screen.select("max_epochs", 15 if 15 in screen.grids["mlp"].axes["max_epochs"] else 25)
    screen.select("kind", "cnn")  # the longest training stays the longest
    assert screen.model.file.name == "cnn.onnx"


def test_buttons_and_tabs_respond_to_taps(screen):
    screen.enter([])
    surface = pygame.Surface((800, 480))
    screen.draw(surface)
    button, action = next((b, a) for b, a in screen._value_buttons() if a == ("max_epochs", 15))
    screen.handle(PointerDown(*button.rect.center))
    assert screen.model.file.name == "cnn.onnx"
    screen.handle(PointerDown(*screen.nav.tabs[0][1].center))
    assert screen.next_screen == "draw"
    screen.draw(surface)  # no drawing: a hint instead of an answer, and no crash


def manifest_with(tmp_path, change):
    """The shipped manifest with change(entry) applied to every model's metadata, in a folder of its own."""
    import json
    import shutil

    manifest = json.loads((MODELS / "MANIFEST.json").read_text())
    for entry in manifest["models"].values():
        change(entry["metadata"])
    (tmp_path / "MANIFEST.json").write_text(json.dumps(manifest))
    for name in manifest["models"]:
        if (MODELS / name).is_file():
            shutil.copy(MODELS / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("change", [
    lambda meta: meta.get("history", [{}])[0].update(val_accuracy=1e308),  # raised OverflowError drawing the curve
    lambda meta: meta.get("history", [{}])[0].update(val_accuracy=float("nan")),
    lambda meta: meta.get("history", [{}])[0].update(val_accuracy=-3.0),
    lambda meta: meta.update(history=[{"val_accuracy": 0.5}] * 5_000),
    lambda meta: meta.update(mnist_test_accuracy=1e308, drawn_dev_accuracy=float("-inf")),
], ids=["history 1e308", "history NaN", "history negative", "5,000 epochs", "accuracy 1e308"])
def test_manifest_numbers_out_of_range_are_left_out_and_the_explorer_draws(tmp_path, change):
    grids = explorer_grid.load(manifest_with(tmp_path, change))
    assert set(grids) == {"cnn", "mlp"}
    for grid in grids.values():
        for model in (m for values in grid.axes.values() for m in values.values()):
            assert model.mnist_accuracy is None or 0 <= model.mnist_accuracy <= 1
            assert len(model.history) <= explorer_grid.MAX_HISTORY
            assert all(0 <= h["val_accuracy"] <= 1 for h in model.history)
    pygame.display.init()
    pygame.font.init()
    try:
        theme, panel = Theme(800, 480), pygame.Rect(420, 60, 370, 410)
        screen = ExploreScreen(grids, theme, NavBar(pygame.Rect(420, 10, 370, 36), Phrases("en")), panel,
                               Phrases("en"))
        screen.enter([[(100, 50), (100, 350)]])
        screen.draw(pygame.Surface((800, 480)))
    finally:
        pygame.display.quit()


@pytest.mark.parametrize("change", [
    lambda meta: meta.setdefault("train_settings", {}).update(learning_rate=1e308),
    lambda meta: meta.setdefault("train_settings", {}).update(dropout_rate="a lot"),
    lambda meta: meta.setdefault("train_settings", {}).update(max_epochs=float("nan")),
], ids=["learning rate 1e308", "dropout a word", "epochs NaN"])
def test_a_setting_out_of_range_leaves_the_model_out_of_the_grid(tmp_path, change):
    assert explorer_grid.load(manifest_with(tmp_path, change)) == {}, "every model changed: none is left"


def test_a_manifest_nested_too_deep_gives_an_empty_explorer(tmp_path):
    (tmp_path / "MANIFEST.json").write_text("[" * 100_000 + "]" * 100_000)
    assert explorer_grid.load(tmp_path) == {}


def test_the_explorer_orders_and_names_the_settings_as_the_settings_screen_does(screen):
    from kiosk.ui.text import recording_text

    assert [kind for _, (_, kind) in screen.buttons] == ["mlp", "cnn"], "MLP then CNN, as on the Settings screen"
    with recording_text() as texts:
        screen.draw(pygame.Surface((800, 480)))
    shown = {t.text for t in texts}
    phrases = Phrases("en")
    for axis in explorer_grid.AXES:
        assert phrases.text(f"live.axis.{axis}") in shown, f"the child's words for {axis}"
    assert not shown & {"Dropout Rate", "Learning Rate", "Max Epochs"}
