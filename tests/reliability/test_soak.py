"""Soak: the headless kiosk through 5,000 real drawings, answered and spoken, with no error and
resident memory that stays flat (growth <= 10 MB from warm-up to the end)."""

import json
import subprocess

import numpy as np
import pytest

from conftest import PROJECT_ROOT
from headless_kiosk import bare_env, kiosk_command
from kiosk import replay

pytestmark = [pytest.mark.reliability, pytest.mark.slow]
DRAWINGS = 5000


def test_5000_drawings_without_an_error_or_a_leak(tmp_path, drawn_dir):
    from kiosk.learning import drawn_digits

    drawn = drawn_digits.load(drawn_dir)
    picks = np.random.default_rng(0).choice(len(drawn), DRAWINGS, replace=True)
    events, t = [], 0.5
    for i in picks:
        part = replay.from_strokes(drawn.strokes[i], canvas_size=400.0, start_s=t, point_interval_s=0.004)
        events += part
        t = part[-1].t + 0.1
    script, out = tmp_path / "soak.jsonl", tmp_path / "events.jsonl"
    script.write_text(replay.dump(events))
    config = tmp_path / "kiosk.toml"
    # 15 frames a second of simulated time: the same work per drawing, fewer idle frames to render.
    config.write_text(f'fps_active = 15\nlog_dir = "{tmp_path / "logs"}"\ndata_dir = "{tmp_path / "data"}"\n')
    done = subprocess.run(
        kiosk_command(config, script, out),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=bare_env(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert " ERROR " not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    recognized = [r for r in records if r["type"] == "recognized"]
    assert len(recognized) == DRAWINGS
    right = np.mean([r["digit"] == drawn.labels[i] for r, i in zip(recognized, picks)])
    assert right > 0.85, "the answers stay as good as ever"
    assert sum(r["type"] == "speech" and r["source"] == "clip" for r in records) == DRAWINGS
    health = [r["rss_mb"] for r in records if r["type"] == "health"]
    assert len(health) >= 10
    warm = health[len(health) // 10]  # after warm-up: caches, fonts and clips loaded
    growth = max(health[len(health) // 10 :]) - warm
    print(
        f"RSS after warm-up {warm:.1f} MB, at the end {health[-1]:.1f} MB, "
        f"max growth {growth:.1f} MB over {len(health)} samples"
    )
    assert growth <= 10.0, health
