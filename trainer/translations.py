"""Compile the kiosk's gettext catalogs (kiosk/language/locale/*/LC_MESSAGES/kiosk.po) into the .mo files it loads.

The .po files are the source (edit them, or use any gettext tool such as Poedit); the .mo files are
committed so the kiosk needs no build step. A test checks that they agree in what they *mean* (the
messages, plural forms and charset), not byte for byte: each Babel release stamps its own version
into the header, and a newer Babel must not make a fresh clone's catalogs look stale.
Usage: digit-kiosk-trainer compile-translations [--check]   (Babel: the [dev] extra)
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.atomic_write import write_bytes_atomic
from kiosk.language.phrases import DOMAIN, LOCALE_DIR


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


def compile_catalogs(check: bool = False) -> list[Path]:
    """Write every .mo whose meaning differs from its .po (only list them with check); returns those .mo paths."""
    stale = []
    for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if up_to_date(po_path):
            continue  # never rewrite for a new Babel version stamp alone
        stale.append(mo_path)
        if not check:
            write_bytes_atomic(mo_path, compiled(po_path))
            print(f"wrote {mo_path.relative_to(LOCALE_DIR.parent.parent)}")
    return stale
