"""Learn more: the child's own drawing flows through the steps the computer takes, in pictures, told aloud.

The story plays once on arrival: each card is narrated in turn (NARRATION) and lit while it is told; the
computer looks over the drawing row by row while the 28x28 picture appears row by row beside it (SCAN_S),
then the votes grow (GROW_S).
"""
from __future__ import annotations

import numpy as np
import pygame

from kiosk.ui import colours
from kiosk.errors import EmptyDrawing
from kiosk.recognition.example_digits import EXAMPLES
from kiosk.input import PointerEvent
from kiosk.language.phrases import LEARN_SPOKEN_IDS, Phrases
from kiosk.recognition.recognizer import Prediction, Recognizer, recognize_all
from kiosk.screens.base import Screen
from kiosk.teaching.status import TeachingStatus
from kiosk.ui.colours import contrast_ratio
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import (
    NavBar, draw_model_view, draw_paragraph, draw_probability_bars, draw_text, render_ink, wrap_lines,
)

STEPS = ("learn.step1", "learn.step2", "learn.step3", "learn.step4")
HOW_IT_LEARNED = ("learn.how1", "learn.how2")


WINDOW = 5  # the numbers card shows 5x5 of the 28x28 dots: numbers big enough to read in any card
# When each card's line is said (seconds after arriving): each waits for the last line's longest clip
# (voice_cache/manifest.json: 2.0, 4.9, 2.4 s) so no line cuts another off.
NARRATION = tuple(zip((0.0, 2.2, 7.3, 9.9), LEARN_SPOKEN_IDS))
SCAN_S = (0.3, 1.8)  # the drawing becomes 28x28 dots, row by row: something moves within the first second
GROW_S = 1.5  # then the votes grow from nothing (their card is lit later, when its line is said)


