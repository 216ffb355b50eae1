import pygame
import pytest

from kiosk.language.phrases import Phrases
from kiosk.input import PointerDown
from kiosk.screens.admin import TIMEOUT_MS, PinScreen
from kiosk.ui.theme import Theme


@pytest.fixture
def pin_screen():
    pygame.font.init()
    return PinScreen("2468", Theme(800, 480), Phrases("en"))


def tap(screen, label):
    rect = next(button.rect for button, key in screen.keys if key == label)
    screen.handle(PointerDown(*rect.center))


def test_right_pin_asks_to_exit(pin_screen):
    for label in "2468":
        tap(pin_screen, label)
    tap(pin_screen, "OK")
    assert pin_screen.next_screen == "exit"


def test_wrong_pin_clears_and_stays(pin_screen):
    for label in "1111":
        tap(pin_screen, label)
    tap(pin_screen, "OK")
    assert pin_screen.next_screen is None and pin_screen.entered == "" and "not right" in pin_screen.phrases.text(pin_screen.message_id)


def test_back_and_timeout_return_to_drawing(pin_screen):
    tap(pin_screen, "Back")
    assert pin_screen.next_screen == "draw"
    pin_screen.next_screen = None
    pin_screen.update(TIMEOUT_MS + 1)
    assert pin_screen.next_screen == "draw"


def test_keypad_fits_small_screens():
    pygame.font.init()
    for size in ((800, 480), (480, 800), (1920, 1080)):
        screen = PinScreen("2468", Theme(*size), Phrases("en"))
        bounds = pygame.Rect(0, 0, *size)
        assert all(bounds.contains(button.rect) for button, _ in screen.keys)
        assert min(button.rect.width for button, _ in screen.keys) >= 48  # finger-sized
