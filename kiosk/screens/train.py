"""Train it yourself: the child picks MLP or CNN and the three seed settings, presses Train, and watches
the network learn, live, on the kiosk's own engine: a curve of how many unseen digits it gets right,
ten test digits turning right or wrong, and its answer to the child's own drawing, changing as it learns.

At the end it says what happened ("I got 96 of 100 right!", "The steps were too big...") and offers
"Try my brain": the draw screen then answers with the model the child just trained.
"""
from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pygame

from kiosk.errors import EmptyDrawing, LearningError, ModelLoadError
from kiosk.input import PointerDown, PointerEvent
from kiosk.language.phrases import Phrases
from kiosk.learning import live_data
from kiosk.learning.live import LiveTraining, check_learned_model, remove_leftovers
from kiosk.learning.live_pacing import PhasePacer
from kiosk.learning.live_protocol import Checking, Done, Failed, Progress
from kiosk.learning.live_settings import (
    ABOUT_RIGHT, DROPOUT_CHOICES, EPOCH_CHOICES, LEARNING_RATE_CHOICES, LiveSettings,
)
from kiosk.recognition.preprocess import strokes_to_image
from kiosk.screens.base import Screen
from kiosk.screens.explore import format_setting, settings_column
from kiosk.ui import colours
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import (
    Button, NavBar, draw_model_view, draw_paragraph, draw_probability_bars, draw_text, wrap_lines,
)

log = logging.getLogger(__name__)
ROWS = (("dropout_rate", DROPOUT_CHOICES), ("learning_rate", LEARNING_RATE_CHOICES), ("max_epochs", EPOCH_CHOICES))


def outcome(done: Done, settings: LiveSettings) -> tuple[str, dict]:
    """What the kiosk says at the end: (phrase id, values)."""
    right = int(round(done.accuracy * 100))
    if done.broke or (settings.learning_rate >= 0.1 and right < 50):
        return "live.too_big", {}
    if right < 80 and settings.learning_rate <= 0.0001:
        return "live.too_small", {"right": right}
    return "live.result", {"right": right}


