"""The offline handwritten-digit kiosk: draw a digit, hear what the computer thinks, see why."""
from __future__ import annotations


def version() -> str:
    """The installed package's version, from its metadata (pyproject.toml's, once `pip install -e .` has run)."""
    from importlib import metadata

    try:
        return metadata.version("digit-kiosk")
    except metadata.PackageNotFoundError:
        return "unknown (not installed: run pip install -e . in the checkout)"
