"""How every benchmark hands over its result: JSON on stdout, and kept in a file when asked."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.atomic_write import write_text_atomic


def emit(result, out: Path | None, indent: int = 1) -> int:
    """Print the result as JSON and, given out, write the same text there (atomically); the exit status, 0."""
    text = json.dumps(result, indent=indent)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(out, text + "\n")
    print(text)
    return 0
