"""Learn more: inside the network, on the child's own drawing, told aloud.

The drawing (the child's, or an example 7) becomes the 28x28 picture; the network's layers light up one after
another (an MLP's hidden units as a field of lights, a CNN's feature maps row by row); the ten votes grow; the
parts of the drawing that mattered glow. kiosk/insight/story.py says what is shown and said when;
kiosk/insight/brain.py reads the model file the kiosk answers with and looks inside it. The child can draw on
the drawing (every stroke looks again), touch a light (what it looks for) or switch between the MLP and the CNN.
"""

from __future__ import annotations

import logging

import numpy as np
import pygame

from kiosk.errors import EmptyDrawing, KioskError
from kiosk.input import PointerDown, PointerEvent, PointerUp
from kiosk.insight.brain import Brain, BrainShelf, Look
from kiosk.insight.mattered import glow_along
from kiosk.insight.story import Story
from kiosk.language.phrases import Phrases
from kiosk.recognition.example_digits import EXAMPLES
from kiosk.recognition.preprocess import clean_strokes, image_and_frame
from kiosk.recognition.recognizer import Recognizer
from kiosk.screens import learn_view as view
from kiosk.screens.base import Screen
from kiosk.teaching.status import TeachingStatus
from kiosk.ui import colours
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import Button, NavBar, draw_model_view, draw_paragraph, draw_probability_bars, wrap_lines

log = logging.getLogger(__name__)

LONGEST_STEP_MS = 250  # the most one frame moves the story on
MAX_PEN_POINTS = 2_000  # points kept of one stroke drawn on Learn
MAPS = (4, 12)  # a convolution's brightest feature maps side by side (it has 8 to 128): at least 4, at most 12


