"""Compile the kiosk's gettext catalogs (kiosk/language/locale/*/LC_MESSAGES/kiosk.po) into the .mo files it loads.

The .po files are the source (edit them, or use any gettext tool such as Poedit); the .mo files are
committed so the kiosk needs no build step. A test checks that they agree in what they *mean* (the
messages, plural forms and charset), not byte for byte: each Babel release stamps its own version
into the header, and a newer Babel must not make a fresh clone's catalogs look stale.
Usage: python scripts/compile_translations.py [--check]
"""
from __future__ import annotations

import argparse
import gettext
import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kiosk.atomic_write import write_bytes_atomic  # noqa: E402
from kiosk.language.phrases import DOMAIN, LOCALE_DIR  # noqa: E402


def compiled(po_path: Path) -> bytes:
    """The .mo bytes for one .po file (Babel writes them sorted, so the output is reproducible)."""
    with po_path.open("rb") as file:
        catalog = read_po(file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


# Header fields that change what a catalog says; the rest (dates, translator, Generated-By) do not.
MEANINGFUL_HEADERS = ("language", "plural-forms", "content-type")


def meaning(mo_bytes: bytes) -> dict:
    """What a compiled catalog says: its messages and the header fields that change them."""
    translations = gettext.GNUTranslations(io.BytesIO(mo_bytes))
    messages = {key: text for key, text in translations._catalog.items() if key != ""}  # "" is the header
    headers = {name: translations._info.get(name) for name in MEANINGFUL_HEADERS}
    return {"messages": messages, "headers": headers}


def up_to_date(po_path: Path) -> bool:
    """Whether the committed .mo beside po_path says what the .po says."""
    mo_path = po_path.with_suffix(".mo")
    return mo_path.exists() and meaning(mo_path.read_bytes()) == meaning(compiled(po_path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report .mo files that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if up_to_date(po_path):
            continue  # never rewrite for a new Babel version stamp alone
        stale.append(mo_path)
        if not args.check:
            write_bytes_atomic(mo_path, compiled(po_path))
            print(f"wrote {mo_path.relative_to(LOCALE_DIR.parent.parent)}")
    if args.check and stale:
        print("out of date: " + ", ".join(str(p) for p in stale) + "; run scripts/compile_translations.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
