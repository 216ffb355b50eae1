"""What children taught: the labelled drawings ("Did I get it right?") and what they changed.

Lives here: feedback_store (one small JSON file per drawing, capped), status (counts and the last
lesson, for the Learn screen). The nightly retraining (kiosk.retraining) reads the same store.
May import: kiosk.recognition, kiosk.atomic_write, kiosk.errors. Never pygame, a screen or ui.
"""
