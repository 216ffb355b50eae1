"""The voice cache builder: real offline rendering with Pico and espeak-ng (clips decode, have a plausible
length and the one loudness), incremental re-runs, corrupt clips replaced, lesser engines and old settings
rendered again, failed renders keeping their old clip, gTTS failing clearly without a network."""

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from conftest import PROJECT_ROOT
from kiosk.language.phrases import SPOKEN_IDS, Phrases
from kiosk.voice import loudness
from kiosk.voice.engines import espeak_binary, pico_installed
from trainer import voice_cache as builder
from trainer import voice_render as render


@pytest.fixture(autouse=True)
def needs_the_offline_engines():
    for name, present in (("espeak-ng", espeak_binary() is not None), ("py-nanotts (Pico)", pico_installed())):
        if not present:
            if os.environ.get("CI"):
                pytest.fail(f"{name} is not installed; .ci/run installs it")
            pytest.skip(f"{name} is not installed")


def run_script(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "trainer", "build-voice-cache", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("engine,voice", [("offline", "fr-FR"), ("espeak-ng", "fr-fr")])
def test_offline_render_decodes_with_a_plausible_length_and_the_one_loudness(engine, voice):
    clip = render.Renderer(engine).render("Je crois que c'est un sept\u00a0!", "fr", "result.7")
    assert clip.engine == ("pico" if engine == "offline" else engine) and clip.voice == voice
    samples, rate = soundfile.read(__import__("io").BytesIO(clip.data), dtype="float32")
    duration = len(samples) / rate
    assert 0.8 < duration < 4.0, duration  # a short sentence, trimmed of silence
    assert abs(loudness.integrated_loudness(samples, rate) - loudness.TARGET_LUFS) < 0.5
    assert 20 * np.log10(np.abs(samples).max()) <= loudness.PEAK_DBFS + 0.01, "decoded, Vorbis's overshoot included"
    head = int(loudness.HEAD_S * rate)
    assert np.abs(samples[: head // 2]).max() < 0.01, "the fixed head of silence"
    assert np.abs(samples[head : head + int(0.1 * rate)]).max() > 0.01, "and the speech right after it"
    assert clip.settings.get("pitch") is not None, "an excited answer: the pitch is recorded"


@pytest.mark.slow
def test_build_is_complete_then_incremental_and_replaces_a_corrupt_clip(tmp_path):
    out = tmp_path / "cache"
    counts = builder.build(out, ["es"], render.Renderer("offline"))
    assert counts == {"kept": 0, "rendered": len(SPOKEN_IDS), "removed": 0, "failed": 0}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engines"] == ["pico"] and manifest["target_lufs"] == loudness.TARGET_LUFS
    for clip in manifest["clips"]:
        data = (out / clip["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == clip["sha256"]
        assert clip["text"] == Phrases("es").text(clip["id"]) and clip["lang"] == "es"
        assert clip["voice"] == "es-ES" and {"speed", "pitch", "volume"} <= set(clip["settings"])
        assert 0.15 <= clip["duration_s"] <= 5 and abs(clip["loudness_lufs"] - loudness.TARGET_LUFS) <= 1
    before = (out / "manifest.json").read_bytes()
    assert builder.build(out, ["es"], render.Renderer("offline"))["rendered"] == 0
    assert (out / "manifest.json").read_bytes() == before, "nothing changed, nothing rewritten"
    (out / "es" / "result.5.ogg").write_bytes(b"OggS broken")
    assert builder.build(out, ["es"], render.Renderer("offline")) == {
        "kept": len(SPOKEN_IDS) - 1,
        "rendered": 1,
        "removed": 0,
        "failed": 0,
    }


@pytest.mark.slow
def test_a_lesser_engine_or_other_settings_are_rendered_again_and_a_better_engine_is_kept(tmp_path, monkeypatch):
    out = tmp_path / "cache"
    builder.build(out, ["en"], render.Renderer("espeak-ng"))
    assert builder.build(out, ["en"], render.Renderer("espeak-ng"))["rendered"] == 0
    monkeypatch.setattr(render, "engine_command", lambda *a, **k: _slower(*a, **k))
    assert builder.build(out, ["en"], render.Renderer("espeak-ng"))["rendered"] == len(SPOKEN_IDS), "a new pace"
    monkeypatch.undo()
    assert builder.build(out, ["en"], render.Renderer("offline"))["rendered"] == len(SPOKEN_IDS), (
        "Pico replaces espeak-ng"
    )
    assert builder.build(out, ["en"], render.Renderer("espeak-ng"))["rendered"] == 0, "and espeak-ng keeps Pico's"


def _slower(engine, text_file, lang, out_wav, style="calm", latin_american=False):
    from kiosk.voice.engines import engine_command

    rendering = engine_command(engine, text_file, lang, out_wav, style, latin_american)
    rendering.settings["rate_wpm"] -= 10
    rendering.argv[rendering.argv.index("-s") + 1] = str(rendering.settings["rate_wpm"])
    return rendering


def test_latin_american_spanish_is_recorded_per_clip():
    renderer = render.Renderer("espeak-ng", spanish="latin-america")
    assert renderer.render("¡Creo que es un siete!", "es", "result.7").voice == "es-419"
    assert render.Renderer("auto", spanish="latin-america").recipe("gtts", "es", "result.7")["settings"] == {
        "tld": "com.mx"
    }


@pytest.mark.slow
def test_a_changed_phrase_is_rendered_again(tmp_path, monkeypatch):
    out = tmp_path / "cache"
    builder.build(out, ["en"], render.Renderer("offline"))
    phrases = Phrases("en")
    monkeypatch.setitem(phrases.catalogs["en"]._catalog, "prompt.draw", "Draw a digit, please!")
    assert builder.build(out, ["en"], render.Renderer("offline"), phrases=phrases)["rendered"] == 1
    entry = next(c for c in json.loads((out / "manifest.json").read_text())["clips"] if c["id"] == "prompt.draw")
    assert entry["text"] == "Draw a digit, please!"


# A proxy on a closed local port: gTTS really tries the network and really fails, quickly.
NO_NETWORK = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def test_gtts_without_network_fails_clearly(tmp_path):
    result = run_script("--engine", "gtts", "--languages", "en", "--out", tmp_path / "cache", env=NO_NETWORK)
    assert result.returncode == 1
    assert "gTTS" in result.stderr and "--engine offline" in result.stderr
    assert "Traceback" not in result.stderr
    manifest = tmp_path / "cache" / "manifest.json"
    assert not manifest.exists() or all(c["engine"] == "gtts" for c in json.loads(manifest.read_text())["clips"])


@pytest.mark.slow
def test_auto_falls_back_to_the_offline_engine_and_says_so(tmp_path):
    result = run_script("--languages", "fr", "--out", tmp_path / "cache", env=NO_NETWORK)
    assert result.returncode == 0, result.stderr
    assert "gTTS is unavailable" in result.stderr and "when online" in result.stderr
    assert result.stderr.count("gTTS is unavailable") == 1, "one message, not one per phrase"
    manifest = json.loads((tmp_path / "cache" / "manifest.json").read_text())
    assert {c["engine"] for c in manifest["clips"]} == {"pico"}


def test_gtts_busy_answers_are_retried_with_growing_waits():
    calls, sleeps = [], []

    def busy_twice(text, lang, tld):
        calls.append(text)
        if len(calls) <= 2:
            raise render.SynthesisError("429 Too Many Requests", retryable=True)
        return render.Audio(np.sin(np.linspace(0, 800, 22050)).astype(np.float32) * 0.5, 22050)

    renderer = render.Renderer("gtts", gtts=busy_twice, sleep=sleeps.append)
    clip = renderer.render("hello", "en")
    assert clip.engine == "gtts" and len(calls) == 3 and clip.data[:4] == b"OggS"
    backoffs = [s for s in sleeps if s >= 1]
    assert len(backoffs) == 2 and backoffs[1] > backoffs[0]


def test_a_refusal_that_retrying_cannot_fix_is_not_retried():
    calls = []

    def forbidden(text, lang, tld):
        calls.append(text)
        raise render.SynthesisError("403 Forbidden", retryable=False)

    with pytest.raises(render.SynthesisError, match="--engine offline"):
        render.Renderer("gtts", gtts=forbidden, sleep=lambda s: None).render("hello", "en")
    assert len(calls) == 1


def test_a_hung_offline_engine_is_killed(monkeypatch):
    monkeypatch.setattr(render, "OFFLINE_TIMEOUT_S", 0.5)
    from kiosk.voice.engines import Rendering

    monkeypatch.setattr(
        render,
        "engine_command",
        lambda engine, *a, **k: Rendering([sys.executable, "-c", "import time; time.sleep(60)"], engine, "x", {}),
    )
    with pytest.raises(render.SynthesisError, match="pico hung.*espeak-ng hung"):
        render.Renderer("offline").render("hello", "en")


@pytest.mark.slow
def test_a_failed_render_keeps_the_clip_that_was_there(tmp_path, monkeypatch):
    out = tmp_path / "cache"
    builder.build(out, ["en"], render.Renderer("offline"))
    phrases = Phrases("en")
    monkeypatch.setitem(phrases.catalogs["en"]._catalog, "prompt.draw", "A new sentence")
    monkeypatch.setitem(phrases.catalogs["en"]._catalog, "feedback.ask", "Another new one")
    old_clip = (out / "en" / "prompt.draw.ogg").read_bytes()

    def broken(text, lang, style, engine, latin_american=False):
        raise render.SynthesisError("the engine is gone")

    counts = builder.build(out, ["en"], render.Renderer("offline", offline=broken), phrases=phrases)
    assert counts["failed"] == 2 and counts["kept"] == len(SPOKEN_IDS) - 2, "it went on with the others"
    listed = {c["id"]: c for c in json.loads((out / "manifest.json").read_text())["clips"]}
    assert len(listed) == len(SPOKEN_IDS) and listed["prompt.draw"]["text"] == "Draw a number!"
    assert (out / "en" / "prompt.draw.ogg").read_bytes() == old_clip, "the old clip is still there, as it was"
    monkeypatch.setattr(builder, "build", lambda *a, **k: counts)
    assert builder.build_and_report(out, ["en"]) == 1, "and the run says it is not finished"


@pytest.mark.parametrize(
    "missing,expected", [((), "pico"), (("pico",), "espeak-ng"), (("pico", "espeak-ng", "pyttsx3"), None)]
)
def test_the_builder_takes_the_best_offline_engine_there_is(monkeypatch, missing, expected):
    monkeypatch.setattr(render, "installed", lambda engine: engine not in missing)
    renderer = render.Renderer("offline")
    assert renderer.best_engine() == expected
    if expected is None:
        with pytest.raises(render.SynthesisError, match="no offline speech engine: pip install py-nanotts"):
            renderer.render("hello", "en")
    else:
        assert renderer.render("Hmm, is it a one or a seven?", "en", "unsure.1_or_7").engine == expected


def test_an_engine_that_fails_hands_the_phrase_to_the_next(monkeypatch):
    real = render.synthesize_offline

    def pico_broken(text, lang, style, engine, latin_american=False):
        if engine == "pico":
            raise render.SynthesisError("Pico's voice files are gone")
        return real(text, lang, style, engine, latin_american)

    clip = render.Renderer("offline", offline=pico_broken).render("I think it's a seven!", "en", "result.7")
    assert clip.engine == "espeak-ng" and clip.settings["pitch"] == 65, "excited, on espeak-ng too"


@pytest.mark.slow
def test_a_broken_engine_is_left_out_after_three_failures_and_never_downgrades_a_clip(tmp_path, monkeypatch):
    out = tmp_path / "cache"
    builder.build(out, ["en"], render.Renderer("offline"))  # Pico's clips
    real, calls = render.synthesize_offline, []

    def pico_gone(text, lang, style, engine, latin_american=False):
        calls.append(engine)
        if engine == "pico":
            raise render.SynthesisError("Pico's voice files are gone")
        return real(text, lang, style, engine, latin_american)

    renderer = render.Renderer("offline", offline=pico_gone)
    counts = builder.build(out, ["en"], renderer, force=True)
    assert calls.count("pico") == render.ENGINE_FAILURES_TO_GIVE_UP, "then it is not asked again"
    assert counts == {"kept": len(SPOKEN_IDS), "rendered": 0, "removed": 0, "failed": 0}
    assert {c["engine"] for c in json.loads((out / "manifest.json").read_text())["clips"]} == {"pico"}, (
        "espeak-ng stood in, and every Pico clip was kept"
    )
