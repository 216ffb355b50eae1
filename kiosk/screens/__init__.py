"""The kiosk's screens: objects with handle(pointer_event), update(dt_ms), draw(surface), next_screen."""
