"""The settings explorer: pick how many dots to forget, the step size and the rounds; see what that model learned."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import colours
from kiosk.errors import EmptyDrawing, ModelLoadError
from kiosk.recognition.explorer_grid import AXES, Grid, GridModel
from kiosk.input import PointerDown, PointerEvent
from kiosk.language.phrases import Phrases
from kiosk.recognition.recognizer import Prediction, Recognizer
from kiosk.screens.base import Screen
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import (
    Button,
    NavBar,
    draw_learning_curve,
    draw_paragraph,
    draw_probability_bars,
    draw_text,
    wrap_lines,
)

log = logging.getLogger(__name__)
KIND_ORDER = ("mlp", "cnn")  # as on the Settings screen: the simpler model first
# What each setting means, in words a child can follow (phrase "explore.explain.<axis>"); shown for the
# setting last touched, or "none" before any.


class ExploreScreen(Screen):
    """One setting changes at a time, from the trained grid; the chosen model answers the child's drawing."""

    name = "full_training"  # behind the Settings tab's "Full training" button (the Settings tab stays lit here)

    def __init__(self, grids: dict[str, Grid], theme: Theme, nav: NavBar, panel: pygame.Rect, phrases: Phrases):
        self.grids, self.theme, self.nav, self.panel, self.phrases = grids, theme, nav, panel, phrases
        self.kind = "cnn" if "cnn" in grids else next(iter(grids), "")
        self.choice: tuple[str, object] | None = None  # (axis, value) changed from the centre
        self.last_touched: str | None = None
        self.strokes: list = []
        self.answer: Prediction | None = None
        self._recognizers: dict[str, Recognizer] = {}
        self.buttons: list[tuple[Button, tuple]] = []
        self._value_button_cache: dict[str, list[tuple[Button, tuple]]] = {}
        self._layout()

    def reset(self) -> None:
        """The next visitor starts from the middle of the grid, with the CNN."""
        self.kind = "cnn" if "cnn" in self.grids else next(iter(self.grids), "")
        self.choice = None

    def enter(self, strokes: list | None = None) -> None:
        """Arrive with the child's current drawing (possibly empty)."""
        self.strokes = strokes or []
        self._answer()

    def _layout(self) -> None:
        t, m = self.theme, self.theme.margin
        left = settings_column(t, self.nav, self.panel)
        touch_h = t.touch[1]
        self.label_h = t.font(1.7).get_linesize()
        # In portrait the words that explain a setting go in the result panel: above the tabs there is room
        # only for the buttons.
        explain_h = 0 if t.portrait else 3 * t.font(1.6, bold=False).get_linesize()
        spare = max(0, left.height - (touch_h + m + 3 * (self.label_h + touch_h + m) + explain_h))
        self.row_button_h = min(touch_h + spare // 4, t.button_height)  # finger-sized, more where there is room
        self.left = left
        self.buttons = []
        kinds = [k for k in KIND_ORDER if k in self.grids] + sorted(set(self.grids) - set(KIND_ORDER))
        for i, kind in enumerate(kinds):
            width = (left.width - m * (len(kinds) - 1)) // max(1, len(kinds))
            rect = pygame.Rect(left.x + i * (width + m), left.y, width, self.row_button_h)
            self.buttons.append((Button(kind.upper(), rect, colours.BAR), ("kind", kind)))
        self.rows_top = left.y + self.row_button_h + m
        self.row_h = self.label_h + self.row_button_h + m

    def _value_buttons(self) -> list[tuple[Button, tuple]]:
        # Built once per model kind: the layout does not change from frame to frame.
        if self.kind not in self._value_button_cache:
            self._value_button_cache[self.kind] = self._build_value_buttons()
        return self._value_button_cache[self.kind]

    def _build_value_buttons(self) -> list[tuple[Button, tuple]]:
        grid, m = self.grids.get(self.kind), self.theme.margin
        if grid is None:
            return []
        buttons = []
        for row, axis in enumerate(AXES):
            values = list(grid.axes[axis])
            y = self.rows_top + row * self.row_h + self.label_h
            width = (self.left.width - m * (len(values) - 1)) // max(1, len(values))
            for i, value in enumerate(values):
                rect = pygame.Rect(self.left.x + i * (width + m), y, width, self.row_button_h)
                buttons.append((Button(format_setting(value), rect, colours.RECOGNIZE), (axis, value)))
        return buttons

    @property
    def model(self) -> GridModel | None:
        grid = self.grids.get(self.kind)
        if grid is None:
            return None
        return grid.model_for(*self.choice) if self.choice else grid.centre_model()

    def setting(self, axis: str):
        grid = self.grids[self.kind]
        return self.choice[1] if self.choice and self.choice[0] == axis else grid.centre[axis]

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        buttons = self.buttons + self._value_buttons() if self.grids else []
        return self.nav.targets() + [(f"{axis} {value}", button.rect) for button, (axis, value) in buttons]

    def handle(self, event: PointerEvent) -> None:
        if not isinstance(event, PointerDown) or self.follow_tab(event):
            return
        for button, action in self.buttons + self._value_buttons():
            if button.hit(event.x, event.y):
                self.select(*action)
                return

    def select(self, axis: str, value) -> None:
        """Choose a model kind, or one setting's value (the others go back to "about right")."""
        self.last_touched = axis
        if axis == "kind":
            # Keep the child's choice where it is ("the high learning rate"), in the other grid's values.
            old_grid, self.kind = self.grids[self.kind], value
            if self.choice:
                changed, old_value = self.choice
                position = list(old_grid.axes[changed]).index(old_value)
                values = list(self.grids[value].axes[changed])
                new_value = values[min(position, len(values) - 1)]
                self.choice = None if new_value == self.grids[value].centre[changed] else (changed, new_value)
        else:
            grid = self.grids[self.kind]
            self.choice = None if value == grid.centre[axis] else (axis, value)
        self._answer()

    def _answer(self) -> None:
        model = self.model
        self.answer = None
        if model is None or not self.strokes:
            return
        try:
            recognizer = self._recognizers.get(str(model.file)) or Recognizer(model.file)
            self._recognizers[str(model.file)] = recognizer
            self.answer = recognizer.recognize(self.strokes)
        except (ModelLoadError, EmptyDrawing) as error:
            log.warning("explorer: %s", error)

    def draw(self, surface: pygame.Surface) -> None:
        t = self.theme
        surface.fill(colours.BACKGROUND)
        self.nav.draw(surface, t, "settings")
        if not self.grids:
            draw_text(surface, self.phrases.text("explore.missing"), t.font(2), colours.TEXT, surface.get_rect().center)
            return
        for button, (_, kind) in self.buttons:
            button.colour = colours.BAR_BEST if kind == self.kind else colours.BAR_TRACK
            button.text_colour = colours.BUTTON_TEXT if kind == self.kind else colours.TEXT
            button.draw(surface, t)
        for row, axis in enumerate(AXES):
            y = self.rows_top + row * self.row_h + self.label_h // 2
            draw_text(
                surface,
                self.phrases.text(f"live.axis.{axis}"),  # the Settings screen's words for the same setting
                t.font(1.7),
                colours.TEXT,
                (self.left.centerx, y),
                max_width=self.left.width,
            )
        for button, (axis, value) in self._value_buttons():
            selected = value == self.setting(axis)
            button.colour = colours.BAR_BEST if selected else colours.BAR_TRACK
            button.text_colour = colours.BUTTON_TEXT if selected else colours.TEXT
            button.draw(surface, t, self.phrases.decimal(button.label))
        if not self.theme.portrait:
            self._draw_explanation(surface)
        self._draw_result(surface)

    def _draw_explanation(self, surface: pygame.Surface) -> None:
        t = self.theme
        top = self.rows_top + 3 * self.row_h
        area = pygame.Rect(self.left.x, top, self.left.width, self.left.bottom - top)
        font = t.font(1.6, bold=False)
        text = self.phrases.text(f"explore.explain.{self.last_touched or 'none'}")
        fits = max(1, area.height // font.get_linesize())  # past that it is squeezed, and the layout test says so
        lines = min(fits, len(wrap_lines(text, font, area.width)))
        draw_paragraph(
            surface,
            text,
            font,
            colours.TEXT,
            pygame.Rect(area.x, area.y, area.width, lines * font.get_linesize()),
            max_lines=fits,
        )

    def _draw_result(self, surface: pygame.Surface) -> None:
        t, panel, model, tr = self.theme, self.panel, self.model, self.phrases.text
        mnist = self.phrases.percent(model.mnist_accuracy) if model.mnist_accuracy is not None else "?"
        drawn = self.phrases.percent(model.drawn_accuracy) if model.drawn_accuracy is not None else "?"
        y = panel.y + t.unit // 2
        y = self._paragraph(surface, tr("explore.right_on", accuracy=mnist), t.font(2.2), colours.TEXT, y)
        y = self._paragraph(
            surface, tr("explore.and_drawn", accuracy=drawn), t.font(1.7, bold=False), colours.SOFT_TEXT, y
        )
        if t.portrait:
            y = self._paragraph(
                surface,
                tr(f"explore.explain.{self.last_touched or 'none'}"),
                t.font(1.6, bold=False),
                colours.TEXT,
                y,
                lines=3,
            )
        small = t.font(1.3, bold=False).get_linesize()
        curve = pygame.Rect(
            panel.x,
            y + t.unit // 2,
            panel.width,
            max(panel.height // 4 if t.portrait else panel.height // 3, small * 5),
        )
        draw_learning_curve(surface, curve, model.history, t, self.phrases)
        below = curve.bottom + t.unit // 2
        if self.answer is None:
            self._paragraph(
                surface, tr("explore.draw_to_test"), t.font(1.6, bold=False), colours.SOFT_TEXT, below, lines=3
            )
            return
        said = str(self.answer.digit) if self.answer.digit is not None else "?"
        below = self._paragraph(surface, tr("explore.says", digit=said), t.font(2.4), colours.BAR_BEST, below)
        bars = pygame.Rect(panel.x, below + t.unit // 2, panel.width, panel.bottom - below - t.unit // 2)
        draw_probability_bars(surface, bars, self.answer.probabilities, self.answer.digit, t)

    def _paragraph(self, surface, text: str, font, colour, top: int, lines: int = 2) -> int:
        """Wrapped words across the result panel from top; returns where the next thing may start."""
        used = min(lines, len(wrap_lines(text, font, self.panel.width)))
        box = pygame.Rect(self.panel.x, top, self.panel.width, font.get_linesize() * used)
        draw_paragraph(surface, text, font, colour, box, max_lines=lines)
        return box.bottom


def settings_column(theme: Theme, nav: NavBar, panel: pygame.Rect) -> pygame.Rect:
    """Where setting buttons go: beside the result in landscape, above the tabs in portrait (as the canvas does)."""
    m = theme.margin
    if theme.portrait:
        return pygame.Rect(m, m, theme.width - 2 * m, nav.rect.y - 2 * m)
    return pygame.Rect(m, m, theme.width - panel.width - 3 * m, theme.height - 2 * m)


def format_setting(value) -> str:
    """A setting's value as a button shows it (0.00001, not 1e-05)."""
    if isinstance(value, float) and 0 < value < 0.001:
        return f"{value:.5f}".rstrip("0")  # 0.00001 rather than 1e-05: children read decimals
    return f"{value:g}"
