"""The visitor's session, without pygame: the child's turn at the canvas (ink, the quiet guess, when to
answer, new drawing or the same one, the question, corrections and what this visitor taught).

May import errors, event_log, language (phrase ids), recognition and teaching; never pygame, a screen, the ui
or the voice (speech goes out through callables the screen hands in), so every decision is tested with a fake clock.
"""
