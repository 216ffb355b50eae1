"""The kiosk's one loop (App) and what it needs at hand: opening the display, the launch options, replay
injection, the grown-ups' corner, the visitor's model swap and keeping the window in front, each in its own module.

May import every kiosk part below it (screens, ui, voice, recognition, teaching, config, ...); nothing imports it
but kiosk.__main__.
"""

from kiosk.app.display import refuse_an_invisible_screen, screen_advice, window_size
from kiosk.app.loop import EXIT_BY_ADMIN, App, resident_mb
from kiosk.app.options import LaunchOptions

__all__ = [
    "App",
    "EXIT_BY_ADMIN",
    "LaunchOptions",
    "refuse_an_invisible_screen",
    "resident_mb",
    "screen_advice",
    "window_size",
]
