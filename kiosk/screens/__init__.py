"""The kiosk's screens: objects with enter, handle(pointer_event), update(dt_ms), draw(surface), leave, reset, and go(target).

May import everything below them; learning (for "train it yourself", whose learner runs in its own process).
"""
