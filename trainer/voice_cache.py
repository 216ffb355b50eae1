"""Render every spoken phrase in every language to an OGG clip, plus voice_cache/manifest.json.

The engines (trainer/voice_render.py), best first: gTTS (natural voices, needs the internet: only with
--engine auto or gtts), then SVOX Pico (py-nanotts: natural enough, offline), espeak-ng, pyttsx3. Each
clip is trimmed to a fixed head and tail and set to one loudness (ITU-R BS.1770, kiosk/voice/loudness.py,
as live speech is), encoded as OGG Vorbis (which pygame.mixer plays on a Raspberry Pi), decoded again and
checked for a plausible length and loudness before it is kept. The manifest records each clip's engine,
voice and settings. Re-running renders only what is missing, changed, corrupt or made by a lesser engine or other
settings than this run's; a clip whose new render fails is kept. Every file is written atomically.

Usage: digit-kiosk-trainer build-voice-cache [--engine auto|gtts|offline|pico|espeak-ng|pyttsx3]
       [--spanish spain|latin-america] [--languages en es fr] [--out DIR] [--force]   (the [voice] extra)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path


from kiosk.atomic_write import write_bytes_atomic, write_text_atomic
from kiosk.language.phrases import SPOKEN_IDS, Phrases
from kiosk.voice import loudness
from kiosk.voice.clips import MANIFEST, MANIFEST_FORMAT, read_manifest
from trainer.voice_render import MAX_LOUDNESS_ERROR_LU, RANK, Renderer, SynthesisError, measure


def build(
    out: Path, languages: list[str], renderer: Renderer, force: bool = False, phrases: Phrases | None = None
) -> dict:
    """Bring the cache in out up to date; returns counts of kept, rendered and removed clips."""
    phrases = phrases or Phrases()
    old = {(c["id"], c["lang"]): c for c in read_manifest(out)["clips"]} if (out / MANIFEST).exists() else {}
    clips, counts = [], {"kept": 0, "rendered": 0, "removed": 0, "failed": 0}
    try:
        _render_missing(out, languages, renderer, force, phrases, old, clips, counts)
    except BaseException:  # an error or Ctrl-C: keep every clip made so far
        _write_manifest(out, clips + list(old.values()))
        raise
    for entry in old.values():  # phrases no longer spoken, or languages dropped
        if entry["lang"] in languages:
            (out / entry["file"]).unlink(missing_ok=True)
            counts["removed"] += 1
        else:
            clips.append(entry)
    _write_manifest(out, clips)
    return counts


def _render_missing(out, languages, renderer, force, phrases, old, clips, counts) -> None:
    for lang in languages:
        for phrase_id in SPOKEN_IDS:
            text = phrases.text(phrase_id, lang)
            entry = old.get((phrase_id, lang))
            if entry is not None and not force and _still_good(out, entry, text, renderer, phrase_id):
                clips.append(old.pop((phrase_id, lang)))
                counts["kept"] += 1
                continue
            try:
                clip = renderer.render(text, lang, phrase_id)
                info = measure(clip.data)
            except SynthesisError as error:
                if renderer.engine == "gtts":
                    raise  # asked for gTTS only: one clear message, not one per phrase
                # The old clip (if any) stays listed and on disk: a failed render never loses a voice.
                print(
                    f"{lang} {phrase_id}: not rendered ({error}); "
                    f"{'the old clip is kept' if entry is not None else 'it will be spoken live'}",
                    file=sys.stderr,
                )
                counts["failed"] += 1
                if entry is not None:
                    clips.append(old.pop((phrase_id, lang)))
                continue
            if (
                entry is not None
                and entry.get("text") == text
                and RANK.get(clip.engine, len(RANK)) > RANK.get(entry.get("engine"), len(RANK))
                and _intact(out, entry)
            ):
                # a better engine failed and a lesser one stood in: the old clip, by the better one, stays
                print(
                    f"{lang} {phrase_id}: kept the {entry.get('engine')} clip rather than a new {clip.engine} one",
                    file=sys.stderr,
                )
                clips.append(old.pop((phrase_id, lang)))
                counts["kept"] += 1
                continue
            relative = f"{lang}/{phrase_id}.ogg"
            write_bytes_atomic(out / relative, clip.data)
            old.pop((phrase_id, lang), None)
            clips.append(
                {
                    "id": phrase_id,
                    "lang": lang,
                    "text": text,
                    "engine": clip.engine,
                    "voice": clip.voice,
                    "settings": clip.settings,
                    "file": relative,
                    "sha256": hashlib.sha256(clip.data).hexdigest(),
                    **info,
                }
            )
            counts["rendered"] += 1
            if counts["rendered"] % 20 == 0:  # a killed run keeps what it made
                _write_manifest(out, clips + list(old.values()))


def _still_good(out: Path, entry: dict, text: str, renderer: Renderer, phrase_id: str) -> bool:
    """Kept when it says the same words, is intact, at today's loudness, and no better engine or other
    settings would render it now (a gTTS clip outranks every offline engine, so an offline run keeps it)."""
    if entry.get("text") != text or entry.get("loudness_lufs") is None:
        return False
    if (entry.get("head_s"), entry.get("tail_s")) != (loudness.HEAD_S, loudness.TAIL_S):
        return False  # trimmed to other margins
    if abs(entry["loudness_lufs"] - loudness.TARGET_LUFS) > MAX_LOUDNESS_ERROR_LU:
        return False
    best, engine = renderer.best_engine(), entry.get("engine")
    if best is not None:
        if RANK.get(engine, len(RANK)) > RANK[best]:
            return False  # made by a lesser engine than this run has
        if engine == best and {"voice": entry.get("voice"), "settings": entry.get("settings")} != renderer.recipe(
            best, entry.get("lang", ""), phrase_id
        ):
            return False  # the same engine, other settings (a new pace, another accent)
    return _intact(out, entry)


def _intact(out: Path, entry: dict) -> bool:
    path = out / entry.get("file", "")
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == entry.get("sha256")


def _write_manifest(out: Path, clips: list[dict]) -> None:
    clips = sorted(clips, key=lambda c: (c["lang"], c["id"]))
    if (out / MANIFEST).exists() and read_manifest(out)["clips"] == clips:
        return  # nothing changed: keep the file (and its date) as it is
    engines = sorted({c["engine"] for c in clips})
    manifest = {
        "format": MANIFEST_FORMAT,
        "built": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "engines": engines,
        "note": "natural voices from gTTS"
        if engines == ["gtts"]
        else "offline voices (Pico is natural enough, espeak-ng robotic); rebuild online with --engine gtts for gTTS's",
        "target_lufs": loudness.TARGET_LUFS,
        "clips": clips,
    }
    write_text_atomic(out / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


def build_and_report(
    out: Path, languages: list[str], engine: str = "auto", spanish: str = "spain", force: bool = False
) -> int:
    """The build-voice-cache command: build, say what was done; 1 when a clip could not be rendered."""
    started = time.monotonic()
    try:
        counts = build(out, languages, Renderer(engine, spanish=spanish), force)
    except SynthesisError as error:
        print(f"voice cache not finished: {error}", file=sys.stderr)
        return 1
    print(
        f"{out}: {counts['rendered']} rendered, {counts['kept']} up to date, {counts['removed']} removed, "
        f"{counts['failed']} failed in {time.monotonic() - started:.0f} s"
    )
    if counts["failed"]:
        print(
            f"{counts['failed']} clips could not be rendered (listed above); run again when the engine works",
            file=sys.stderr,
        )
        return 1
    return 0
