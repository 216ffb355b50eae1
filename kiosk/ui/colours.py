"""The palette: every colour the kiosk draws with, and the contrast ratio the layout floors check them by."""

from __future__ import annotations

# Every word on a colour reaches WCAG's 4.5:1 (white on the button colours: 4.8 to 6.4:1; the dark
# text on paper, tracks and cards: 11 to 14:1) and every meaningful graphic 3:1; tests/kiosk/ui holds it.
BACKGROUND = (255, 246, 229)  # warm paper
CANVAS = (255, 255, 255)
CANVAS_BORDER = (250, 200, 120)  # decoration only: the canvas itself is white on paper
INK = (30, 40, 90)
GHOST_INK = (190, 120, 30)  # the attract loop's hand-drawn digit: 3.6:1 on the canvas
TEXT = (40, 40, 60)
SOFT_TEXT = (105, 95, 85)  # 5.8:1 on paper
BAR = (30, 90, 190)
BAR_BEST = (20, 120, 60)
BAR_TRACK = (238, 228, 210)
CLEAR = (190, 50, 40)
UNDO = (175, 85, 0)
RECOGNIZE = (20, 120, 60)
BUTTON_TEXT = (255, 255, 255)
DISABLED = (225, 220, 210)  # a button that does nothing now: clearly off, its word still 5:1
DISABLED_TEXT = (95, 90, 85)
PIXEL_ON = (255, 255, 255)
PIXEL_OFF = (25, 25, 40)
COUNT_DOT = (200, 100, 0)  # 3.7:1 on paper


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2.2 contrast ratio of two sRGB colours, from 1 (same) to 21 (black on white)."""

    def luminance(colour) -> float:
        channels = [c / 255 for c in colour[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
