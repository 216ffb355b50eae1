"""Speech: clip -> live -> silent, each level taken away in turn; a hung engine is killed and never slows
the loop; a corrupt or outdated clip is not played; the newest phrase pre-empts the one before."""

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pygame
import pytest

from conftest import PROJECT_ROOT
from kiosk.voice.audio_out import AudioOut
from kiosk.event_log import EventLog
from kiosk.voice.live import LiveVoice
from kiosk.language.phrases import Phrases
from kiosk.voice.speaker import SilentSpeaker, VoiceSpeaker
from kiosk.voice.clips import VoiceClips
from kiosk.voice.engines import espeak_binary

SHIPPED_CACHE = PROJECT_ROOT / "voice_cache"


HUNG_MARK = f"hung-engine-of-test-{os.getpid()}"


def hung_engine(text_file, lang, out_wav, style="calm"):
    """A speech engine that never returns (as pyttsx3's runAndWait sometimes does)."""
    return [sys.executable, "-c", f"import time; time.sleep(3600)  # {HUNG_MARK}"], "hung"


@pytest.fixture(autouse=True)
def no_engine_left_behind():
    """Whatever a test asserted, no hung engine outlives it (a failed test once left `sleep 3600` behind)."""
    yield
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if HUNG_MARK.encode() in cmdline.read_bytes():
                os.kill(int(cmdline.parent.name), signal.SIGKILL)
        except (OSError, ValueError):
            pass


def no_engine(text_file, lang, out_wav, style="calm"):
    return None


@pytest.fixture(autouse=True)
def fresh_mixer():
    yield
    pygame.mixer.quit()


@pytest.fixture
def live():
    if espeak_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("espeak-ng is not installed; .ci/run installs it")
        pytest.skip("espeak-ng is not installed")
    voice = LiveVoice()
    yield voice
    voice.close()


def speaker(clips_dir=SHIPPED_CACHE, live=None, lang="en", **kwargs):
    phrases = Phrases(lang)
    return VoiceSpeaker(phrases, AudioOut(), VoiceClips(clips_dir), live, **kwargs)


