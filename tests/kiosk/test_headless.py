"""The whole kiosk, headless: scripted finger events from real drawings go through the real loop."""

import json
import subprocess
import sys
import tempfile

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from kiosk import replay
from kiosk.language.phrases import Phrases

pytestmark = pytest.mark.slow  # each test runs the kiosk end to end in a subprocess


HOME = tempfile.mkdtemp(prefix="kiosk-home-")  # caches the libraries write go here, not into the project


def run_kiosk(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--headless", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=timeout,
        env={"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PATH": "/usr/bin:/bin", "HOME": HOME},
    )


def run_replay(tmp_path, events, config_text=""):
    """Run the kiosk through a replay; returns the process result and the event log's records."""
    script, out, config = tmp_path / "replay.jsonl", tmp_path / "events.jsonl", tmp_path / "kiosk.toml"
    script.write_text(replay.dump(events))
    config.write_text(config_text + f'log_dir = "{tmp_path / "logs"}"\n')
    result = run_kiosk("--config", config, "--replay", script, "--events-out", out, "--exit-when-done")
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return result, records


def test_replayed_drawings_are_recognized_through_the_event_loop(tmp_path, drawn_dir):
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load(drawn_dir)
    picks = np.random.default_rng(1).choice(len(drawn), 30, replace=False)
    events, t = [], 0.0
    for i in picks:
        part = replay.from_strokes(drawn.strokes[i], canvas_size=450.0, start_s=t)
        events += part
        t = part[-1].t + 0.5
    result, records = run_replay(tmp_path, events)
    assert result.returncode == 0, result.stderr
    recognized = [r for r in records if r["type"] == "recognized"]
    assert len(recognized) == 30
    assert all(r["model"] == "cnn" and len(r["probabilities"]) == 10 and r["latency_ms"] > 0 for r in recognized)
    best = [int(np.argmax(r["probabilities"])) for r in recognized]
    assert np.mean(np.array(best) == drawn.labels[picks]) >= 0.9
    # Every answer is spoken from the shipped voice cache (the dummy audio driver plays it).
    spoken = [r for r in records if r["type"] == "speech"]
    assert len(spoken) == 30 and all(r["source"] == "clip" and r["lang"] == "en" for r in spoken)
    assert {r["phrase"] for r in spoken} <= {f"result.{d}" for d in range(10)} | {
        r["phrase"] for r in spoken if r["phrase"].startswith("unsure.")
    }


def test_recognize_on_an_empty_canvas_asks_for_a_drawing(tmp_path):
    result, records = run_replay(tmp_path, [replay.ReplayEvent(0.1, "recognize")])
    assert result.returncode == 0, result.stderr
    assert [r["type"] for r in records] == ["speech"] and records[0]["text"] == "Draw a number first!"


