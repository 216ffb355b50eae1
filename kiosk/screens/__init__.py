"""The kiosk's screens: one module per screen (layout + drawing), each keeping Screen's contract in base.py
(enter, handle, update, draw, leave, reset, and go(target) for a typed Transition the App carries out).

May import everything below them, the drawing session (kiosk.session) among it; learning (for "train it
yourself", whose learner runs in its own process); atomic_write (pin_lockout keeps the count of wrong PINs
in the data dir, so a restart gives no fresh tries).
"""
