"""Drawing helpers for the screens: buttons, tabs, probability bars, ink, and what the computer sees
(text itself is kiosk.ui.text)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pygame

from kiosk.language.phrases import Phrases
from kiosk.ui import colours
from kiosk.ui.icons import draw_tab_icon
from kiosk.ui.text import DrawnText, draw_paragraph, draw_text, recording_text, wrap_lines  # noqa: F401 (screens take them from here too)
from kiosk.ui.theme import Theme


@dataclass
class Button:
    """A big rounded button that reacts to a tap inside it."""

    label: str
    rect: pygame.Rect
    colour: tuple[int, int, int]
    enabled: bool = True
    text_colour: tuple[int, int, int] = colours.BUTTON_TEXT
    icon: str | None = (
        None  # "clear", "undo", "back" or "chart": a picture instead of the word (which may not fit, big enough)
    )

    def hit(self, x: float, y: float) -> bool:
        return self.enabled and self.rect.collidepoint(float(x), float(y))

    def draw(self, surface: pygame.Surface, theme: Theme, text: str | None = None, font_units: float = 2.2) -> None:
        """Draw with its label, or with text (the label in the visitor's language); "" draws no words."""
        colour = self.colour if self.enabled else colours.DISABLED
        shadow = self.rect.move(0, max(2, theme.unit // 4))
        pygame.draw.rect(surface, tuple(max(0, c - 60) for c in colour), shadow, border_radius=theme.unit)
        pygame.draw.rect(surface, colour, self.rect, border_radius=theme.unit)
        ink = self.text_colour if self.enabled else colours.DISABLED_TEXT
        if self.icon is not None:
            draw_button_icon(surface, self.icon, self.rect, ink)
            return
        words = self.label if text is None else text
        if words:
            draw_text(
                surface, words, theme.font(font_units), ink, self.rect.center, max_width=self.rect.width - theme.unit
            )


def draw_button_icon(surface: pygame.Surface, name: str, rect: pygame.Rect, colour) -> None:
    """A bin (clear everything), a turning-back arrow (undo the last stroke), a left arrow (back)."""
    s = min(rect.width, rect.height) * 0.28
    cx, cy = rect.center
    line = max(3, int(s / 4))
    if name == "clear":
        body = pygame.Rect(0, 0, int(s * 1.3), int(s * 1.5))
        body.midtop = (cx, int(cy - s * 0.55))
        pygame.draw.rect(surface, colour, body, width=line, border_radius=line)
        pygame.draw.line(surface, colour, (cx - s, cy - s * 0.75), (cx + s, cy - s * 0.75), line)
        pygame.draw.line(surface, colour, (cx - s * 0.3, cy - s), (cx + s * 0.3, cy - s), line)
        pygame.draw.line(surface, colour, (cx, cy - s * 0.3), (cx, cy + s * 0.7), max(2, line // 2))
    elif name == "undo":
        arc = pygame.Rect(0, 0, int(s * 2), int(s * 1.8))
        arc.center = (int(cx + s * 0.1), int(cy + s * 0.1))
        pygame.draw.arc(surface, colour, arc, -1.2, 3.14, line)
        head = (arc.left, arc.centery)
        pygame.draw.polygon(
            surface,
            colour,
            [
                (head[0] - s * 0.5, head[1] - s * 0.35),
                (head[0] + s * 0.5, head[1] - s * 0.35),
                (head[0], head[1] + s * 0.45),
            ],
        )
    elif name == "chart":  # bars of a full training's results: the precomputed grid, for comparison
        for i, height in enumerate((0.6, 1.4, 1.0)):
            bar = pygame.Rect(int(cx - s + i * s * 0.75), int(cy + s * 0.7 - s * height), int(s * 0.5), int(s * height))
            pygame.draw.rect(surface, colour, bar)
        pygame.draw.line(
            surface, colour, (cx - s * 1.1, cy + s * 0.75), (cx + s * 1.1, cy + s * 0.75), max(2, line // 2)
        )
    else:  # back
        pygame.draw.line(surface, colour, (cx - s, cy), (cx + s, cy), line)
        pygame.draw.polygon(
            surface, colour, [(cx - s * 1.2, cy), (cx - s * 0.3, cy - s * 0.7), (cx - s * 0.3, cy + s * 0.7)]
        )


def draw_probability_bars(
    surface: pygame.Surface,
    rect: pygame.Rect,
    probabilities,
    best: int | None,
    theme: Theme,
    grow: float = 1.0,
    quiet: bool = False,
) -> None:
    """Ten bars, one per digit, as tall as the model's belief in that digit (times grow, as they rise in);
    quiet: all grey, for a guess that is not an answer yet or a drawing that is not a digit."""
    slot = rect.width / 10
    label_font = theme.font(1.6)
    label_h = label_font.get_height()
    roomy = slot >= label_font.size("8")[0] * 1.5  # else only the winner is named: ten labels would run together
    bar_area = rect.height - label_h
    for digit in range(10):
        x = rect.x + int(digit * slot + slot * 0.15)
        width = max(2, int(slot * 0.7))
        track = pygame.Rect(x, rect.y, width, bar_area)
        pygame.draw.rect(surface, colours.BAR_TRACK, track, border_radius=max(2, width // 4))
        value = float(probabilities[digit]) if probabilities is not None else 0.0
        height = int(bar_area * min(max(value, 0.0), 1.0) * grow)
        if height:
            bar = pygame.Rect(x, rect.y + bar_area - height, width, height)
            colour = colours.SOFT_TEXT if quiet else colours.BAR_BEST if digit == best else colours.BAR
            pygame.draw.rect(surface, colour, bar, border_radius=max(2, width // 4))
        if roomy or digit == best or (best is None and 0 < value == max(probabilities)):
            draw_text(surface, str(digit), label_font, colours.TEXT, (x + width // 2, rect.bottom - label_h // 2))


def draw_model_view(surface: pygame.Surface, rect: pygame.Rect, image: np.ndarray | None) -> None:
    """The 28x28 picture the model saw, as big square pixels."""
    size = min(rect.width, rect.height)
    cell = max(1, size // 28)
    origin = (rect.x + (rect.width - cell * 28) // 2, rect.y + (rect.height - cell * 28) // 2)
    pygame.draw.rect(surface, colours.PIXEL_OFF, (*origin, cell * 28, cell * 28))
    if image is None:
        return
    gray = np.asarray(image, np.uint8)
    rgb = np.repeat(gray.T[:, :, None], 3, axis=2)  # pygame surfaces are (x, y)
    small = pygame.surfarray.make_surface(rgb)
    surface.blit(pygame.transform.scale(small, (cell * 28, cell * 28)), origin)


def draw_speaker_button(surface: pygame.Surface, rect: pygame.Rect, muted: bool = False) -> None:
    """A round "say it again" button with a loudspeaker drawn in it (no font has the glyph for sure);
    muted: greyed with a cross, for when there is no sound (the answer is then shown large instead)."""
    pygame.draw.circle(surface, (170, 164, 152) if muted else colours.BAR, rect.center, rect.width // 2)
    cx, cy, u = rect.centerx, rect.centery, rect.width / 10
    body = [
        (cx - 3 * u, cy - 1.2 * u),
        (cx - 1.2 * u, cy - 1.2 * u),
        (cx + 0.8 * u, cy - 3 * u),
        (cx + 0.8 * u, cy + 3 * u),
        (cx - 1.2 * u, cy + 1.2 * u),
        (cx - 3 * u, cy + 1.2 * u),
    ]
    pygame.draw.polygon(surface, colours.BUTTON_TEXT, body)
    wave = pygame.Rect(0, 0, 4 * u, 4 * u)
    wave.center = (int(cx + 1.2 * u), cy)
    if muted:
        width = max(2, int(u * 0.7))
        pygame.draw.line(
            surface, colours.BUTTON_TEXT, (cx + 1.4 * u, cy - 1.3 * u), (cx + 3.6 * u, cy + 1.3 * u), width
        )
        pygame.draw.line(
            surface, colours.BUTTON_TEXT, (cx + 1.4 * u, cy + 1.3 * u), (cx + 3.6 * u, cy - 1.3 * u), width
        )
    else:
        pygame.draw.arc(surface, colours.BUTTON_TEXT, wave, -0.9, 0.9, max(2, int(u * 0.7)))


def draw_count_dots(
    surface: pygame.Surface, rect: pygame.Rect, count: int, theme: Theme, shown: int | None = None
) -> None:
    """That many dots to count, in one row; only the first `shown` of them while they appear one by one."""
    if count <= 0:
        return
    radius = max(4, min(theme.unit, rect.height // 2, int(rect.width / (count * 2.6))))
    step = radius * 2.6
    start = rect.centerx - step * (count - 1) / 2
    for i in range(count if shown is None else min(count, shown)):
        pygame.draw.circle(surface, colours.COUNT_DOT, (int(start + i * step), rect.centery), radius)


def draw_hand(surface: pygame.Surface, tip: tuple[int, int], unit: int) -> None:
    """A pointing hand whose fingertip is at tip: the attract loop's "someone draws here"."""
    skin, outline = (250, 214, 170), (150, 100, 60)
    x, y = tip
    finger = pygame.Rect(x - unit // 2, y, unit, unit * 3)
    palm = pygame.Rect(x - unit, y + unit * 2, unit * 3, unit * 3)
    for shape, width in ((palm, 0), (finger, 0)):
        pygame.draw.rect(surface, skin, shape, border_radius=unit // 2)
    pygame.draw.rect(surface, outline, palm, width=2, border_radius=unit // 2)
    pygame.draw.rect(surface, outline, finger, width=2, border_radius=unit // 2)


class NavBar:
    """Tabs across the top of the answer panel: which screen to show, and the language button at the end."""

    TABS = ("draw", "game", "examples", "learn", "settings")  # the screens' names, too
    LANGUAGE = "language"  # hit() returns this for the language button; the App switches language

    def __init__(self, rect: pygame.Rect, phrases: Phrases):
        self.rect, self.phrases = rect, phrases
        # Tabs are pictures (a pencil, a star, a wall of digits, a light bulb, sliders): most visitors cannot read
        # yet, and words big enough for them would not fit. The language button is wider: a globe and "ES".
        width = rect.width / (len(self.TABS) + 1.4)
        self.tabs = [
            (name, pygame.Rect(rect.x + int(i * width), rect.y, int(width) - 4, rect.height))
            for i, name in enumerate(self.TABS)
        ]
        left = rect.x + int(len(self.TABS) * width)
        self.language_rect = pygame.Rect(left, rect.y, rect.right - left, rect.height)

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        return [(f"tab {name}", rect) for name, rect in self.tabs] + [("language", self.language_rect)]

    def hit(self, x: float, y: float) -> str | None:
        for name, rect in self.tabs:
            if rect.collidepoint(float(x), float(y)):
                return name
        if self.language_rect.collidepoint(float(x), float(y)):
            return self.LANGUAGE
        return None

    def draw(self, surface: pygame.Surface, theme: Theme, active: str) -> None:
        for name, rect in self.tabs:
            selected = name == active
            pygame.draw.rect(surface, colours.BAR if selected else colours.BAR_TRACK, rect, border_radius=theme.unit)
            # The game's star is gold on its tab, so a child sees there is something to play.
            idle = colours.COUNT_DOT if name == "game" else colours.TEXT
            draw_tab_icon(surface, name, rect, colours.BUTTON_TEXT if selected else idle)
        draw_language_button(surface, self.language_rect, self.phrases.lang, theme)


def draw_language_button(surface: pygame.Surface, rect: pygame.Rect, lang: str, theme: Theme) -> None:
    """A globe and the language code ("ES"): tap to change language (the new one greets the visitor)."""
    pygame.draw.rect(surface, colours.CANVAS, rect, border_radius=theme.unit)
    pygame.draw.rect(surface, colours.BAR, rect, width=2, border_radius=theme.unit)
    radius = max(5, min(rect.height // 5, rect.width // 8))
    globe = (rect.x + radius + theme.unit // 2, rect.centery)
    pygame.draw.circle(surface, colours.BAR, globe, radius, width=2)
    pygame.draw.ellipse(
        surface, colours.BAR, pygame.Rect(globe[0] - radius // 2, globe[1] - radius, radius, 2 * radius), width=2
    )
    pygame.draw.line(surface, colours.BAR, (globe[0] - radius, globe[1]), (globe[0] + radius, globe[1]), 2)
    text_box = pygame.Rect(globe[0] + radius, rect.y, rect.right - globe[0] - radius, rect.height)
    draw_text(surface, lang.upper(), theme.font(1.5), colours.TEXT, text_box.center, max_width=text_box.width - 4)


def draw_learning_curve(surface: pygame.Surface, rect: pygame.Rect, history, theme: Theme, phrases: Phrases) -> None:
    """Validation accuracy per epoch as a line (the y axis runs from 0% to 100%)."""
    pygame.draw.rect(surface, colours.CANVAS, rect, border_radius=theme.unit // 2)
    values = [float(e.get("val_accuracy", 0.0)) for e in history]
    font = theme.font(1.3, bold=False)
    title = phrases.text("curve.title")
    title_lines = min(2, len(wrap_lines(title, font, rect.width - theme.unit)))
    title_box = pygame.Rect(
        rect.x + theme.unit // 2, rect.y + 2, rect.width - theme.unit, font.get_linesize() * title_lines
    )
    draw_paragraph(surface, title, font, colours.SOFT_TEXT, title_box, max_lines=2)
    label_w = font.size("100%")[0] + theme.unit // 2
    top = title_box.bottom + font.get_linesize() // 2
    inner = pygame.Rect(
        rect.x + theme.unit + label_w,
        top,
        rect.width - 2 * theme.unit - label_w,
        rect.bottom - top - font.get_linesize() - theme.unit // 2,
    )
    levels = (0.0, 0.5, 1.0) if inner.height >= 2.2 * font.get_linesize() else (0.0, 1.0)  # labels never overlap
    for level in levels:
        y = inner.bottom - int(level * inner.height)
        pygame.draw.line(surface, colours.BAR_TRACK, (inner.x, y), (inner.right, y), 1)
        draw_text(surface, f"{level:.0%}", font, colours.SOFT_TEXT, (inner.x - label_w // 2, y))
    if values:
        draw_text(
            surface,
            phrases.text("curve.rounds", rounds=len(values)),
            font,
            colours.SOFT_TEXT,
            (inner.centerx, inner.bottom + font.get_linesize() // 2 + 2),
        )
    if not values:
        return
    step = inner.width / max(1, len(values) - 1)
    points = [(inner.x + int(i * step), inner.bottom - int(v * inner.height)) for i, v in enumerate(values)]
    if len(points) > 1:
        pygame.draw.lines(surface, colours.BAR_BEST, False, points, max(2, theme.unit // 4))
    for point in points:
        pygame.draw.circle(surface, colours.BAR_BEST, point, max(3, theme.unit // 3))


class InkLayer:
    """The child's ink, drawn incrementally: a new point costs one short segment, not the whole drawing
    again (a 2,000-point drawing took 5 ms a frame redrawn whole here, several times that on a Pi 4)."""

    def __init__(self, size: tuple[int, int], pen_px: int, colour=colours.INK):
        self.size, self.pen_px = size, pen_px
        width, height = size
        self.surface = pygame.Surface((max(1, width), max(1, height)), pygame.SRCALPHA)
        self.surface.fill((*colour, 0))
        self._alpha = np.zeros((max(1, height), max(1, width)), np.uint8)
        self._drawn: list[int] = []  # points already drawn, per stroke
        self.full_redraws = 0  # for the tests and benchmarks: how often everything was drawn again

    def update(self, strokes) -> pygame.Surface | None:
        """The layer with these strokes on it; None when there is no ink."""
        counts = [len(s) for s in strokes]
        grown = (
            len(counts) >= len(self._drawn)
            and counts[: len(self._drawn) - 1] == self._drawn[:-1]
            and (not self._drawn or counts[len(self._drawn) - 1] >= self._drawn[-1])
        )
        if not grown:  # undo, clear, a new drawing: start again
            self._alpha[...] = 0
            self._drawn = []
            self.full_redraws += 1
            self._blit_alpha((0, 0, self.size[0], self.size[1]))
        for index, stroke in enumerate(strokes):
            done = self._drawn[index] if index < len(self._drawn) else 0
            if done == len(stroke):
                continue
            start = max(0, done - 1)  # join onto the last point already drawn
            dirty = self._draw(stroke[start:], single=len(stroke) == 1)
            if index < len(self._drawn):
                self._drawn[index] = len(stroke)
            else:
                self._drawn.append(len(stroke))
            self._blit_alpha(dirty)
        return self.surface if any(counts) else None

    def _draw(self, points, single: bool) -> tuple[int, int, int, int]:
        # The new piece goes into a scratch tile, then joins the ink by maximum: drawn straight on top,
        # antialiased edges where pieces meet would add up and darken.
        xy = np.asarray(points, np.float64)
        pad = self.pen_px + 2
        x0, y0 = int(xy[:, 0].min()) - pad, int(xy[:, 1].min()) - pad
        x1, y1 = int(xy[:, 0].max()) + pad + 1, int(xy[:, 1].max()) + pad + 1
        tile = np.zeros((y1 - y0, x1 - x0), np.uint8)
        array = np.round((xy - (x0, y0)) * 16).astype(np.int32).reshape(-1, 1, 2)
        if single:
            cv2.circle(tile, tuple(array[0, 0].tolist()), self.pen_px * 8, 255, cv2.FILLED, cv2.LINE_AA, 4)
        else:
            cv2.polylines(tile, [array], False, 255, self.pen_px, cv2.LINE_AA, 4)
        cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(self.size[0], x1), min(self.size[1], y1)
        if cx1 > cx0 and cy1 > cy0:
            region = self._alpha[cy0:cy1, cx0:cx1]
            np.maximum(region, tile[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0], out=region)
        return x0, y0, x1, y1

    def _blit_alpha(self, box) -> None:
        x0, y0 = max(0, box[0]), max(0, box[1])
        x1, y1 = min(self.size[0], box[2]), min(self.size[1], box[3])
        if x1 <= x0 or y1 <= y0:
            return
        pixels = pygame.surfarray.pixels_alpha(self.surface)
        pixels[x0:x1, y0:y1] = self._alpha[y0:y1, x0:x1].T
        del pixels  # release the surface lock


def render_ink(strokes, size: tuple[int, int], pen_px: int, colour=colours.INK) -> pygame.Surface | None:
    """The strokes as a transparent surface of the canvas size, in colour with antialiased edges."""
    width, height = size
    if not any(strokes) or width <= 0 or height <= 0:
        return None
    alpha = np.zeros((height, width), np.uint8)
    for stroke in strokes:
        points = np.round(np.asarray(stroke, np.float64) * 16).astype(np.int32).reshape(-1, 1, 2)
        if len(stroke) == 1:
            cv2.circle(alpha, tuple(points[0, 0].tolist()), pen_px * 8, 255, cv2.FILLED, cv2.LINE_AA, 4)
        else:
            cv2.polylines(alpha, [points], False, 255, pen_px, cv2.LINE_AA, 4)
    ink = pygame.Surface((width, height), pygame.SRCALPHA)
    ink.fill((*colour, 0))
    pixels = pygame.surfarray.pixels_alpha(ink)
    pixels[...] = alpha.T
    del pixels  # release the surface lock
    return ink
