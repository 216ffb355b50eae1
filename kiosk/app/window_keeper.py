"""Keeping the fullscreen kiosk in front: a window hidden, minimized or left without focus (Super+D shows the
desktop, a compositor unmaps it, a panel takes the focus) is brought back, and each time is logged.

Works through SDL's window events and calls, so it is the same under X11 and Wayland; what a compositor
allows (raising a window is a request there) is in docs/install-pi.md.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import warnings

import pygame

log = logging.getLogger(__name__)
SIGNS = {
    pygame.WINDOWHIDDEN: "hidden",
    pygame.WINDOWMINIMIZED: "minimized",
    pygame.WINDOWFOCUSLOST: "lost the focus",
}
RETRY_MS = 1000  # a compositor that refuses is asked again this often, never every frame
LOG_EVERY_MS = 60_000  # one line a minute at most: Super+D pressed a hundred times must not fill the log


def display_window():
    """The window pygame.display opened (pygame-ce's Window; its constructor for this is deprecated but kept)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pygame.Window.from_display_module()


class _ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def activate_as_a_pager(window_id: int) -> bool:
    """X11 only: map the window and ask the window manager to activate it as a pager would (EWMH source 2).
    SDL asks as an application (source 1), which openbox's show-desktop mode (Super+D) ignores."""
    name = ctypes.util.find_library("X11")
    if not name:
        return False
    xlib = ctypes.CDLL(name)
    xlib.XOpenDisplay.restype, xlib.XOpenDisplay.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    xlib.XInternAtom.restype, xlib.XInternAtom.argtypes = (
        ctypes.c_ulong,
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int],
    )
    xlib.XDefaultRootWindow.restype, xlib.XDefaultRootWindow.argtypes = ctypes.c_ulong, [ctypes.c_void_p]
    xlib.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(_XEvent)]
    xlib.XFlush.argtypes = xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xlib.XMapRaised.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    display = xlib.XOpenDisplay(None)
    if not display:
        return False
    try:
        event = _XEvent()
        message = event.xclient
        message.type, message.send_event, message.display, message.window = 33, 1, display, window_id  # ClientMessage
        message.message_type, message.format = xlib.XInternAtom(display, b"_NET_ACTIVE_WINDOW", 0), 32
        message.data[0] = 2  # from a pager
        redirect_and_notify = (1 << 20) | (1 << 19)  # SubstructureRedirectMask | SubstructureNotifyMask
        xlib.XMapRaised(display, window_id)  # unmapped outright (xdotool windowunmap): a map request, no wait
        xlib.XSendEvent(display, xlib.XDefaultRootWindow(display), 0, redirect_and_notify, ctypes.byref(event))
        xlib.XFlush(display)
    finally:
        xlib.XCloseDisplay(display)
    return True


class WindowKeeper:
    """Notices the kiosk's window hidden, minimized or losing the focus, and brings it back in front, fullscreen."""

    def __init__(self, fullscreen: bool, window_factory=None):
        self.fullscreen, self.window_factory = fullscreen, window_factory  # fullscreen: insist on it again
        self.away: str | None = None  # why the window is away now; None: in front
        self.times_away = 0
        self._since_try_ms = RETRY_MS
        self._since_log_ms = LOG_EVERY_MS

    def notice(self, event: pygame.event.Event) -> bool:
        """True for the window events it watches (they are not input)."""
        if event.type in SIGNS:
            if self.away is None:
                self.times_away += 1
                self._since_try_ms = RETRY_MS  # the first try at once
            self.away = SIGNS[event.type]
            return True
        if event.type in (pygame.WINDOWSHOWN, pygame.WINDOWRESTORED, pygame.WINDOWFOCUSGAINED):
            self.away = None
            return True
        return False

    def update(self, dt_ms: float, events=None) -> bool:
        """Bring the window back if it is away (at most every RETRY_MS); True when it tried now (events: the
        kiosk's EventLog, told each time)."""
        self._since_log_ms += dt_ms
        self._since_try_ms += dt_ms
        if self.away is None or self._since_try_ms < RETRY_MS:
            return False
        self._since_try_ms = 0.0
        why = self.away
        if self._since_log_ms >= LOG_EVERY_MS:
            self._since_log_ms = 0.0
            log.warning(
                "the kiosk's window was %s (%d time(s) so far); bringing it back in front", why, self.times_away
            )
        try:
            window = (self.window_factory or display_window)()
            if pygame.display.get_driver() == "x11":
                # SDL's restore and show wait for the window to be mapped, and under a show-desktop mode it never
                # is: the loop froze (seen with openbox on Xvfb). A pager's request never waits, and ends that mode.
                activate_as_a_pager(pygame.display.get_wm_info().get("window", 0))
            else:
                window.restore()
                window.show()
            window.focus()  # a raise where the compositor allows it (X11 window managers, labwc, wayfire)
            if self.fullscreen and not pygame.display.is_fullscreen():
                window.set_fullscreen()
        except pygame.error as error:
            log.warning("could not bring the kiosk's window back: %s", error)
        if events is not None:
            events.write(type="window", away=why, brought_back=True)
        return True
