"""Example digits: the same number written different ways, and what the computer reads in each."""

from __future__ import annotations

import pygame

from kiosk.ui import colours
from kiosk.recognition.example_digits import EXAMPLES
from kiosk.input import PointerDown, PointerEvent
from kiosk.language.phrases import Phrases
from kiosk.recognition.recognizer import Prediction, Recognizer, recognize_all
from kiosk.screens.base import Screen
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Button, NavBar, draw_paragraph, draw_probability_bars, draw_text, render_ink, wrap_lines

EXAMPLE_SHARE = 0.66  # of the drawing canvas: an example handed over is drawn as big as a child would


class ExamplesScreen(Screen):
    """A wall of example digits; tap one to see the computer read it, or to draw it yourself."""

    name = "examples"

    def __init__(
        self,
        recognizers: list[Recognizer],
        theme: Theme,
        nav: NavBar,
        panel: pygame.Rect,
        phrases: Phrases,
        say=None,
        canvas_side: int = 450,
    ):
        self.canvas_side = canvas_side  # the drawing screen's canvas, where "Draw it!" puts the example
        self.recognizers, self.theme, self.nav, self.panel, self.phrases = recognizers, theme, nav, panel, phrases
        self.say = say or (lambda phrase_id: None)  # speaks a phrase id (the number's name, for non-readers)
        self.selected: tuple[int, int] | None = None
        self.answer: Prediction | None = None
        m = theme.margin
        area = pygame.Rect(m, m, theme.width - panel.width - 3 * m, theme.height - 2 * m)
        if theme.portrait:
            area = pygame.Rect(m, m, theme.width - 2 * m, nav.rect.y - 2 * m)
        else:  # the wall stops above the grown-ups' corner
            area.height = min(area.height, theme.admin_zone.top - m // 2 - area.y)
        columns, rows = 5, 4
        # Tiles may be taller than wide (digits are), so the wall fills its space instead of leaving a third empty.
        tile_w = (area.width - (columns - 1) * m // 2) // columns
        tile_h = min((area.height - (rows - 1) * m // 2) // rows, int(tile_w * 1.5))
        top = area.y + (area.height - rows * tile_h - (rows - 1) * (m // 2)) // 2
        self.tiles = []
        for i, (digit, style) in enumerate((d, s) for d in EXAMPLES for s in range(len(EXAMPLES[d]))):
            row, col = divmod(i, columns)
            rect = pygame.Rect(area.x + col * (tile_w + m // 2), top + row * (tile_h + m // 2), tile_w, tile_h)
            self.tiles.append((rect, digit, style))
        left = max(panel.x, theme.admin_zone.right + m // 2) if panel.bottom > theme.admin_zone.top else panel.x
        self.try_button = Button(
            "ui.button.draw_it",
            pygame.Rect(left, panel.bottom - theme.button_height, panel.right - left, theme.button_height),
            colours.RECOGNIZE,
        )
        self._ink = {}

    def enter(self, strokes: list | None = None) -> None:
        self.transition = None
        self.say("examples.intro")  # the instruction, once on arrival, for children who cannot read yet

    def handover(self) -> list:
        """The chosen example, in canvas pixels, for the drawing screen to show and read."""
        if self.selected is None:
            return []
        digit, style = self.selected
        size = self.canvas_side * EXAMPLE_SHARE
        offset = (self.canvas_side - size) / 2  # centred on the canvas, at any screen size
        return [[(offset + x * size, offset + y * size) for x, y in s] for s in EXAMPLES[digit][style]]

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        found = self.nav.targets() + [(f"example {digit}.{style}", rect) for rect, digit, style in self.tiles]
        return found + ([("draw it", self.try_button.rect)] if self.selected is not None else [])

    def handle(self, event: PointerEvent) -> None:
        if not isinstance(event, PointerDown):
            return
        if self.follow_tab(event):
            self.selected = None  # leaving by a tab hands nothing over
            return
        if self.selected is not None and self.try_button.hit(event.x, event.y):
            self.go("draw", strokes=self.handover())  # "Draw it!": the example, to draw over
            return
        for rect, digit, style in self.tiles:
            if rect.collidepoint(float(event.x), float(event.y)):
                self.select(digit, style)
                return

    def select(self, digit: int, style: int) -> None:
        self.selected = (digit, style)
        strokes = self.handover()
        self.answer = recognize_all(self.recognizers, strokes)[0]
        self.say(f"digit.{digit}")

    def draw(self, surface: pygame.Surface) -> None:
        t = self.theme
        surface.fill(colours.BACKGROUND)
        self.nav.draw(surface, t, "examples")
        for rect, digit, style in self.tiles:
            chosen = self.selected == (digit, style)
            pygame.draw.rect(surface, colours.CANVAS, rect, border_radius=t.unit // 2)
            pygame.draw.rect(
                surface,
                colours.BAR_BEST if chosen else colours.CANVAS_BORDER,
                rect,
                width=3 if chosen else 2,
                border_radius=t.unit // 2,
            )
            key = (rect.size, digit, style)
            if key not in self._ink:
                side = min(rect.width, rect.height) * 0.8  # a square digit box in the tile: never stretched
                left, top = (rect.width - side) / 2, (rect.height - side) / 2
                strokes = [[(left + x * side, top + y * side) for x, y in s] for s in EXAMPLES[digit][style]]
                self._ink[key] = render_ink(strokes, rect.size, max(3, int(side) // 12))
            surface.blit(self._ink[key], rect.topleft)
        self._draw_panel(surface)

    def _draw_panel(self, surface: pygame.Surface) -> None:
        t, panel, tr = self.theme, self.panel, self.phrases.text
        y = panel.y + t.unit * 2
        if self.answer is None:
            title = f"{tr('examples.title1')} {tr('examples.title2')}"
            font, small = t.font(2.4), t.font(1.7, bold=False)
            box = pygame.Rect(
                panel.x,
                panel.y + t.unit,
                panel.width,
                font.get_linesize() * min(3, len(wrap_lines(title, font, panel.width))),
            )
            draw_paragraph(surface, title, font, colours.TEXT, box, max_lines=3)
            tap = pygame.Rect(panel.x, box.bottom + t.unit, panel.width, small.get_linesize() * 3)
            draw_paragraph(surface, tr("examples.tap"), small, colours.SOFT_TEXT, tap, max_lines=3)
            return
        text = tr("examples.reads", digit=self.answer.digit) if self.answer.digit is not None else tr("examples.unsure")
        draw_text(surface, text, t.font(2.4), colours.TEXT, (panel.centerx, y), max_width=panel.width)
        bars = pygame.Rect(panel.x, y + t.unit * 3, panel.width, panel.height - t.unit * 6 - t.button_height)
        draw_probability_bars(surface, bars, self.answer.probabilities, self.answer.digit, t)
        self.try_button.draw(surface, t, tr(self.try_button.label))
