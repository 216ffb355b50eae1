"""The look: colours and sizes from the screen size (theme), buttons, bars and pictures (widgets),
and the "Did I get it right?" panel (feedback_panel).

May import: pygame, kiosk.input, kiosk.language, kiosk.recognition (for what it draws). Never a
screen or kiosk.app: screens are built from these parts, not the other way round.
"""
