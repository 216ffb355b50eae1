"""The voice: say a phrase without blocking the loop; a cached clip, else live speech, else silence.

Lives here: speaker (the chain), clips (the voice cache on disk), live (speech rendered on the spot
in a child process), engines (espeak-ng / pyttsx3 commands), pyttsx3_render (that child process),
audio_out (the loudspeaker through pygame.mixer, or nothing).
May import: kiosk.language, kiosk.errors, kiosk.atomic_write, and the pygame mixer only (never
the display or the event queue, a screen or ui).
"""
