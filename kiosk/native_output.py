"""Keep the C libraries' chatter off the terminal: alsa-lib, libwayland and SDL print to file
descriptor 2 directly when they probe for devices that are not there (8 ALSA lines and an
XDG_RUNTIME_DIR warning on a machine without a sound card), which buries the kiosk's own messages.

captured() swaps fd 2 for a temporary file while a device is opened, then hands back what was
written so the caller can log it at debug level, or put it into an error message when opening failed.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from typing import Iterator


@contextlib.contextmanager
def captured() -> Iterator[list[str]]:
    """Within the block, native writes to stderr go to a list of lines (filled when the block ends)."""
    lines: list[str] = []
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no fd 2 (a detached service): nothing to hide
        yield lines
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(line for line in sink.read().decode("utf-8", "replace").splitlines() if line.strip())
