"""Hostile input through the real event path (SDL events -> PointerTranslator -> drawing screen):
NaN and huge coordinates, 100,000 points in one stroke, 500 strokes, unknown fingers, up without
down. A calm answer or none, never an exception, and bounded work per recognition whatever came in:
the ink keeps a bounded number of points and the model rasterizes at most preprocess's point budget.
How fast that is lives in the benchmark (python -m benchmarks inference, "hostile" rows), not here."""

import math

import numpy as np
import pygame
import pytest

import kiosk.recognition.recognizer
from kiosk.input import PointerMove
from kiosk.recognition.preprocess import _MAX_POINTS
from kiosk.recognition.strokes import MAX_POINTS_PER_STROKE, MAX_STROKES

pytestmark = pytest.mark.reliability


def finger(kind, x, y, finger_id=0):
    pygame.event.post(pygame.event.Event(kind, x=x, y=y, dx=0.0, dy=0.0, finger_id=finger_id, touch_id=0, pressure=1.0))


def canvas_point(app, u, v):
    c = app.screens["draw"].canvas
    return (c.x + u * c.width) / 800, (c.y + v * c.height) / 480


@pytest.fixture
def rasterized(monkeypatch):
    """The point counts each recognizer rasterized, one entry per call."""
    counts = []
    real = kiosk.recognition.recognizer.image_and_frame

    def counting(cleaned):
        counts.append(sum(len(points) for points in cleaned))
        return real(cleaned)

    monkeypatch.setattr(kiosk.recognition.recognizer, "image_and_frame", counting)
    return counts


def recognition(app, rasterized):
    """Press Recognize; the work it did is bounded: one rasterization per model, within the point budget."""
    draw = app.screens["draw"]
    rasterized.clear()
    draw.press("recognize")
    assert len(rasterized) <= len(draw.recognizers)
    assert all(count <= _MAX_POINTS + 2 * MAX_STROKES for count in rasterized), rasterized  # + ends kept per stroke
    return rasterized, draw


def test_nonsense_coordinates_and_unknown_fingers(app, rasterized):
    for x, y in ((math.nan, 0.5), (0.5, math.inf), (-1e308, 1e308), (1e9, -1e9)):
        finger(pygame.FINGERDOWN, x, y)
        finger(pygame.FINGERMOTION, x, y)
        finger(pygame.FINGERUP, x, y)
    finger(pygame.FINGERUP, 0.5, 0.5, finger_id=99)  # up without down
    finger(pygame.FINGERMOTION, 0.5, 0.5, finger_id=42)  # a finger nobody saw go down
    pygame.event.post(pygame.event.Event(pygame.FINGERDOWN))  # no attributes at all
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(math.nan, 3), button=1))
    app.frame(16)
    app.frame(16)
    _, draw = recognition(app, rasterized)
    assert draw.prediction is None or draw.prediction.digit is None or 0 <= draw.prediction.digit <= 9


def test_100000_points_in_one_stroke(app, rasterized):
    rng = np.random.default_rng(0)
    finger(pygame.FINGERDOWN, *canvas_point(app, 0.5, 0.5))
    app.frame(16)
    draw = app.screens["draw"]
    c = draw.canvas
    for x, y in rng.uniform(0, 1, (100_000, 2)):  # straight into the screen: the event queue holds far fewer
        draw.handle(PointerMove(c.x + x * c.width, c.y + y * c.height))
    finger(pygame.FINGERUP, *canvas_point(app, 0.5, 0.5))
    app.frame(16)
    counts, draw = recognition(app, rasterized)
    assert len(draw.ink.strokes[0]) == MAX_POINTS_PER_STROKE  # kept bounded while drawing
    assert counts and max(counts) <= _MAX_POINTS  # thinned before rasterizing
    assert draw.prediction is not None and draw.prediction.digit is None  # a scribble
    app.frame(16)


def test_500_strokes(app, rasterized):
    rng = np.random.default_rng(1)
    for _ in range(500):
        u, v = rng.uniform(0.05, 0.95, 2)
        finger(pygame.FINGERDOWN, *canvas_point(app, u, v))
        finger(pygame.FINGERMOTION, *canvas_point(app, min(u + 0.03, 0.99), v))
        finger(pygame.FINGERUP, *canvas_point(app, min(u + 0.03, 0.99), v))
        app.frame(1)  # the queue is drained every frame, as at 60 fps with a very fast child
    _, draw = recognition(app, rasterized)
    assert len(draw.ink.strokes) == MAX_STROKES  # the rest are ignored, calmly
    assert draw.prediction.digit is None
    app.frame(16)


def test_a_storm_of_events_in_one_frame(app, rasterized):
    for i in range(5000):
        finger(
            [pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP][i % 3],
            *canvas_point(app, (i % 97) / 97, (i % 89) / 89),
            finger_id=i % 7,
        )
    app.frame(16)
    assert not pygame.event.peek()  # one frame took in the whole storm
    draw = app.screens["draw"]
    assert len(draw.ink.strokes) <= MAX_STROKES and sum(len(s) for s in draw.ink.strokes) <= 5000
    recognition(app, rasterized)
