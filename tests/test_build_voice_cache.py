"""The voice cache builder: real offline rendering with espeak-ng (clips decode, have a plausible length
and loudness), incremental re-runs, corrupt clips replaced, gTTS failing clearly without a network."""
import hashlib
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from conftest import PROJECT_ROOT
from kiosk.language.phrases import SPOKEN_IDS, Phrases
from kiosk.voice.engines import espeak_binary

SCRIPT = PROJECT_ROOT / "scripts" / "build_voice_cache.py"
spec = importlib.util.spec_from_file_location("build_voice_cache", SCRIPT)
builder = importlib.util.module_from_spec(spec)
sys.modules["build_voice_cache"] = builder  # dataclasses look their module up while the class is made
spec.loader.exec_module(builder)


@pytest.fixture(autouse=True)
def needs_espeak():
    if espeak_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("espeak-ng is not installed; .ci/run installs it")
        pytest.skip("espeak-ng is not installed")


def run_script(*args, env=None):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_offline_render_decodes_with_a_plausible_length_and_loudness():
    data, engine, voice = builder.Renderer("offline").render("Je crois que c'est un sept\u00a0!", "fr")
    assert engine == "espeak-ng" and voice == "fr-fr"
    samples, rate = soundfile.read(__import__("io").BytesIO(data), dtype="float32")
    duration = len(samples) / rate
    rms_dbfs = 20 * np.log10(np.sqrt(np.mean(samples ** 2)))
    assert 0.8 < duration < 4.0, duration  # a short sentence, trimmed of silence
    assert -30 < rms_dbfs < -6, rms_dbfs
    assert np.abs(samples[: int(0.05 * rate)]).max() > 0.001, "speech starts at once, no leading silence"


def test_build_is_complete_then_incremental_and_replaces_a_corrupt_clip(tmp_path):
    out = tmp_path / "cache"
    counts = builder.build(out, ["es"], builder.Renderer("offline"))
    assert counts == {"kept": 0, "rendered": len(SPOKEN_IDS), "removed": 0}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engines"] == ["espeak-ng"] and "espeak-ng" in manifest["note"]
    for clip in manifest["clips"]:
        data = (out / clip["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == clip["sha256"]
        assert clip["text"] == Phrases("es").text(clip["id"]) and clip["lang"] == "es"
        assert 0.15 <= clip["duration_s"] <= 5 and clip["rms_dbfs"] > -35
    before = (out / "manifest.json").read_bytes()
    assert builder.build(out, ["es"], builder.Renderer("offline"))["rendered"] == 0
    assert (out / "manifest.json").read_bytes() == before, "nothing changed, nothing rewritten"
    (out / "es" / "result.5.ogg").write_bytes(b"OggS broken")
    assert builder.build(out, ["es"], builder.Renderer("offline")) == {"kept": len(SPOKEN_IDS) - 1, "rendered": 1, "removed": 0}


def test_a_changed_phrase_is_rendered_again(tmp_path, monkeypatch):
    out = tmp_path / "cache"
    builder.build(out, ["en"], builder.Renderer("offline"))
    phrases = Phrases("en")
    monkeypatch.setitem(phrases.catalogs["en"]._catalog, "prompt.draw", "Draw a digit, please!")
    assert builder.build(out, ["en"], builder.Renderer("offline"), phrases=phrases)["rendered"] == 1
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


def test_auto_falls_back_to_the_offline_engine_and_says_so(tmp_path):
    result = run_script("--languages", "fr", "--out", tmp_path / "cache", env=NO_NETWORK)
    assert result.returncode == 0, result.stderr
    assert "gTTS is unavailable" in result.stderr and "when online" in result.stderr
    assert result.stderr.count("gTTS is unavailable") == 1, "one message, not one per phrase"
    manifest = json.loads((tmp_path / "cache" / "manifest.json").read_text())
    assert {c["engine"] for c in manifest["clips"]} == {"espeak-ng"}


def test_gtts_busy_answers_are_retried_with_growing_waits():
    calls, sleeps = [], []

    def busy_twice(text, lang):
        calls.append(text)
        if len(calls) <= 2:
            raise builder.SynthesisError("429 Too Many Requests", retryable=True)
        return builder.Audio(np.sin(np.linspace(0, 800, 22050)).astype(np.float32) * 0.5, 22050)

    renderer = builder.Renderer("gtts", gtts=busy_twice, sleep=sleeps.append)
    data, engine, _ = renderer.render("hello", "en")
    assert engine == "gtts" and len(calls) == 3 and data[:4] == b"OggS"
    backoffs = [s for s in sleeps if s >= 1]
    assert len(backoffs) == 2 and backoffs[1] > backoffs[0]


def test_a_refusal_that_retrying_cannot_fix_is_not_retried():
    calls = []

    def forbidden(text, lang):
        calls.append(text)
        raise builder.SynthesisError("403 Forbidden", retryable=False)

    with pytest.raises(builder.SynthesisError, match="--engine offline"):
        builder.Renderer("gtts", gtts=forbidden, sleep=lambda s: None).render("hello", "en")
    assert len(calls) == 1


def test_a_hung_offline_engine_is_killed(monkeypatch):
    monkeypatch.setattr(builder, "OFFLINE_TIMEOUT_S", 0.5)
    monkeypatch.setattr(builder, "render_command", lambda t, l, o: ([sys.executable, "-c", "import time; time.sleep(60)"], "hung"))
    with pytest.raises(builder.SynthesisError, match="hung"):
        builder.Renderer("offline").render("hello", "en")


def test_a_failed_render_keeps_the_clip_that_was_there(tmp_path, monkeypatch):
    out = tmp_path / "cache"
    builder.build(out, ["en"], builder.Renderer("offline"))
    phrases = Phrases("en")
    monkeypatch.setitem(phrases.catalogs["en"]._catalog, "prompt.draw", "A new sentence")

    def broken(text, lang):
        raise builder.SynthesisError("the engine is gone")

    with pytest.raises(builder.SynthesisError):
        builder.build(out, ["en"], builder.Renderer("offline", offline=broken), phrases=phrases)
    listed = {c["id"] for c in json.loads((out / "manifest.json").read_text())["clips"]}
    assert "prompt.draw" in listed and len(listed) == len(SPOKEN_IDS)