def wait_for_live_sound(voice_speaker, timeout_s=5.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        voice_speaker.update()
        if voice_speaker.audio.busy:
            return True
        time.sleep(0.01)
    return False


def test_a_cached_clip_plays_at_once(live):
    s = speaker(live=live)
    assert s.say("result.7", "en") == "clip"
    assert s.audio.busy and s.live.process is None


def test_without_a_clip_the_live_voice_speaks(tmp_path, live):
    s = speaker(clips_dir=tmp_path, live=live)  # an empty folder: no cache at all
    assert s.say("result.7", "en") == "live"
    assert wait_for_live_sound(s)


def test_without_clip_or_engine_it_is_silent(tmp_path):
    s = speaker(clips_dir=tmp_path, live=LiveVoice(command_factory=no_engine))
    assert s.say("result.7", "en") == "none"
    assert s.audible  # the device is fine; only the words are missing


def test_without_an_audio_device_it_is_silent_and_tries_again_later(monkeypatch, live):
    now = [0.0]
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    s = VoiceSpeaker(Phrases("en"), AudioOut(retry_s=30, clock=lambda: now[0]), VoiceClips(SHIPPED_CACHE), live)
    assert s.say("result.7", "en") == "none" and not s.audible
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")  # the speaker is plugged in
    now[0] = 10.0
    assert s.say("result.7", "en") == "none", "no retry before the interval"
    now[0] = 31.0
    assert s.say("result.7", "en") == "clip" and s.audible


def test_muted_in_the_config_means_silent(live):
    s = speaker(live=live, muted=True)
    assert s.say("result.7", "en") == "none" and not s.audible


def test_a_corrupt_clip_is_detected_and_spoken_live(tmp_path, live, caplog):
    cache = tmp_path / "cache"
    shutil.copytree(SHIPPED_CACHE, cache)
    clip = cache / "en" / "result.3.ogg"
    data = bytearray(clip.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte deep inside the audio
    clip.write_bytes(bytes(data))
    s = speaker(clips_dir=cache, live=live)
    assert s.say("result.3", "en") == "live"
    assert "corrupt" in caplog.text
    assert s.say("result.4", "en") == "clip"  # the other clips are still good


def test_a_clip_whose_words_changed_is_not_played(live, monkeypatch):
    s = speaker(live=live)
    monkeypatch.setitem(s.phrases.catalogs["en"]._catalog, "result.7", "I am quite sure it is a seven!")
    assert s.say("result.7", "en") == "live"


def test_an_unreadable_manifest_means_live_speech(tmp_path, live):
    (tmp_path / "manifest.json").write_text("{ not json")
    assert speaker(clips_dir=tmp_path, live=live).say("result.1", "en") == "live"


def test_the_newest_phrase_preempts_the_one_before(tmp_path, live):
    s = speaker(live=live)
    s.say("unsure.not_digit", "en")
    first = s.audio._channel.get_sound()
    s.say("result.2", "en")
    assert s.audio._channel.get_sound() is not first and s.audio.busy
    # A live render still running is killed when a newer phrase comes.
    slow = speaker(clips_dir=tmp_path, live=LiveVoice(command_factory=hung_engine))
    assert slow.say("result.1", "en") == "live"
    process = slow.live.process
    slow.live.command_factory = no_engine
    slow.say("result.2", "en")
    assert process.poll() is not None
    slow.close()


def test_a_hung_engine_is_killed_on_timeout():
    voice = LiveVoice(command_factory=hung_engine, timeout_s=0.3)
    assert voice.start("Hello", "en")
    process = voice.process
    started = time.monotonic()
    while voice.process is not None and time.monotonic() - started < 3:
        assert voice.poll() is None
        time.sleep(0.02)
    assert process.poll() is not None and voice.hangs == 1
    voice.close()


def test_a_hung_engine_never_stalls_the_drawing_loop(tmp_path):
    """The kiosk loop (draw screen, speaker, rendering) keeps going while the engine never returns.

    The bound is behaviour, not speed: waiting on the engine would stall a frame for the whole
    speech timeout (5 s), so any frame under 1 s proves the loop never waited. Frame rates are
    measured by python -m benchmarks frames.
    """
    from kiosk.recognition.model_files import load_recognizers
    from kiosk.config import KioskConfig
    from kiosk.input import PointerDown, PointerMove, PointerUp
    from kiosk.screens.draw import DrawScreen
    from kiosk.ui.theme import Theme

    timeout_s = 5.0
    pygame.display.init()
    pygame.font.init()
    recognizers = load_recognizers(KioskConfig.load(None))
    surface = pygame.Surface((800, 480))

    def frame_times(voice_speaker, frames=120):
        screen = DrawScreen(recognizers, voice_speaker, Theme(800, 480), 700, EventLog(None), Phrases("en"))
        c, times, engines = screen.canvas, [], set()
        for i in range(frames):
            started = time.perf_counter()
            if i % 20 == 0:  # a new drawing and an answer (and so a new utterance) every 20 frames
                screen.press("clear")
                screen.handle(PointerDown(c.centerx, c.y + 20))
                screen.handle(PointerMove(c.centerx, c.bottom - 20))
                screen.handle(PointerUp(c.centerx, c.bottom - 20))
                screen.press("recognize")
            screen.update(16.7)
            voice_speaker.update()
            screen.draw(surface)
            times.append(time.perf_counter() - started)
            if getattr(voice_speaker, "live", None) is not None and voice_speaker.live.process is not None:
                engines.add(voice_speaker.live.process.pid)
        return np.array(times), screen, engines

    frame_times(SilentSpeaker(), 10)  # warm up fonts and models
    hung = VoiceSpeaker(
        Phrases("en"), AudioOut(), VoiceClips(tmp_path), LiveVoice(command_factory=hung_engine, timeout_s=timeout_s)
    )
    try:
        times, screen, engines = frame_times(hung)
        assert screen.prediction is not None and screen.prediction.best == 1, "the kiosk still answers"
        assert len(engines) == 6, "each answer started the engine, which never finished"
        assert hung.live.process is not None and hung.live.process.poll() is None, "the engine was still hanging"
        assert times.max() < timeout_s / 5, f"a frame waited for the engine: {times.max():.2f} s"
    finally:  # a failed assertion must not leave a `sleep 3600` engine behind
        hung.close()
        pygame.display.quit()


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_the_shipped_cache_covers_every_spoken_phrase(lang):
    from kiosk.language.phrases import SPOKEN_IDS

    phrases, clips = Phrases(lang), VoiceClips(SHIPPED_CACHE)
    missing = [p for p in SPOKEN_IDS if clips.path(p, lang, phrases.text(p, lang)) is None]
    assert not missing, f"rebuild with digit-kiosk-trainer build-voice-cache: {missing[:5]}"


def test_switching_language_switches_the_voice_too(live):
    s = speaker(live=live)
    s.say("result.7", "en")
    english = s.audio._channel.get_sound()
    s.phrases.next_language()
    assert s.say("result.7", s.phrases.lang) == "clip"
    spanish = s.audio._channel.get_sound()
    assert s.phrases.lang == "es" and spanish is not english
    assert spanish.get_length() != pytest.approx(english.get_length(), abs=0.01)


def test_the_pyttsx3_worker_renders_speech_and_refuses_empty_text(tmp_path, live):
    import subprocess
    import wave

    text = tmp_path / "text.txt"
    text.write_text("¡Creo que es un siete!", encoding="utf-8")
    out = tmp_path / "out.wav"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.voice.pyttsx3_render", "es", str(text), str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    with wave.open(str(out)) as audio:
        samples = np.frombuffer(audio.readframes(audio.getnframes()), np.int16)
        duration = audio.getnframes() / audio.getframerate()
    assert 0.8 < duration < 5 and np.sqrt(np.mean(samples.astype(float) ** 2)) > 300
    text.write_text("  ", encoding="utf-8")  # pyttsx3 has crashed on empty text: the worker never asks it
    refused = subprocess.run(
        [sys.executable, "-m", "kiosk.voice.pyttsx3_render", "es", str(text), str(tmp_path / "empty.wav")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=60,
    )
    assert refused.returncode == 2 and not (tmp_path / "empty.wav").exists()


def test_an_unplugged_speaker_is_noticed_and_a_new_one_tried_at_once(live):
    now = [0.0]
    s = VoiceSpeaker(Phrases("en"), AudioOut(clock=lambda: now[0]), VoiceClips(SHIPPED_CACHE), live)
    assert s.say("result.7", "en") == "clip"
    s.audio_device_changed(added=False)  # SDL's AUDIODEVICEREMOVED
    assert not s.audible and s.say("result.7", "en") == "none"
    s.audio_device_changed(added=True)  # plugged back in: no 30 s wait
    assert s.audible and s.say("result.7", "en") == "clip"


def test_live_speech_survives_its_folder_being_deleted(tmp_path):
    from kiosk.voice.engines import espeak_binary

    if espeak_binary() is None:
        pytest.skip("espeak-ng is not installed")
    voice = LiveVoice(folder=tmp_path / "speech")
    shutil.rmtree(tmp_path / "speech", ignore_errors=True)  # as a /tmp cleaner would
    assert voice.start("Hello", "en")
    deadline, wav = time.monotonic() + 10, None
    while wav is None and voice.busy and time.monotonic() < deadline:
        wav = voice.poll()
        time.sleep(0.01)
    assert wav is not None and wav.exists()
    voice.close()


def test_the_pyttsx3_render_waits_for_a_file_still_being_written(tmp_path):
    """runAndWait may return while espeak still writes (reproduced with a 5 ms delay per callback)."""
    import threading

    from kiosk.voice.pyttsx3_render import wait_for_sound

    out = tmp_path / "late.wav"

    def late_engine():
        time.sleep(0.3)
        with out.open("wb") as wav:
            for _ in range(10):
                wav.write(b"\0" * 1000)
                wav.flush()
                time.sleep(0.02)

    writer = threading.Thread(target=late_engine)
    writer.start()
    assert wait_for_sound(out) and out.stat().st_size == 10_000  # all of it, not the first chunk
    writer.join()
    assert not wait_for_sound(tmp_path / "never.wav", timeout_s=0.2)


def test_the_next_phrase_waits_for_the_current_one_and_a_newer_phrase_replaces_it(live):
    s = speaker(live=live)
    assert s.say("result.7", "en") == "clip"
    answer = s.audio._channel.get_sound()
    s.say_next("feedback.ask", "en")
    s.update()
    assert s.audio._channel.get_sound() is answer, "the answer is not cut off by the question"
    deadline = time.monotonic() + 10
    while s.audio.busy and time.monotonic() < deadline:
        time.sleep(0.05)
    s.update()
    assert s.audio.busy and s.audio._channel.get_sound() is not answer, "then the question is asked"
    s.say_next("feedback.ask", "en")
    s.say("result.1", "en")  # a new drawing's answer: the old question is no longer wanted
    while s.audio.busy and time.monotonic() < deadline + 10:
        time.sleep(0.05)
    s.update()
    assert not s.audio.busy


def test_chimes_are_short_quiet_sounds_that_never_cut_the_speech(live):
    from kiosk.voice import chimes

    s = speaker(live=live)
    s.say("result.7", "en")
    answer = s.audio._channel.get_sound()
    s.chime("dot")
    s.chime("yay")
    assert s.audio._channel.get_sound() is answer
    for name, longest_s in (("dot", 0.1), ("yay", 0.6)):
        samples = chimes.sound(name)
        assert 0 < len(samples) / chimes.RATE <= longest_s and abs(samples).max() <= 0.5 * 32767 + 1
