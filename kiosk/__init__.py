"""The offline handwritten-digit kiosk: draw a digit, hear what the computer thinks, see why."""
from __future__ import annotations


def version() -> str:
    """The installed package's version (pyproject.toml's, in a checkout that was never installed)."""
    from importlib import metadata

    try:
        return metadata.version("digit-kiosk")
    except metadata.PackageNotFoundError:
        import re
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        found = re.search(r'^version = "([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M) if pyproject.is_file() else None
        return found.group(1) if found else "unknown"
