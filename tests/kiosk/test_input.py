import math

import pygame
import pytest

from kiosk.input import PointerDown, PointerMove, PointerTranslator, PointerUp

SIZE = (800, 480)


def finger(kind, x, y, finger_id=0):
    return pygame.event.Event(kind, x=x, y=y, dx=0.0, dy=0.0, finger_id=finger_id, touch_id=0, pressure=1.0)


def mouse(kind, pos, touch=False, button=1, buttons=(1, 0, 0)):
    return pygame.event.Event(kind, pos=pos, touch=touch, button=button, buttons=buttons, rel=(0, 0))


def test_finger_events_become_pointer_events_in_pixels():
    t = PointerTranslator(SIZE)
    assert t.translate(finger(pygame.FINGERDOWN, 0.5, 0.25)) == PointerDown(400.0, 120.0)
    assert t.translate(finger(pygame.FINGERMOTION, 0.5, 0.5)) == PointerMove(400.0, 240.0)
    assert t.translate(finger(pygame.FINGERUP, 0.5, 0.5)) == PointerUp(400.0, 240.0)


def test_mouse_copies_of_touches_do_not_count_twice():
    t = PointerTranslator(SIZE)
    assert t.translate(finger(pygame.FINGERDOWN, 0.5, 0.5)) is not None
    assert t.translate(mouse(pygame.MOUSEBUTTONDOWN, (400, 240), touch=True)) is None
    assert t.translate(mouse(pygame.MOUSEMOTION, (410, 240), touch=True)) is None


def test_plain_mouse_draws_where_there_is_no_touch():
    t = PointerTranslator(SIZE)
    assert t.translate(mouse(pygame.MOUSEMOTION, (5, 5), buttons=(0, 0, 0))) is None  # hovering
    assert t.translate(mouse(pygame.MOUSEBUTTONDOWN, (10, 20))) == PointerDown(10.0, 20.0)
    assert t.translate(mouse(pygame.MOUSEMOTION, (30, 40))) == PointerMove(30.0, 40.0)
    assert t.translate(mouse(pygame.MOUSEBUTTONUP, (30, 40))) == PointerUp(30.0, 40.0)
    assert t.translate(mouse(pygame.MOUSEBUTTONDOWN, (10, 20), button=3)) is None  # right button


def test_a_second_finger_does_not_scribble():
    t = PointerTranslator(SIZE)
    t.translate(finger(pygame.FINGERDOWN, 0.1, 0.1, finger_id=1))
    assert t.translate(finger(pygame.FINGERDOWN, 0.9, 0.9, finger_id=2)) is None
    assert t.translate(finger(pygame.FINGERMOTION, 0.8, 0.8, finger_id=2)) is None
    assert t.translate(finger(pygame.FINGERUP, 0.8, 0.8, finger_id=2)) is None
    assert t.translate(finger(pygame.FINGERMOTION, 0.2, 0.2, finger_id=1)) == PointerMove(160.0, 96.0)


@pytest.mark.parametrize(
    "event",
    [
        finger(pygame.FINGERMOTION, 0.5, 0.5, finger_id=7),  # motion without down
        finger(pygame.FINGERUP, 0.5, 0.5, finger_id=7),  # up without down
        finger(pygame.FINGERDOWN, math.nan, 0.5),
        pygame.event.Event(pygame.FINGERDOWN),  # no coordinates at all
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_a),
    ],
)
def test_strange_events_are_ignored_not_raised(event):
    assert PointerTranslator(SIZE).translate(event) is None


def test_coordinates_outside_the_screen_are_clamped():
    t = PointerTranslator(SIZE)
    assert t.translate(finger(pygame.FINGERDOWN, 1.7, -3.0)) == PointerDown(799.0, 0.0)


def test_once_fingers_are_seen_untagged_mouse_events_are_ignored():
    t = PointerTranslator(SIZE)
    assert t.translate(mouse(pygame.MOUSEBUTTONDOWN, (10, 20))) is not None  # no touch yet: the mouse draws
    t.translate(mouse(pygame.MOUSEBUTTONUP, (10, 20)))
    t.translate(finger(pygame.FINGERDOWN, 0.5, 0.5))
    t.translate(finger(pygame.FINGERUP, 0.5, 0.5))
    # An X server's emulated pointer for the same touch carries no touch flag: it must not draw twice.
    assert t.translate(mouse(pygame.MOUSEBUTTONDOWN, (400, 240))) is None
    assert t.translate(mouse(pygame.MOUSEMOTION, (410, 240))) is None
