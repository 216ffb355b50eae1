"""The offline handwritten-digit kiosk: draw a digit, hear what the computer thinks, see why."""