def test_a_broken_config_is_refused_naming_the_key_and_file(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text("colour = 'red'\n")
    result = run_kiosk("--config", config, "--exit-when-done")
    assert result.returncode == 2
    assert "colour" in result.stderr and "kiosk.toml" in result.stderr and "Traceback" not in result.stderr


def test_a_corrupt_model_falls_back_to_the_other_one(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "cnn.onnx").write_bytes(b"garbage")
    (models / "mlp.onnx").write_bytes((PROJECT_ROOT / "exported_models" / "mlp.onnx").read_bytes())
    events = replay.from_strokes([[(100, 50), (100, 350)]], canvas_size=450.0)
    result, records = run_replay(tmp_path, events, f'model_dir = "{models}"\n')
    assert result.returncode == 0, result.stderr
    assert "cannot use the cnn model" in result.stderr
    recognized = [r for r in records if r["type"] == "recognized"]
    assert recognized and recognized[0]["model"] == "mlp"


def test_idle_kiosk_clears_the_drawing_and_invites_the_next_child(tmp_path):
    events = replay.from_strokes([[(100, 50), (100, 350)]], canvas_size=450.0)[:-1]  # draw, recognize, no clear
    events.append(replay.ReplayEvent(13.0, "up", 0.5, 0.5))  # a stray lift, long after: keeps the replay running
    result, records = run_replay(tmp_path, events, "idle_timeout_s = 10\n")
    assert result.returncode == 0, result.stderr
    types = [r["type"] for r in records]
    assert types.index("recognized") < types.index("idle")


def corner_hold_then_pin(pin_taps):
    # Hold the grown-ups' corner (the screen's bottom left, outside the canvas at 12,12, 396 px) for 3.4 s, then tap.
    x, y = (10 - 12) / 396, (470 - 12) / 396
    return [replay.ReplayEvent(0.1, "down", x, y), replay.ReplayEvent(3.5, "up", x, y)] + pin_taps


def test_holding_the_corner_then_the_right_pin_stops_the_kiosk(tmp_path):
    from kiosk.screens.admin import PinScreen
    from kiosk.ui.theme import Theme

    import pygame

    pygame.font.init()
    keys = {label: button.rect.center for button, label in PinScreen("2468", Theme(800, 480), Phrases("en")).keys}

    # Keypad taps are given in canvas-relative units; convert from screen pixels (canvas at 12,12, 396 px).
    def tap(t, label):
        x, y = keys[label]
        return [
            replay.ReplayEvent(t, "down", (x - 12) / 396, (y - 12) / 396),
            replay.ReplayEvent(t + 0.05, "up", (x - 12) / 396, (y - 12) / 396),
        ]

    taps = tap(4.0, "2") + tap(4.2, "4") + tap(4.4, "6") + tap(4.6, "8") + tap(4.8, "OK")
    taps.append(replay.ReplayEvent(60.0, "up", 0.5, 0.5))  # would keep the kiosk running for a minute
    result, _ = run_replay(tmp_path, corner_hold_then_pin(taps))
    assert result.returncode == 10, result.stderr  # EXIT_BY_ADMIN: the unit does not restart it
    assert "stopped by the admin PIN" in result.stderr


def test_no_screen_gives_a_clear_message_not_a_traceback(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(f'log_dir = "{tmp_path / "logs"}"\n')
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        env={
            "SDL_VIDEODRIVER": "no-such-driver",
            "SDL_AUDIODRIVER": "dummy",
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
        },
    )
    assert result.returncode == 2
    assert "cannot open the screen" in result.stderr and "--headless" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_language_button_switches_words_and_voice(tmp_path):
    from kiosk.ui.theme import Theme

    import pygame

    from kiosk.event_log import EventLog
    from kiosk.screens.draw import DrawScreen
    from kiosk.voice.speaker import SilentSpeaker

    pygame.display.init()
    pygame.font.init()
    draw = DrawScreen([], SilentSpeaker(), Theme(800, 480), 700, EventLog(None), Phrases("en"))
    canvas, (x, y) = draw.canvas, draw.nav.language_rect.center
    pygame.display.quit()
    # Replay positions are in canvas units: a tap on the language button, then a "1".
    tap = ((x - canvas.x) / canvas.width, (y - canvas.y) / canvas.height)
    events = [replay.ReplayEvent(0.5, "down", *tap), replay.ReplayEvent(0.55, "up", *tap)]
    events += replay.from_strokes([[(150.0, 40.0), (150.0, 340.0)]], canvas_size=canvas.width, start_s=1.0)
    result, records = run_replay(tmp_path, events)
    assert result.returncode == 0, result.stderr
    assert [r["lang"] for r in records if r["type"] == "language"] == ["es"]
    spoken = [r for r in records if r["type"] == "speech"]
    assert [(r["phrase"], r["lang"], r["source"]) for r in spoken] == [
        ("language.hello", "es", "clip"),
        ("result.1", "es", "clip"),
    ]
    assert spoken[1]["text"] == "¡Creo que es un uno!"


def test_a_next_digit_begun_while_the_answer_is_said_is_answered_as_itself(tmp_path, drawn_dir):
    # A child draws A, hears the answer, and 0.6 s later draws B over the same place, never pressing
    # Clear: B is a new drawing (the old ink moves away) and its answer is B, not A and B merged.
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load(drawn_dir)
    rng = np.random.default_rng(3)
    events, pairs, t = [], [], 0.5
    for _ in range(10):
        a, b = rng.choice(len(drawn), 2, replace=False)
        while drawn.labels[b] == drawn.labels[a]:
            b = rng.integers(len(drawn))
        for index, after_s in ((a, 1.6 + 0.6), (b, 1.6 + 4.0)):  # the answer's wait, then the gap
            part = [e for e in replay.from_strokes(drawn.strokes[index], 450.0, t) if e.type in ("down", "move", "up")]
            events += part
            t = part[-1].t + after_s
        pairs.append((part[-1].t, int(drawn.labels[b])))
    result, records = run_replay(tmp_path, events)
    assert result.returncode == 0, result.stderr
    answers = [r for r in records if r["type"] == "recognized"]
    finals = [[r["digit"] for r in answers if lifted <= r["t"] < lifted + 5.0][-1:] for lifted, _ in pairs]
    right = sum(final == [label] for final, (_, label) in zip(finals, pairs))
    assert right >= 9, f"{right} of 10 next digits answered as themselves"
    assert sum(r["type"] == "new_drawing" for r in records) >= 19, "every digit after the first began afresh"
