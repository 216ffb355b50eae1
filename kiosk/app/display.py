"""Opening the kiosk's display: SDL's drivers, the window or the full screen, and a clear message when
there is no screen to draw on."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pygame

from kiosk import native_output
from kiosk.errors import KioskError

log = logging.getLogger(__name__)
INVISIBLE_DRIVERS = ("offscreen", "dummy")  # SDL's fallbacks when there is no screen
WINDOW_SIZE = (1280, 800)


def open_display(options) -> pygame.Surface:
    """The surface the kiosk draws on, as options (LaunchOptions) ask; KioskError saying what to do when none opens."""
    if options.headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ["SDL_AUDIODRIVER"] = "dummy"
    try:
        with native_output.captured() as chatter:  # libwayland/SDL probing chatter, e.g. XDG_RUNTIME_DIR
            pygame.display.init()
        for line in chatter:
            log.debug("display driver: %s", line)
        pygame.font.init()
        refuse_an_invisible_screen(options)
        if pygame.display.get_driver() == "x11":
            # The kiosk draws in software and blits once a frame; SDL's "accelerated" window surface would
            # load Mesa's software OpenGL (libLLVM) on a machine with no GPU driver: +90 MB and 5% of a
            # core while waiting, measured on Xvfb. XShm is cheaper. (Read at set_mode; kmsdrm needs GL.)
            os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")
        return _set_mode(options)
    except pygame.error as error:
        raise KioskError(f"cannot open the screen ({error}); {screen_advice()}") from error


def _set_mode(opts) -> pygame.Surface:
    if opts.headless:
        return pygame.display.set_mode(opts.size or (800, 480))
    pygame.display.set_caption("Digit kiosk")
    if opts.windowed:
        desktops = pygame.display.get_desktop_sizes()
        return pygame.display.set_mode(opts.size or window_size(desktops[0] if desktops else (0, 0)))
    pygame.mouse.set_visible(False)  # a touchscreen kiosk shows no cursor
    return pygame.display.set_mode(opts.size or (0, 0), pygame.FULLSCREEN)


def refuse_an_invisible_screen(options) -> None:
    """With no screen, SDL quietly falls back to a driver that draws nowhere: say so instead of running unseen."""
    driver = pygame.display.get_driver()
    if options.headless or driver not in INVISIBLE_DRIVERS or os.environ.get("SDL_VIDEODRIVER") == driver:
        return  # asked for (--headless, or SDL_VIDEODRIVER set on purpose, as the benchmarks do)
    raise KioskError(f"no screen found (SDL fell back to its invisible {driver!r} driver); {screen_advice()}")


def screen_advice() -> str:
    """What was tried, and what to do next, for the "cannot open the screen" message."""
    asked = os.environ.get("SDL_VIDEODRIVER", "")
    tried = f"SDL_VIDEODRIVER={asked}" if asked else "SDL's drivers in order (no SDL_VIDEODRIVER set)"
    session = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or "none"
    cards = sorted(p.name for p in Path("/dev/dri").glob("card*")) if Path("/dev/dri").is_dir() else []
    if asked == "kmsdrm":
        if not cards:
            return f"tried {tried}, but there is no /dev/dri/card*: enable the KMS driver (dtoverlay=vc4-kms-v3d)"
        return (
            f"tried {tried} on {', '.join(cards)}: add this user to the video and render groups "
            "(sudo usermod -aG video,render $USER, then log in again), and stop any desktop that holds the screen"
        )
    hint = (
        "on Raspberry Pi OS Lite set SDL_VIDEODRIVER=kmsdrm"
        if cards and session == "none"
        else "start the kiosk from the desktop session (or set DISPLAY/WAYLAND_DISPLAY)"
    )
    return f"tried {tried}, desktop session {session}: {hint}; to try it without a screen, use --headless"


def window_size(desktop: tuple[int, int]) -> tuple[int, int]:
    """--windowed without --size: the usual 1280x800, shrunk to leave room for a title bar and a panel."""
    width, height = desktop
    if width <= 0 or height <= 0:
        return WINDOW_SIZE
    return min(WINDOW_SIZE[0], int(width * 0.9)), min(WINDOW_SIZE[1], int(height * 0.9))
