"""VoiceClips: the voice cache on disk (voice_cache/manifest.json and one clip per phrase and language).

A clip is used only if its manifest entry says the same text as the current catalog (a changed
phrase must not speak its old words) and its sha256 still matches (a corrupt file is skipped, and
the live voice says the phrase instead).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(folder: Path) -> dict:
    """The manifest as a dict with a "clips" list; an empty one if it is missing or unreadable (logged)."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("clips"), list):
            raise ValueError(f"not a format-{MANIFEST_FORMAT} voice manifest")
        return manifest
    except FileNotFoundError:
        log.warning("no voice cache at %s; phrases will be spoken live", folder)
    except (OSError, ValueError, AttributeError) as error:
        log.error("voice manifest %s is unreadable (%s); phrases will be spoken live", path, error)
    return {"format": MANIFEST_FORMAT, "clips": []}


def _well_formed(entry) -> bool:
    """An entry the lookup can use: a dict whose id, lang, text, file and sha256 are strings (others are skipped)."""
    return isinstance(entry, dict) and all(
        isinstance(entry.get(k), str) for k in ("id", "lang", "text", "file", "sha256")
    )


class VoiceClips:
    """Looks up the clip for a phrase in a language, checking it before first use."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.entries = {(c["id"], c["lang"]): c for c in read_manifest(self.folder)["clips"] if _well_formed(c)}
        self._checked: dict[tuple[str, str], bool] = {}

    def path(self, phrase_id: str, lang: str, text: str) -> Path | None:
        """The clip file for this phrase, if there is a good one that says exactly text."""
        entry = self.entries.get((phrase_id, lang))
        if entry is None or entry.get("text") != text:
            return None
        key = (phrase_id, lang)
        if key not in self._checked:
            self._checked[key] = self._check(entry)
        return self.folder / entry["file"] if self._checked[key] else None

    def _check(self, entry: dict) -> bool:
        path = self.folder / str(entry.get("file", ""))
        try:
            good = path.is_file() and sha256_of(path) == entry.get("sha256")
        except OSError:
            good = False
        if not good:
            log.error("voice clip %s is missing or corrupt (sha256 differs from the manifest); speaking it live", path)
        return good
