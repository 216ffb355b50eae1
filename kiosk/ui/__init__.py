"""The look: the palette (colours), sizes and fonts from the screen size (theme), text on screen (text),
buttons, tabs, bars and pictures (widgets), and the drawing screen's moving parts: the "Did I get it right?"
panel (feedback_panel), the attract loop (attract), the hand's walk along a digit's strokes
(hand_drawing), the game's digit and stars (game_pictures), the digit parade, the confetti and the answered
drawing moving away when the next begins (leaving_ink).

Imports run one way: colours and text at the bottom, theme above them, widgets above theme, the rest above.
May import: pygame, kiosk.input, kiosk.language, kiosk.recognition (for what it draws). Never a
screen or kiosk.app: screens are built from these parts, not the other way round.
"""