class TrainScreen(Screen):
    name = "settings"  # the Settings tab: its heart is a training the child watches

    def __init__(self, theme: Theme, nav: NavBar, panel: pygame.Rect, phrases: Phrases, say=None, data_folder=None,
                 say_next=None):
        self.theme, self.nav, self.panel, self.phrases = theme, nav, panel, phrases
        self.say = say or (lambda phrase_id, **values: None)
        self.say_next = say_next or (lambda phrase_id: None)  # said once the current phrase has finished
        self.data_folder = data_folder  # where the learned model is written (the kiosk's data dir)
        if data_folder is not None:
            remove_leftovers(data_folder)  # a learner killed mid-write by the last run of the kiosk
        self.choice = LiveSettings()
        self.training: LiveTraining | None = None
        self.pacer = PhasePacer()  # each phase stays on screen until its line is said, however fast the learner
        self.state = "choosing"  # choosing, learning, done, error
        self.curve: list[tuple[int, float]] = []
        self.progress: Progress | None = None
        self.result: Done | None = None
        self.message_id, self.message_values = "live.pick", {}
        self.child_image: np.ndarray | None = None
        self._strip_images = None
        self._layout()

    def _layout(self) -> None:
        t, m = self.theme, self.theme.margin
        left = settings_column(t, self.nav, self.panel)
        touch_h = t.touch[1]
        self.label_h = t.font(1.7).get_linesize()
        self.buttons: list[tuple[Button, tuple]] = []
        width = (left.width - m) // 2
        for i, kind in enumerate(("mlp", "cnn")):
            rect = pygame.Rect(left.x + i * (width + m), left.y, width, touch_h)
            self.buttons.append((Button(kind.upper(), rect, colours.BAR), ("kind", kind)))
        y = left.y + touch_h + m
        self.row_labels = []
        for axis, values in ROWS:
            self.row_labels.append((axis, y + self.label_h // 2))
            y += self.label_h
            w = (left.width - m * (len(values) - 1)) // len(values)
            for i, value in enumerate(values):
                rect = pygame.Rect(left.x + i * (w + m), y, w, touch_h)
                self.buttons.append((Button(format_setting(value), rect, colours.BAR), (axis, value)))
            y += touch_h + m
        # The big button: Train (Stop while it learns); in portrait it goes under the result, above the corner.
        # "what a full training gives": the precomputed grid, for comparison (bottom right of the panel; in
        # portrait beside the big button, so that its coming and going never moves the pictures above).
        compare_w = t.touch[0] + t.unit
        if t.portrait:
            zone = t.admin_zone
            action = pygame.Rect(zone.right + m, t.height - m - t.button_height,
                                 self.panel.right - zone.right - 2 * m - compare_w, t.button_height)
            compare_y = action.bottom - t.touch[1]
        else:
            action = pygame.Rect(max(left.x, t.admin_zone.right + m), left.bottom - t.button_height,
                                 left.right - max(left.x, t.admin_zone.right + m), t.button_height)
            compare_y = self.panel.bottom - t.touch[1]
        self.action = Button("live.train", action, colours.RECOGNIZE)
        compare = pygame.Rect(self.panel.right - compare_w, compare_y, compare_w, t.touch[1])
        self.compare = Button("live.compare", compare, colours.BAR_TRACK, text_colour=colours.TEXT, icon="chart")
        self.try_button = Button("live.try", pygame.Rect(0, 0, 0, 0), colours.BAR)
        self.left = left

    # --- input ---------------------------------------------------------------------------------
    def enter(self, strokes: list | None = None) -> None:
        """Arrive with the child's drawing: the network will answer it as it learns."""
        try:
            self.child_image = strokes_to_image(strokes) if strokes else None
        except EmptyDrawing:
            self.child_image = None
        if self.state == "choosing":
            self.say("live.pick")  # the instruction, once on arrival, for children who cannot read yet

    def leave(self) -> None:
        """The child went elsewhere (or nobody is here): the learning stops."""
        if self.training is not None and not self.training.finished:
            self.training.stop()
            self.state, self.message_id = "choosing", "live.pick"

    def reset(self) -> None:
        self.leave()
        self.choice = LiveSettings()
        self.state, self.curve, self.progress, self.result = "choosing", [], None, None
        self.message_id, self.message_values = "live.pick", {}

    def handle(self, event: PointerEvent) -> None:
        if not isinstance(event, PointerDown) or self.follow_tab(event):
            return
        if self.action.hit(event.x, event.y):
            self.stop() if self.state == "learning" else self.start()
            return
        if self.state != "learning" and self.compare.hit(event.x, event.y):
            self.go("full_training")
            return
        if self.state == "done" and self.result and self.result.model_path and self.try_button.hit(event.x, event.y):
            self.go("draw", model_path=self.result.model_path)  # "Try my brain"
            return
        if self.state == "learning":
            return  # the settings stay as chosen while it learns
        for button, (axis, value) in self.buttons:
            if button.hit(event.x, event.y):
                self.choice = self.choice.with_choice(axis, value)
                explained = f"explore.explain.{axis if axis != 'kind' else 'kind'}"
                self.state, self.message_id, self.message_values = "choosing", explained, {}
                return

    def start(self) -> None:
        self.curve, self.progress, self.result = [], None, None
        self.training = LiveTraining(self.choice, self.child_image, folder=self.data_folder).start()
        self.pacer.start()
        self.state, self.message_id, self.message_values = "learning", "live.learning", {}
        self.say("live.learning")

    def stop(self) -> None:
        if self.training is not None:
            self.training.stop()
        if self.state == "learning":
            right = int(round((self.progress.accuracy if self.progress else 0.0) * 100))
            self.state, self.message_id, self.message_values = "done", "live.stopped", {"right": right}
            self.say("live.stopped", right=right)

    def update(self, dt_ms: float) -> None:
        if self.training is None or self.state != "learning":
            return
        self.pacer.advance(dt_ms)
        for message in self.pacer.release(self.training.poll()):
            if isinstance(message, Progress):
                self.progress = message
                self.curve.append((message.seen, message.accuracy))
            elif isinstance(message, Checking):
                if self.message_id != "live.checking":
                    self.say("live.checking")  # "Now my big test...": once, however often the learner says it
                self.message_id, self.message_values = "live.checking", {}
            elif isinstance(message, Done):
                self._finish(message)
            elif isinstance(message, Failed):
                log.error("live training failed: %s", message.message)
                self.state, self.message_id, self.message_values = "error", "live.error", {}
                self.say("live.error")

    def _finish(self, done: Done) -> None:
        self.message_id, self.message_values = outcome(done, self.choice)
        self.state = "done"
        if done.model_path:
            try:
                check_learned_model(done)
            except (LearningError, ModelLoadError) as error:
                log.error("the learned model was not used: %s", error)
                done = dataclasses.replace(done, model_path=None)
        if self.message_id == "live.too_big":
            done = dataclasses.replace(done, model_path=None)  # a brain that learned nothing is not offered to try
        self.result = done
        self.say(self.message_id, **self.message_values)
        if done.model_path:
            self.say_next("live.try")  # the button appears: "Try my brain!", after the result

    @property
    def animating(self) -> bool:
        return self.state == "learning"

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        found = self.nav.targets() + [(f"{a} {v}", b.rect) for b, (a, v) in self.buttons]
        found += [("train/stop", self.action.rect)]
        if self.state != "learning":
            found.append(("compare", self.compare.rect))
        if self.state == "done" and self.result and self.result.model_path:
            found.append(("try my brain", self.try_button.rect))
        return found

    # --- drawing -------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        t, tr = self.theme, self.phrases.text
        surface.fill(colours.BACKGROUND)
        self.nav.draw(surface, t, "settings")
        for button, (axis, value) in self.buttons:
            chosen = getattr(self.choice, axis) == value
            button.colour = colours.BAR_BEST if chosen else colours.BAR_TRACK
            button.text_colour = colours.BUTTON_TEXT if chosen else colours.TEXT
            about_right = axis != "kind" and ABOUT_RIGHT.get(axis) == value
            if axis == "learning_rate":  # step sizes as steps, not as 0.00001: a dot that grows with the step
                button.draw(surface, t, "")
                size = LEARNING_RATE_CHOICES.index(value) / (len(LEARNING_RATE_CHOICES) - 1)
                radius = int(button.rect.height * (0.1 + 0.3 * size))
                pygame.draw.circle(surface, button.text_colour, button.rect.center, max(3, radius))
            else:
                button.draw(surface, t, self.phrases.decimal(button.label))
            if about_right:  # "about right": a star in the corner
                draw_star(surface, (button.rect.right - t.unit, button.rect.y + t.unit), max(6, int(t.unit * 0.7)))
        for axis, y in self.row_labels:  # child words for the seed's three settings
            draw_text(surface, tr(f"live.axis.{axis}"), t.font(1.7), colours.TEXT, (self.left.centerx, y),
                      max_width=self.left.width)
        learning = self.state == "learning"
        self.action.label, self.action.colour = (
            ("live.stop", colours.CLEAR) if learning else ("live.train", colours.RECOGNIZE))
        self.action.draw(surface, t, tr(self.action.label))
        self._draw_panel(surface)

    def _draw_panel(self, surface: pygame.Surface) -> None:
        t, panel, tr = self.theme, self.panel, self.phrases.text
        font = t.font(2.2)
        text = tr(self.message_id, **self.message_values)
        lines = min(3, len(wrap_lines(text, font, panel.width)))
        box = pygame.Rect(panel.x, panel.y + t.unit // 2, panel.width, font.get_linesize() * lines)
        draw_paragraph(surface, text, font, colours.TEXT, box, max_lines=3)
        y = box.bottom + t.unit // 2
        if self.progress is not None:
            small = t.font(1.5, bold=False)
            rounds = tr("live.round", round=max(1, self.progress.epoch), rounds=self.choice.max_epochs)
            draw_text(surface, rounds, small, colours.SOFT_TEXT, (panel.centerx, y + small.get_linesize() // 2),
                      max_width=panel.width)
            y += small.get_linesize() + t.unit // 2
        if t.portrait:
            curve, strip, view, bars, show_strip = self._portrait_panel(surface, y)
        else:
            bottom = panel.bottom
            if self.state != "learning":
                self.compare.draw(surface, t, tr("live.compare"))
                bottom = self.compare.rect.y - t.unit // 2
            if self.state == "done" and self.result and self.result.model_path:
                self.try_button.rect = pygame.Rect(panel.x, self.compare.rect.y, 0, self.compare.rect.height)
                self.try_button.rect.width = self.compare.rect.x - t.margin - self.try_button.rect.x
                self.try_button.draw(surface, t, tr("live.try"))
                bottom = self.try_button.rect.y - t.unit // 2
            show_strip = True
            strip_h = max(t.unit * 3, panel.width // 10)
            shared = bottom - y - strip_h - t.unit  # for the curve and the child's drawing with its bars
            curve = pygame.Rect(panel.x, y, panel.width, int(shared * 0.45))
            strip = pygame.Rect(panel.x, curve.bottom + t.unit // 2, panel.width, strip_h)
            below = pygame.Rect(panel.x, strip.bottom + t.unit // 2, panel.width, bottom - strip.bottom - t.unit // 2)
            side = min(below.height, below.width // 3)
            view = pygame.Rect(below.x, below.y, side, side)
            bars = pygame.Rect(view.right + t.unit, below.y, below.right - view.right - t.unit, side)
        self._draw_curve(surface, curve)
        if show_strip:
            self._draw_strip(surface, strip)
        self._draw_child(surface, view, bars)

    def _portrait_panel(self, surface: pygame.Surface, y: int):
        """The panel is short and wide: the child's own digit (what a child watches) gets a big square on the
        left, the curve and its bars share the right, the strip of ten test digits goes underneath. The three
        keep the size they have while it learns in every state: a longer sentence at the end, or the Try
        button, takes the strip's room instead (the sentence has said how it did)."""
        t, panel, tr = self.theme, self.panel, self.phrases.text
        bottom = self.action.rect.y - t.unit // 2
        if self.state != "learning":
            self.compare.draw(surface, t, tr("live.compare"))
        if self.state == "done" and self.result and self.result.model_path:
            self.try_button.rect = pygame.Rect(panel.x, self.action.rect.y - t.margin - t.touch[1], panel.width,
                                               t.touch[1])
            self.try_button.draw(surface, t, tr("live.try"))
            bottom = self.try_button.rect.y - t.unit // 2
        strip_h = max(t.unit * 3, panel.width // 10)
        # the pictures' size while it learns: a one-line sentence and the round above them, the strip below
        learning_y = (panel.y + t.unit // 2 + t.font(2.2).get_linesize() + t.unit // 2
                      + t.font(1.5, bold=False).get_linesize() + t.unit // 2)
        side = min(self.action.rect.y - t.unit // 2 - learning_y - strip_h - t.unit, int(panel.width * 0.42))
        show_strip = y + side + t.unit // 2 + strip_h + t.unit // 2 <= bottom
        side = max(0, min(side, bottom - y - t.unit // 2))
        view = pygame.Rect(panel.x, y, side, side)
        right = pygame.Rect(view.right + t.unit, y, panel.right - view.right - t.unit, side)
        curve = pygame.Rect(right.x, right.y, right.width, side // 2 - t.unit // 4)
        bars_top = curve.bottom + t.unit // 2
        bars = pygame.Rect(right.x, bars_top, right.width, right.bottom - bars_top)
        strip = pygame.Rect(panel.x, view.bottom + t.unit // 2, panel.width, strip_h)
        return curve, strip, view, bars, show_strip

    def _draw_curve(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        # Right on unseen digits (0 to 100%) against digits seen: the first hundred steps are where it learns most.
        pygame.draw.rect(surface, colours.CANVAS, rect, border_radius=self.theme.unit // 2)
        font = self.theme.font(1.3, bold=False)
        label_w = font.size("100")[0] + self.theme.unit // 2
        inner = pygame.Rect(rect.x + label_w + self.theme.unit // 2, rect.y + font.get_linesize() // 2,
                            rect.width - label_w - self.theme.unit, rect.height - font.get_linesize())
        for level in (0.0, 1.0):  # right out of 100: the axis a child can read
            y = inner.bottom - int(level * inner.height)
            pygame.draw.line(surface, colours.BAR_TRACK, (inner.x, y), (inner.right, y), 1)
            if inner.height >= font.get_linesize():  # else 0 and 100 would print over each other
                draw_text(surface, str(int(level * 100)), font, colours.SOFT_TEXT, (rect.x + label_w // 2 + 2, y))
        if len(self.curve) < 2:
            return
        total = max(self.choice.round_images * self.choice.max_epochs, self.curve[-1][0])
        # a square-root axis: the early steps, where most learning happens, get room
        points = [(inner.x + int(inner.width * (seen / total) ** 0.5), inner.bottom - int(accuracy * inner.height))
                  for seen, accuracy in self.curve]
        pygame.draw.lines(surface, colours.BAR_BEST, False, points, max(2, self.theme.unit // 4))
        pygame.draw.circle(surface, colours.BAR_BEST, points[-1], max(3, self.theme.unit // 2))

    def _draw_strip(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        # Ten digits it is tested on: green when it gets them right, red when not, grey before it tries.
        if self._strip_images is None:
            try:
                data = live_data.load()
                first_of = [int(np.flatnonzero(data.test_labels == d)[0]) for d in range(10)]
                self._strip_images = [data.test_images[i] for i in first_of]
            except LearningError:
                self._strip_images = []
        side = min(rect.height, rect.width // 10 - 8)  # a gap between frames: each digit's colour stands alone
        answers = self.progress.strip if self.progress else [None] * 10
        for i, image in enumerate(self._strip_images):
            cell = pygame.Rect(rect.x + i * (rect.width // 10) + 4, rect.y + 3, side, side)
            draw_model_view(surface, cell, image)
            colour = (colours.SOFT_TEXT if answers[i] is None
                      else colours.RECOGNIZE if answers[i] == i else colours.CLEAR)
            pygame.draw.rect(surface, colour, cell.inflate(4, 4), width=3)

    def _draw_child(self, surface: pygame.Surface, view: pygame.Rect, bars: pygame.Rect) -> None:
        t = self.theme
        if view.height < t.unit * 3:
            return
        if self.child_image is None:
            draw_paragraph(surface, self.phrases.text("explore.draw_to_test"), t.font(1.6, bold=False),
                           colours.SOFT_TEXT, view.union(bars), max_lines=3)
            return
        draw_model_view(surface, view, self.child_image)
        child = self.progress.child if self.progress else None
        if child is not None:
            draw_probability_bars(surface, bars, child, int(np.argmax(child)), t)


def draw_star(surface: pygame.Surface, center: tuple[int, int], radius: int) -> None:
    """A five-pointed star: "about right"."""
    import math

    points = [(center[0] + (radius if i % 2 == 0 else radius * 0.45) * math.sin(i * math.pi / 5),
               center[1] - (radius if i % 2 == 0 else radius * 0.45) * math.cos(i * math.pi / 5)) for i in range(10)]
    pygame.draw.polygon(surface, colours.COUNT_DOT, points)