class LearnScreen(Screen):
    """The network lighting up on a drawing: the picture, its layers, the votes and what mattered."""

    name = "learn"

    def __init__(self, recognizers: list[Recognizer], theme: Theme, nav: NavBar, phrases: Phrases, status=None,
                 say=None, shelf: BrainShelf | None = None):
        self.recognizers, self.theme, self.nav, self.phrases = recognizers, theme, nav, phrases
        self.say = say or (lambda phrase_id: None)  # speaks a phrase id: the story, for children who cannot read
        self.status = status or (lambda: None)  # () -> TeachingStatus | None: what children have taught it
        self.shelf = shelf or BrainShelf()
        self.teaching: TeachingStatus | None = None
        self.model = 0  # which of the recognizers' models is shown
        self.strokes: list[np.ndarray] = []  # cleaned, in their own coordinates
        self.own = False  # drawn here, in screen pixels (else handed over: fitted into the canvas)
        self.pen: list[tuple[float, float]] | None = None  # the stroke being drawn now
        self.brain: Brain | None = None
        self._reading = None  # the model file being read beside the loop (a Future), if any
        self.image: np.ndarray | None = None  # (28, 28) uint8: what the network sees
        self.look: Look | None = None
        self.glow: list[np.ndarray] = []  # per stroke point: how much it mattered
        self.unit: int | None = None  # the light a child touched
        self.story = Story("mlp", self.say)
        self._surfaces: dict = {}  # pictures made for the current look and size (draw() only memoises)

    # -- what happens -------------------------------------------------------------------------------------

    def enter(self, strokes: list | None = None) -> None:
        # Without a drawing of the child's own, an example 7 shows the way.
        given = strokes or [[(50 + x * 300, 50 + y * 300) for x, y in s] for s in EXAMPLES[7][0]]
        self.strokes, self.own, self.pen = clean_strokes(given), False, None
        self.model = 0
        self.teaching = self.status()  # read on arrival, not every frame
        self._read_brain()
        self.see()
        self._tell_from_the_start()

    def _tell_from_the_start(self) -> None:
        self.story = Story(self.recognizers[self.model].kind if self.recognizers else "mlp", self.say)
        self.story.start()

    def _read_brain(self) -> None:
        """The model file the kiosk answers with now (a visitor's own brain is first in the list). The first
        file read imports onnx (3.6 s on this busy machine, longer on a Pi): that happens beside the loop, and
        the story waits before its lights (update) rather than the screen freezing."""
        self.model %= max(1, len(self.recognizers))
        self.brain, self._reading = None, None
        if not self.recognizers:
            return
        path = self.recognizers[self.model].path
        if self.shelf.has(path):
            self._took(self.shelf.reading(path))
        else:
            self._reading = self.shelf.reading(path)

    def _took(self, reading) -> None:
        """A brain read (in the background, or at once): look with it."""
        self._reading = None
        try:
            self.brain = reading.result()
        except (KioskError, OSError) as error:  # a model the engine cannot read: the view stays dark
            log.error("Learn cannot look inside %s: %s", self.recognizers[self.model].path, error)
            self.brain = None

    def wait_for_brain(self, timeout_s: float = 60.0) -> None:
        """Block until the model file being read beside the loop has come (benchmarks and tests; never the loop)."""
        if self._reading is not None:
            self._reading.result(timeout=timeout_s)
            self.update(0)

    def see(self) -> None:
        """Look inside the network on the drawing as it is now (after every stroke): one view update."""
        self.look, self.image, self.glow, self.unit, self._surfaces = None, None, [], None, {}
        if not self.strokes:
            return
        try:
            self.image, frame = image_and_frame(self.strokes)
        except EmptyDrawing:
            return
        if self.brain is None:
            return
        self.look = self.brain.look(self.image)
        self.glow = glow_along([frame.apply(s) for s in self.strokes], self.look.mattered)

    def update(self, dt_ms: float) -> None:
        if self._reading is not None and self._reading.done():
            self._took(self._reading)
            self.see()
        # A stalled frame pauses the story rather than skipping through it (a line said late is better than two
        # said at once), and while the model file is being read the story waits before its lights.
        step_s = min(max(0.0, dt_ms), LONGEST_STEP_MS) / 1000
        if self._reading is not None:
            step_s = min(step_s, max(0.0, self.story.beats[1].at_s - 0.05 - self.story.elapsed_s))
        self.story.advance(step_s)

    @property
    def animating(self) -> bool:
        return self.story.animating or self.pen is not None

    def handle(self, event: PointerEvent) -> None:
        if self.follow_tab(event):
            return
        parts = self.layout()
        if self.pen is not None:
            self._draw_stroke(event)
        elif isinstance(event, PointerDown):
            if parts["canvas"].collidepoint(event.x, event.y):
                if not self.own:  # the first touch starts a drawing of the child's own
                    self.strokes, self.own = [], True
                self.pen = [(event.x, event.y)]
            elif self.clear_button(parts).hit(event.x, event.y):
                self.strokes, self.own = [], True
                self.see()
            elif len(self._kinds()) > 1 and self.model_button(parts).hit(event.x, event.y):
                self.model = (self.model + 1) % len(self.recognizers)
                self._read_brain()
                self.see()
                self._tell_from_the_start()  # the other network lights up, told in its own words
            elif parts["lights"].collidepoint(event.x, event.y):
                self._touch_light(parts, event.x, event.y)

    def _draw_stroke(self, event: PointerEvent) -> None:
        canvas = self.layout()["canvas"]
        x = min(max(event.x, canvas.left), canvas.right - 1)
        y = min(max(event.y, canvas.top), canvas.bottom - 1)
        if len(self.pen) < MAX_PEN_POINTS:  # a stuck finger's endless stroke stops growing (a digit has hundreds)
            self.pen.append((x, y))
        if isinstance(event, PointerUp):
            # thinned as the kiosk's preprocessing thins any drawing, so a look and a frame stay bounded
            self.strokes = clean_strokes([*self.strokes, self.pen])
            self.pen = None
            self.see()

    def _touch_light(self, parts: dict, x: float, y: float) -> None:
        if self.look is None:
            return
        if self.brain.kind == "mlp":
            self.unit = view.lit_unit_near(self.look.layers[0].values, self._rows(parts["lights"])[-1], x, y)
        else:
            row = self._rows(parts["lights"])[0]
            maps = self.look.layers[0].values
            side = self._map_side(row)
            index = int((x - row.x) // (side + self.theme.margin // 2))
            channels = view.brightest(maps, self._maps_in(row))
            self.unit = channels[index] if row.collidepoint(x, y) and index < len(channels) else None
        if self.unit is not None:
            self.story.touched()

    def _kinds(self) -> set[str]:
        return {r.kind for r in self.recognizers}

    # -- where things go ----------------------------------------------------------------------------------

    def layout(self) -> dict[str, pygame.Rect]:
        """The title, the canvas and its buttons, the picture, the looks-for box, the lights, the votes, the caption."""
        t = self.theme
        m, button_h = t.margin, t.button_height
        caption_h = 2 * t.font(1.6).get_linesize()
        caption = pygame.Rect(m, t.height - caption_h - m // 2, t.width - 2 * m, caption_h)
        if t.portrait:
            title = pygame.Rect(m, m // 2, t.width - 2 * m, 2 * t.font(1.9).get_linesize())
            above = pygame.Rect(m, title.bottom + m // 2, t.width - 2 * m, self.nav.rect.y - title.bottom - m)
            below = pygame.Rect(m, self.nav.rect.bottom + m, t.width - 2 * m, caption.y - self.nav.rect.bottom - 2 * m)
            side = min(above.height - button_h - m // 2, (above.width - m) * 3 // 5)
            canvas = pygame.Rect(above.x, above.y, side, side)
            eye = pygame.Rect(canvas.right + m, above.y, above.right - canvas.right - m, above.height)
            votes_h = below.height // 4
            lights = pygame.Rect(below.x, below.y, below.width, below.height - votes_h - m)
            votes = pygame.Rect(below.x, lights.bottom + m, below.width, votes_h)
        else:
            title = pygame.Rect(m, m, self.nav.rect.x - 2 * m, self.nav.rect.height)
            body = pygame.Rect(m, self.nav.rect.bottom + m, t.width - 2 * m, caption.y - self.nav.rect.bottom - 2 * m)
            side = min(body.height - button_h - m // 2, body.width * 3 // 11)
            canvas = pygame.Rect(body.x, body.y, side, side)
            votes = pygame.Rect(body.right - body.width // 4, body.y, body.width // 4, body.height)
            eye_w = min(body.height // 2, body.width // 7)
            eye = pygame.Rect(canvas.right + m, body.y, eye_w, body.height)
            lights = pygame.Rect(eye.right + m, body.y, votes.x - eye.right - 2 * m, body.height)
        buttons = pygame.Rect(canvas.x, canvas.bottom + m // 2, canvas.width, button_h)
        return {"title": title, "canvas": canvas, "buttons": buttons, "eye": eye, "lights": lights, "votes": votes,
                "caption": caption}

    def clear_button(self, parts: dict) -> Button:
        rect = parts["buttons"]
        width = max(self.theme.touch[0], rect.width // 2 - self.theme.margin // 4)
        return Button("", pygame.Rect(rect.x, rect.y, width, rect.height), colours.CLEAR, icon="clear")

    def model_button(self, parts: dict) -> Button:
        rect = parts["buttons"]
        clear = self.clear_button(parts).rect
        return Button("", pygame.Rect(clear.right + self.theme.margin // 2, rect.y, rect.right - clear.right
                                      - self.theme.margin // 2, rect.height), colours.BAR)

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        parts = self.layout()
        found = [*self.nav.targets(), ("canvas", parts["canvas"]), ("clear", self.clear_button(parts).rect)]
        if len(self._kinds()) > 1:
            found.append(("model", self.model_button(parts).rect))
        if self.look is not None:  # a CNN's first row of maps answers a touch (its filters); the area is one target
            found.append(("lights", parts["lights"]))
        return found

    def _rows(self, area: pygame.Rect) -> list[pygame.Rect]:
        """One row per layer: the convolutions' maps, then the dense field (twice as tall); an MLP's field fills."""
        layers = self.look.layers if self.look is not None else ()
        spatial = sum(1 for layer in layers if layer.spatial)
        gap = self.theme.margin // 2
        weights = [1.0] * spatial + [2.0]
        unit = (area.height - gap * spatial) / sum(weights)
        rows, y = [], float(area.y)
        for weight in weights:
            rows.append(pygame.Rect(area.x, int(y), area.width, int(unit * weight)))
            y += unit * weight + gap
        return rows

    def _map_side(self, row: pygame.Rect) -> int:
        return max(1, min(row.height, (row.width - (MAPS[0] - 1) * self.theme.margin // 2) // MAPS[0]))

    def _maps_in(self, row: pygame.Rect) -> int:
        side = self._map_side(row)
        return max(1, min(MAPS[1], (row.width + self.theme.margin // 2) // (side + self.theme.margin // 2)))

    # -- drawing --------------------------------------------------------------------------------------------

    def draw(self, surface: pygame.Surface) -> None:
        t, parts = self.theme, self.layout()
        surface.fill(colours.BACKGROUND)
        self.nav.draw(surface, t, "learn")
        draw_paragraph(surface, self.phrases.text("learn.title"), t.font(1.9), colours.TEXT, parts["title"],
                       max_lines=2)
        self._draw_canvas(surface, parts["canvas"])
        self.clear_button(parts).draw(surface, t)
        if len(self._kinds()) > 1:
            label = self.recognizers[self.model].kind.upper()  # the network shown (its file may still be read)
            self.model_button(parts).draw(surface, t, label)
        self._draw_eye(surface, parts["eye"])
        pygame.draw.rect(surface, colours.PIXEL_OFF, parts["lights"].inflate(8, 8), border_radius=t.unit // 2)
        if self.look is not None:
            self._draw_lights(surface, parts["lights"])
            draw_probability_bars(surface, parts["votes"], tuple(self.look.votes), self.look.answer, t,
                                  grow=self.story.votes_shown())
        caption = self.story.caption
        if caption is not None:
            words, font = self.phrases.text(caption), t.font(1.6)
            if self.story.told_all and self.unit is None and self.teaching is not None:
                more = words + " " + self._taught_words(self.teaching)  # once all is said: what children taught it
                if len(wrap_lines(more, font, parts["caption"].width)) <= 2:  # only where it fits at full size
                    words = more
            draw_paragraph(surface, words, font, colours.TEXT, parts["caption"], max_lines=2)

    def _canvas_points(self, canvas: pygame.Rect) -> list[np.ndarray]:
        """The strokes in screen pixels: as drawn here, or a handed-over drawing fitted into the canvas."""
        if self.own or not self.strokes:
            return self.strokes
        points = np.concatenate(self.strokes)
        low, span = points.min(axis=0), max(float((points.max(axis=0) - points.min(axis=0)).max()), 1.0)
        scale = canvas.width * 0.8 / span
        offset = np.array(canvas.center) - (points.max(axis=0) + low) / 2 * scale
        return [s * scale + offset for s in self.strokes]

    def _draw_canvas(self, surface: pygame.Surface, canvas: pygame.Rect) -> None:
        pygame.draw.rect(surface, colours.CANVAS, canvas, border_radius=self.theme.unit)
        pygame.draw.rect(surface, colours.CANVAS_BORDER, canvas, width=3, border_radius=self.theme.unit)
        strokes = self._canvas_points(canvas)
        width = max(3, canvas.width // 22)
        for stroke in [*strokes, *([np.array(self.pen)] if self.pen else [])]:
            if len(stroke) == 1:
                pygame.draw.circle(surface, colours.INK, stroke[0], width // 2)
            elif len(stroke) > 1:
                pygame.draw.lines(surface, colours.INK, False, [tuple(p) for p in stroke], width)
        if self.look is not None and self.pen is None:
            view.draw_glowing_strokes(surface, canvas, strokes, self.glow, width, self.story.mattered_shown())
        rows = self.story.scan_rows()
        if 0 < rows < 28:  # the computer's eye, moving down the drawing
            y = canvas.y + canvas.height * rows // 28
            pygame.draw.line(surface, colours.COUNT_DOT, (canvas.x, y), (canvas.right, y), max(3, self.theme.unit // 3))

    def _draw_eye(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """What it sees (the 28x28 picture, row by row) and, under it, what a touched light looks for."""
        side = min(rect.width, (rect.height - self.theme.margin) // 2) // 28 * 28  # whole dots, as the picture has
        seen = pygame.Rect(rect.x, rect.y, side, side)
        image = self.image.copy() if self.image is not None else None
        if image is not None:
            image[self.story.scan_rows():] = 0  # the rows not looked at yet are still dark
        draw_model_view(surface, seen, image)
        wanted = pygame.Rect(rect.x, seen.bottom + self.theme.margin, side, side)
        if self.unit is None or self.brain is None:
            return
        key = ("wants", self.unit, side)
        if key not in self._surfaces:
            filters = self.brain.first_filters()
            weights = self.brain.looks_for(self.unit) if filters is None else filters[self.unit]
            self._surfaces[key] = view.weights_surface(weights, side)
        surface.blit(self._surfaces[key], wanted)
        pygame.draw.rect(surface, colours.COUNT_DOT, wanted, width=max(2, self.theme.unit // 4))

    def _draw_lights(self, surface: pygame.Surface, area: pygame.Rect) -> None:
        gap = self.theme.margin // 2
        for index, (layer, row) in enumerate(zip(self._shown_layers(), self._rows(area))):
            lit = self.story.layer_shown(index)
            if lit <= 0:
                continue  # not lit yet: the dark panel shows through
            if not layer.spatial:
                key = ("field", index, tuple(row))
                if key not in self._surfaces:  # made once a look and size, fully lit; dimmed below while it fades in
                    self._surfaces[key] = view.field_surface(layer.values, row, 1.0)
                field, origin = self._surfaces[key]
                surface.blit(field, origin)
                if self.unit is not None and self.brain.kind == "mlp":
                    _, cols, cell, (x0, y0) = view.field_cells(len(layer.values), row)
                    ring = pygame.Rect(x0 + self.unit % cols * cell, y0 + self.unit // cols * cell, cell, cell)
                    pygame.draw.rect(surface, colours.COUNT_DOT, ring.inflate(4, 4), width=2)
            else:
                side = self._map_side(row)
                key = ("maps", index, side, self._maps_in(row))
                if key not in self._surfaces:
                    channels = view.brightest(layer.values, self._maps_in(row))
                    pictures = view.maps_surfaces(layer.values, channels, side, 1.0)
                    if index == 0:  # the first layer's maps wear their filter: the little stroke each one looks for
                        view.badge_filters(pictures, [self.brain.first_filters()[c] for c in channels])
                    self._surfaces[key] = (channels, pictures)
                channels, pictures = self._surfaces[key]
                for k, picture in enumerate(pictures):
                    spot = pygame.Rect(row.x + k * (side + gap), row.y + (row.height - side) // 2, side, side)
                    surface.blit(picture, spot)
                    if index == 0 and channels[k] == self.unit:
                        pygame.draw.rect(surface, colours.COUNT_DOT, spot.inflate(4, 4), width=3)
            if lit < 1:
                view.dim(surface, row, 1 - lit)

    def _shown_layers(self):
        """The convolutions' lights, then the last dense layer's (the one the votes read)."""
        layers = self.look.layers
        return [layer for layer in layers if layer.spatial] + [layers[-1]]

    def _taught_words(self, status: TeachingStatus) -> str:
        tr = self.phrases.text
        if status.drawings == 0:
            return tr("learn.not_taught")
        words = tr("learn.taught.one") if status.drawings == 1 else tr("learn.taught", count=status.drawings)
        if status.before is not None and status.after is not None:
            before, after = self.phrases.percent(status.before), self.phrases.percent(status.after)
            words += " " + tr("learn.last_lesson", before=before, after=after)
        return words
