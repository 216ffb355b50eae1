"""The kiosk's screens: objects with handle(pointer_event), update(dt_ms), draw(surface), next_screen.

May import everything below them; learning (for "train it yourself", whose learner runs in its own process).
"""