class LearnScreen(Screen):
    """Four cards: drawing -> 28x28 dots -> numbers -> votes, with the child's drawing (or a 7)."""

    name = "learn"

    def __init__(self, recognizers: list[Recognizer], theme: Theme, nav: NavBar, phrases: Phrases, status=None,
                 say=None):
        self.recognizers, self.theme, self.nav, self.phrases = recognizers, theme, nav, phrases
        self.say = say or (lambda phrase_id: None)  # speaks a phrase id: the story, for children who cannot read
        self.elapsed_s = 0.0  # since arriving: where the story is
        self.told = 0  # how many cards' lines have been said
        self.status = status or (lambda: None)  # () -> TeachingStatus | None: what children have taught it
        self.teaching: TeachingStatus | None = None
        self.strokes: list = []
        self.prediction: Prediction | None = None
        self.votes: tuple[float, ...] | None = None  # what the bars show: both models' belief when they disagree
        self._ink: pygame.Surface | None = None

    def enter(self, strokes: list | None = None) -> None:
        # Without a drawing of the child's own, an example 7 shows the way.
        self.strokes = strokes or [[(50 + x * 300, 50 + y * 300) for x, y in s] for s in EXAMPLES[7][0]]
        try:
            # Both models, as on the draw screen, so the votes card tells the same story ("not sure" when they
            # disagree).
            answers = recognize_all(self.recognizers, self.strokes)
            self.prediction = answers[0]
            self.votes = (tuple(float(v) for v in np.mean([a.probabilities for a in answers], axis=0))
                          if len({a.best for a in answers}) > 1 else self.prediction.probabilities)
        except EmptyDrawing:
            self.prediction, self.votes = None, None
        self._ink = None
        self.teaching = self.status()  # read on arrival, not every frame
        self.elapsed_s, self.told = 0.0, 0
        self._tell()

    def update(self, dt_ms: float) -> None:
        self.elapsed_s += max(0.0, dt_ms) / 1000
        self._tell()

    def _tell(self) -> None:
        # Each card's line once, in order, when its time comes; after a long frame (a Pi waking up) only the
        # latest line due is said, and the card lit is the one being told.
        due = self.told
        while due < len(NARRATION) and self.elapsed_s >= NARRATION[due][0]:
            due += 1
        if due > self.told:
            self.told = due
            self.say(NARRATION[due - 1][1])

    @property
    def animating(self) -> bool:
        return self.elapsed_s < NARRATION[-1][0] + 1.0  # the story is still being told

    def scan_rows(self) -> int:
        """How many of the 28 rows of the small picture have appeared so far."""
        start, end = SCAN_S
        return max(0, min(28, int(28 * (self.elapsed_s - start) / (end - start))))

    def handle(self, event: PointerEvent) -> None:
        self.follow_tab(event)

    def _card_rects(self, title_box: pygame.Rect, top: int, footer: int) -> list[pygame.Rect]:
        """The four cards' places between the title and the story at the bottom."""
        t = self.theme
        if not t.portrait:
            return self._cards(pygame.Rect(t.margin, top, t.width - 2 * t.margin, t.height - top - footer - t.margin))
        # The tabs sit mid-screen in portrait: two cards above them, two below.
        above = pygame.Rect(t.margin, title_box.bottom + t.margin // 2, t.width - 2 * t.margin,
                            self.nav.rect.y - title_box.bottom - t.margin)
        below = pygame.Rect(t.margin, top, t.width - 2 * t.margin, t.height - top - footer - t.margin // 2)
        half = (above.width - t.margin) // 2
        return [pygame.Rect(area.x + i * (half + t.margin), area.y, half, area.height)
                for area in (above, below) for i in range(2)]

    def draw(self, surface: pygame.Surface) -> None:
        t, tr = self.theme, self.phrases.text
        surface.fill(colours.BACKGROUND)
        self.nav.draw(surface, t, "learn")
        top = self.nav.rect.bottom + t.margin
        title_font = t.font(1.9)
        if t.portrait:
            title_box = pygame.Rect(t.margin, t.margin // 2, t.width - 2 * t.margin, 2 * title_font.get_linesize())
        else:
            title_box = pygame.Rect(t.margin, t.margin, self.nav.rect.x - 2 * t.margin, self.nav.rect.height)
        draw_paragraph(surface, tr("learn.title"), title_font, colours.TEXT, title_box, max_lines=2)
        # The story of how it learned, then what children taught it: wrapped across the bottom.
        story = " ".join(tr(line) for line in HOW_IT_LEARNED)
        story_font = t.font(1.5, bold=False)
        width = t.width - 2 * t.margin
        line_h = story_font.get_linesize()
        paragraphs = [(story, colours.TEXT)]
        if self.teaching is not None:
            paragraphs.append((self._taught_words(self.teaching), colours.BAR_BEST))
        footer = sum(len(wrap_lines(text, story_font, width)) for text, _ in paragraphs) * line_h + t.margin
        cards = self._card_rects(title_box, top, footer)
        title_font = t.font(1.6)
        title_h = 2 * title_font.get_linesize()  # every step's name in two lines at most
        for i, (rect, title) in enumerate(zip(cards, STEPS)):
            pygame.draw.rect(surface, colours.CANVAS, rect, border_radius=t.unit)
            if i == self.told - 1:  # the card being told is lit
                pygame.draw.rect(surface, colours.BAR_BEST, rect, width=max(3, t.unit // 3), border_radius=t.unit)
            title_rect = pygame.Rect(rect.x + 2, rect.y + 2, rect.width - 4, title_h)
            draw_paragraph(surface, tr(title), title_font, colours.TEXT, title_rect, max_lines=2)
        inner_h = title_h + t.unit // 2 + 4  # each card's body: below its title, inside its border
        bodies = [pygame.Rect(c.x + t.unit // 2, c.y + title_h + 4, c.width - t.unit, c.height - inner_h)
                  for c in cards]
        self._draw_drawing(surface, bodies[0])
        if self.prediction is not None:
            rows = self.scan_rows()
            image = self.prediction.image.copy()
            image[rows:] = 0  # the rows not looked at yet are still dark
            draw_model_view(surface, bodies[1], image)
            if 0 < rows < 28:  # the computer's eye, moving down the drawing
                side = min(bodies[0].width, bodies[0].height)
                y0 = bodies[0].centery - side // 2 + side * rows // 28
                x0 = bodies[0].centerx - side // 2
                pygame.draw.line(surface, colours.COUNT_DOT, (x0, y0), (x0 + side, y0), max(3, t.unit // 3))
            else:
                self._frame_window(surface, bodies[1])
            self._draw_numbers(surface, bodies[2])
            grow = min(1.0, max(0.0, (self.elapsed_s - SCAN_S[1]) / GROW_S))
            draw_probability_bars(surface, bodies[3], self.votes, self.prediction.digit, t, grow=grow)
        y = t.height - footer
        for text, colour in paragraphs:
            lines = len(wrap_lines(text, story_font, width))
            draw_paragraph(surface, text, story_font, colour, pygame.Rect(t.margin, y, width, lines * line_h))
            y += lines * line_h

    def number_window(self) -> tuple[int, int]:
        """Top-left (row, col) of the WINDOW x WINDOW part of the 28x28 picture shown as numbers."""
        image = self.prediction.image.astype(np.int64)
        sums = np.lib.stride_tricks.sliding_window_view(image, (WINDOW, WINDOW)).sum(axis=(2, 3))
        row, col = np.unravel_index(int(np.argmax(sums)), sums.shape)
        return int(row), int(col)

    def _frame_window(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        size = min(rect.width, rect.height)
        cell = max(1, size // 28)
        origin = (rect.x + (rect.width - cell * 28) // 2, rect.y + (rect.height - cell * 28) // 2)
        row, col = self.number_window()
        frame = pygame.Rect(origin[0] + col * cell, origin[1] + row * cell, cell * WINDOW, cell * WINDOW)
        pygame.draw.rect(surface, colours.COUNT_DOT, frame, width=max(2, self.theme.unit // 4))

    def _taught_words(self, status: TeachingStatus) -> str:
        tr = self.phrases.text
        if status.drawings == 0:
            return tr("learn.not_taught")
        words = tr("learn.taught.one") if status.drawings == 1 else tr("learn.taught", count=status.drawings)
        if status.before is not None and status.after is not None:
            before, after = self.phrases.percent(status.before), self.phrases.percent(status.after)
            words += " " + tr("learn.last_lesson", before=before, after=after)
        return words

    def _cards(self, area: pygame.Rect) -> list[pygame.Rect]:
        gap = self.theme.margin
        width = (area.width - 3 * gap) // 4
        return [pygame.Rect(area.x + i * (width + gap), area.y, width, area.height) for i in range(4)]

    def _draw_drawing(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        side = min(rect.width, rect.height)
        box = pygame.Rect(0, 0, side, side)
        box.center = rect.center
        if self._ink is None or self._ink.get_size() != box.size:
            points = [p for s in self.strokes for p in s]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
            scale = side * 0.8 / span
            left = (side - (max(xs) - min(xs)) * scale) / 2  # centred, like the kiosk centres it
            top = (side - (max(ys) - min(ys)) * scale) / 2
            fitted = [[(left + (x - min(xs)) * scale, top + (y - min(ys)) * scale) for x, y in s] for s in self.strokes]
            self._ink = render_ink(fitted, box.size, max(3, side // 18))
        if self._ink is not None:
            surface.blit(self._ink, box.topleft)

    def _draw_numbers(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        # 5x5 of the dots as numbers from 0 (dark) to 9 (bright): what the network really gets. The window
        # with the most ink (the centre of a 0 is empty), framed on the card before so the child sees where.
        image = self.prediction.image
        row0, col0 = self.number_window()
        crop = image[row0:row0 + WINDOW, col0:col0 + WINDOW]
        cell = min(rect.width, rect.height) // WINDOW
        font = self.theme.font(max(0.9, cell / self.theme.unit * 0.55), bold=False)
        origin = (rect.centerx - cell * WINDOW // 2, rect.centery - cell * WINDOW // 2)
        for row in range(WINDOW):
            for col in range(WINDOW):
                value = int(round(crop[row, col] / 255 * 9))
                cell_rect = pygame.Rect(origin[0] + col * cell, origin[1] + row * cell, cell, cell)
                shade = int(crop[row, col])
                pygame.draw.rect(surface, (shade, shade, shade), cell_rect)
                # black or white, whichever reads better on this grey: at least 4.58:1 on any of them
                ink = max(((0, 0, 0), (255, 255, 255)), key=lambda c: contrast_ratio(c, (shade, shade, shade)))
                draw_text(surface, str(value), font, ink, cell_rect.center)
