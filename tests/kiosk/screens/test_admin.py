import pygame
import pytest

from kiosk.language.phrases import Phrases
from kiosk.input import PointerDown
from kiosk.screens.admin import TIMEOUT_MS, PinScreen
from kiosk.ui import colours
from kiosk.ui.text import recording_text
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
    assert (
        pin_screen.next_screen is None
        and pin_screen.entered == ""
        and "not right" in pin_screen.phrases.text(pin_screen.message_id)
    )


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


def enter_pin(screen, digits):
    for label in digits:
        tap(screen, label)
    tap(screen, "OK")


def test_wrong_pins_are_slowed_then_locked_out(pin_screen, caplog):
    from kiosk.screens.pin_lockout import FREE_TRIES, LOCK_AFTER, LOCKED_MS, WAIT_AFTER_WRONG_MS

    for _ in range(FREE_TRIES):
        enter_pin(pin_screen, "1111")
    assert not pin_screen.locked, "a grown-up's typo costs nothing"
    enter_pin(pin_screen, "1112")
    assert pin_screen.locked and pin_screen.wait_ms == WAIT_AFTER_WRONG_MS
    enter_pin(pin_screen, "2468")  # ignored while it waits, even the right PIN
    assert pin_screen.next_screen is None and pin_screen.entered == ""
    for _ in range(LOCK_AFTER - FREE_TRIES - 1):
        pin_screen.count_down(pin_screen.wait_ms)  # each wait doubles: 5 s, 10 s ...
        enter_pin(pin_screen, "1113")
    assert pin_screen.locked and pin_screen.wait_ms == LOCKED_MS and pin_screen.message_id == "admin.locked"
    assert "keypad locked" in caplog.text
    tap(pin_screen, "Back")  # the way back to drawing always works
    assert pin_screen.next_screen == "draw"
    pin_screen.count_down(LOCKED_MS - 1)
    assert pin_screen.locked
    pin_screen.count_down(1)
    enter_pin(pin_screen, "2468")
    assert pin_screen.next_screen == "exit"


def test_the_pin_screen_never_tells_a_child_the_built_in_pin_is_in_use(app_factory):
    # The log and the grown-ups' docs say so; whoever holds the corner sees the same keypad either way.
    from kiosk.config import DEFAULT_PIN

    shown = []
    for pin in (DEFAULT_PIN, "135790"):
        surface = pygame.Surface((800, 480))
        app_factory(admin_pin=pin).screens["admin"].draw(surface)
        shown.append(pygame.image.tobytes(surface, "RGB"))
    assert len(set(shown)) == 1, "the keypad said something about the built-in PIN"


def test_three_restarts_do_not_reset_the_count_of_tries(app_factory, caplog):
    caplog.set_level("INFO")
    counts = []
    for _ in range(4):  # a start, then three restarts, one wrong PIN each
        admin = app_factory().screens["admin"]
        enter_pin(admin, "1111")
        counts.append(admin.wrong_in_a_row)
    assert counts == [1, 2, 3, 4], "each restart began again at 1 in a row"
    from kiosk.screens.pin_lockout import WAIT_AFTER_WRONG_MS  # 3 free tries: the 4th waits

    restarted = app_factory().screens["admin"]
    assert restarted.locked and 0 < restarted.wait_ms <= WAIT_AFTER_WRONG_MS, "a restart does not end the wait"
    assert "wrong in a row before the restart" in caplog.text
    restarted.count_down(WAIT_AFTER_WRONG_MS)
    enter_pin(restarted, "2468")
    assert restarted.next_screen == "exit" and app_factory().screens["admin"].wrong_in_a_row == 0


def drawn_texts(screen):
    surface = pygame.Surface((screen.theme.width, screen.theme.height))
    with recording_text() as texts:
        screen.draw(surface)
    return surface, [text for text in texts if text.text.strip()]


@pytest.mark.parametrize("size", [(800, 480), (480, 800)])
def test_the_digits_to_type_are_rings_that_fill_with_big_dots(size):
    pygame.font.init()
    screen = PinScreen("2468", Theme(*size), Phrases("en"))
    surface, texts = drawn_texts(screen)
    assert not [text.text for text in texts if text.text.strip() in ("-", "*") or "*" in text.text], (
        "a lone placeholder"
    )
    five_mm = 5 * 5.6 * min(size) / 480
    assert len(screen.slots) == 4 and min(slot.height for slot in screen.slots) >= five_mm, "rings for the digits"
    assert all(surface.get_at(slot.center)[:3] == colours.BACKGROUND for slot in screen.slots), "empty rings"
    for label in "24":
        tap(screen, label)
    surface, texts = drawn_texts(screen)
    filled = [surface.get_at(slot.center)[:3] == colours.TEXT for slot in screen.slots]
    assert filled == [True, True, False, False], "two big dots for the two digits typed"
    assert not [text.text for text in texts if "*" in text.text]


def test_the_same_rings_for_every_pin_so_they_never_tell_its_length():
    pygame.font.init()
    shown = [PinScreen(pin, Theme(800, 480), Phrases("en")) for pin in ("2468", "13579024")]
    for screen in shown:
        drawn_texts(screen)
    assert shown[0].slots == shown[1].slots


def test_a_locked_keypad_counts_the_seconds_down_big_over_grey_keys(pin_screen):
    from kiosk.screens.pin_lockout import FREE_TRIES, LOCKED_MS, WAIT_AFTER_WRONG_MS

    for _ in range(FREE_TRIES + 1):
        enter_pin(pin_screen, "1111")
    assert pin_screen.locked and pin_screen.wait_ms == WAIT_AFTER_WRONG_MS

    def countdown():
        _, texts = drawn_texts(pin_screen)
        keys = [button.rect for button, _ in pin_screen.keys]
        return [text for text in texts if not any(key.contains(text.rect) for key in keys) and text.text[0].isdigit()]

    shown = countdown()
    assert [text.text for text in shown] == ["5"], "the seconds left, shown"
    assert shown[0].cap_px >= 1.5 * 16.8, "big: half as big again as the 3 mm floor"
    assert all(not button.enabled for button, label in pin_screen.keys if label != "Back"), "the keys grey"
    pin_screen.count_down(1000)
    assert [text.text for text in countdown()] == ["4"]
    pin_screen.lockout.wait_ms = LOCKED_MS  # locked for minutes: a clock a child reads
    assert [text.text for text in countdown()] == ["5:00"]
    pin_screen.count_down(LOCKED_MS)
    _, texts = drawn_texts(pin_screen)
    assert not countdown() and len(pin_screen.slots) == 4, "the rings come back when the wait is over"
