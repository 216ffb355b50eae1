import pygame

from kiosk.phrases import Phrases
from kiosk.models import load_recognizers
from kiosk.config import KioskConfig
from kiosk.input import PointerDown
from kiosk.screens.learn import LearnScreen
from kiosk.theme import Theme
from kiosk.widgets import NavBar


def test_learn_screen_shows_the_childs_drawing_or_an_example_and_navigates():
    pygame.display.init()
    pygame.font.init()
    recognizers = load_recognizers(KioskConfig.load(None))
    nav = NavBar(pygame.Rect(420, 10, 370, 36), Phrases("en"))
    screen = LearnScreen(recognizers, Theme(800, 480), nav, Phrases("en"))
    screen.enter([])  # nothing drawn yet: an example 7 flows through the steps
    assert screen.prediction is not None and screen.prediction.best == 7
    screen.enter([[(100, 50), (100, 350)]])
    assert screen.prediction.best == 1
    for size in ((800, 480), (480, 800)):  # even with tabs laid out for another size: no crash
        screen.theme = Theme(*size)
        screen.draw(pygame.Surface(size))
    screen.handle(PointerDown(*nav.tabs[0][1].center))
    assert screen.next_screen == "draw"
    pygame.display.quit()
