"""The App and its screens keep one contract: a typed transition, leave() on the screen left, enter() with
the hand-over on the next, reset() on every screen for a new visitor; screen names are their tabs' names."""

import pygame

from kiosk.input import PointerDown, PointerMove, PointerUp
from kiosk.screens.base import Screen, Transition
from kiosk.ui.widgets import NavBar


class Recording(Screen):
    """A screen that notes what the App did to it."""

    def __init__(self, name, nav):
        self.name, self.nav, self.calls = name, nav, []

    def enter(self, strokes=None):
        self.calls.append(("enter", strokes))

    def leave(self):
        self.calls.append(("leave",))

    def reset(self):
        self.calls.append(("reset",))

    def draw(self, surface):
        surface.fill((0, 0, 0))


def draw_a_one(app):
    draw = app.screens["draw"]
    c = draw.canvas
    draw.handle(PointerDown(c.centerx, c.y + 30))
    draw.handle(PointerMove(c.centerx, c.bottom - 30))
    draw.handle(PointerUp(c.centerx, c.bottom - 30))
    return draw


def test_screen_names_are_their_tabs_names(app):
    assert NavBar.TABS == ("draw", "game", "examples", "learn", "settings")
    assert all(app.screens[tab].name == tab for tab in NavBar.TABS), "the Settings tab is the screen named settings"
    assert {name for name, screen in app.screens.items() if screen.name != name} == set()


def test_a_transition_is_typed_and_taken_once():
    screen = Recording("learn", None)
    screen.go("draw", strokes=[[(1.0, 2.0)]])
    assert screen.take_transition() == Transition("draw", [[(1.0, 2.0)]]) and screen.take_transition() is None


def test_every_switch_leaves_one_screen_and_enters_the_next_with_the_childs_drawing(app):
    learn = app.screens["learn"] = Recording("learn", app.screens["draw"].nav)
    draw = draw_a_one(app)
    draw.go("learn")
    app.frame(20)
    assert app.screen is learn and learn.calls == [("enter", draw.handover())]
    learn.go("examples", strokes=[[(5.0, 5.0)]])  # screens like Learn answer the child's drawing, never another's
    app.frame(20)
    assert learn.calls[-1] == ("leave",) and app.screen is app.screens["examples"]


def test_the_grown_ups_corner_leaves_the_screen_like_any_switch(app):
    learn = app.screens["learn"] = Recording("learn", app.screens["draw"].nav)
    app.screen.go("learn")
    app.frame(20)
    width, height = app.surface.get_size()
    x, y = app.theme.admin_zone.center
    pygame.event.post(
        pygame.event.Event(
            pygame.FINGERDOWN, x=x / width, y=y / height, dx=0.0, dy=0.0, finger_id=0, touch_id=0, pressure=1.0
        )
    )
    for _ in range(70):
        app.frame(50)
    assert app.screen is app.screens["admin"] and learn.calls[-1] == ("leave",)


def test_a_new_visitor_resets_every_screen(app_factory):
    app = app_factory(idle_timeout_s=10)
    learn = app.screens["learn"] = Recording("learn", app.screens["draw"].nav)
    for _ in range(210):
        app.frame(50)
    assert ("reset",) in learn.calls and app.screen is app.screens["draw"] and app.screen.attract_ms is not None


def test_a_changed_settings_file_reaches_the_screens(app, tmp_path):
    from dataclasses import replace

    settings = tmp_path / "kiosk.toml"
    settings.write_text("auto_recognize_delay_ms = 700\n", encoding="utf-8")
    app.options = replace(app.options, config_path=settings)
    assert app.reload_settings()
    draw = draw_a_one(app)
    for _ in range(35):  # 700 ms
        app.frame(20)
    assert draw.prediction is not None and draw.prediction.best == 1, "answered after the new, shorter wait"
