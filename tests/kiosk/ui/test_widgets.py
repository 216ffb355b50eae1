"""Widgets: a label is rendered once and reused frame after frame, and the cache stays bounded."""

import pygame

from kiosk.ui import text, widgets
from kiosk.ui.theme import Theme


def test_labels_are_rendered_once_and_the_cache_is_bounded(monkeypatch):
    pygame.display.init()
    pygame.font.init()
    surface = pygame.Surface((800, 480))
    font = Theme(800, 480).font(3)
    renders = []
    real = type(font).render

    class Counting:
        def __init__(self, font):
            self.font = font

        def render(self, *args):
            renders.append(args[0])
            return real(self.font, *args)

    counting = Counting(font)
    text._TEXT_CACHE.clear()
    for _ in range(100):  # 100 frames of the same label
        widgets.draw_text(surface, "Draw a number!", counting, (0, 0, 0), (400, 240))
    assert renders == ["Draw a number!"]
    for i in range(3 * text._TEXT_CACHE_SIZE):  # a counter that changes every frame, for hours
        widgets.draw_text(surface, str(i), counting, (0, 0, 0), (400, 240))
    assert len(text._TEXT_CACHE) == text._TEXT_CACHE_SIZE
    assert widgets.draw_text(surface, "wide " * 40, counting, (0, 0, 0), (400, 240), max_width=300).width == 300


def test_fonts_survive_pygame_being_quit_and_started_again():
    """pygame.quit() (the end of App.run) kills every font; the next screen must still draw its words."""
    pygame.display.init()
    pygame.font.init()
    theme = Theme(800, 480)
    theme.font(3).render("before", True, (0, 0, 0))
    pygame.quit()
    pygame.display.init()
    pygame.font.init()
    assert widgets.draw_text(pygame.Surface((800, 480)), "after", theme.font(3), (0, 0, 0), (400, 240)).width > 0


def test_ink_is_drawn_incrementally_and_looks_the_same_as_drawn_whole():
    import numpy as np
    import pygame

    from kiosk.ui.widgets import InkLayer, render_ink

    rng = np.random.default_rng(0)
    strokes = [[], []]
    strokes[0] = [(float(x), float(y)) for x, y in np.cumsum(rng.normal(0, 3, (600, 2)), 0) + 150]
    strokes[1] = [(float(x), float(y)) for x, y in np.cumsum(rng.normal(0, 3, (400, 2)), 0) + 200]
    layer = InkLayer((400, 400), 16)
    growing = [[]]
    for point in strokes[0]:  # point by point, as a finger draws
        growing[-1].append(point)
        layer.update(growing)
    growing.append([])
    for point in strokes[1]:
        growing[-1].append(point)
        surface = layer.update(growing)
    assert layer.full_redraws == 0, "no frame drew the whole drawing again"
    whole = render_ink(strokes, (400, 400), 16)
    mine = pygame.surfarray.array_alpha(surface).astype(int)
    theirs = pygame.surfarray.array_alpha(whole).astype(int)
    assert (np.abs(mine - theirs) > 40).mean() < 0.002, "the same ink, up to antialiasing where segments join"
    layer.update([strokes[0]])  # undo the second stroke
    assert layer.full_redraws == 1
    redrawn = pygame.surfarray.array_alpha(layer.surface).astype(int)
    assert (
        np.abs(redrawn - pygame.surfarray.array_alpha(render_ink([strokes[0]], (400, 400), 16)).astype(int)) > 40
    ).mean() < 0.001
    assert layer.update([]) is None


def test_a_short_last_word_is_never_left_alone_on_its_line():
    pygame.font.init()
    font = Theme(1920, 1080).font(1.8, bold=False)
    sentence = "Use your finger to draw one digit: 0 to 9"
    width = font.size("Use your finger to draw one digit: 0 to")[0] + 2  # where "9" used to wrap on its own
    lines = text.wrap_lines(sentence, font, width)
    assert lines == ["Use your finger to draw one digit: 0", "to 9"]
    assert text.wrap_lines("Draw a number!", font, 2000) == ["Draw a number!"]
    assert all(font.size(line)[0] <= width for line in lines)
