"""Compile the kiosk's gettext catalogs (kiosk/locale/*/LC_MESSAGES/kiosk.po) into the .mo files it loads.

The .po files are the source (edit them, or use any gettext tool such as Poedit); the .mo files are
committed so the kiosk needs no build step. A test checks that they agree.
Usage: python scripts/compile_translations.py [--check]
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kiosk.atomic_write import write_bytes_atomic  # noqa: E402
from kiosk.phrases import DOMAIN, LOCALE_DIR  # noqa: E402


def compiled(po_path: Path) -> bytes:
    """The .mo bytes for one .po file (Babel writes them sorted, so the output is reproducible)."""
    with po_path.open("rb") as file:
        catalog = read_po(file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report .mo files that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        data = compiled(po_path)
        if mo_path.exists() and mo_path.read_bytes() == data:
            continue
        stale.append(mo_path)
        if not args.check:
            write_bytes_atomic(mo_path, data)
            print(f"wrote {mo_path.relative_to(LOCALE_DIR.parent.parent)}")
    if args.check and stale:
        print("out of date: " + ", ".join(str(p) for p in stale) + "; run scripts/compile_translations.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
