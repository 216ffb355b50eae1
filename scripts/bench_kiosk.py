#!/usr/bin/env python3
"""Benchmark the running kiosk: time to first frame, resident memory, CPU when nobody touches it.

Starts `python -m kiosk --windowed` with SDL's dummy video and audio drivers (no screen needed,
real clock, unlike --headless which runs in simulated time), reads its log and /proc.

    .venv/bin/python scripts/bench_kiosk.py [--seconds 20] [--out runs/bench_kiosk.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="idle time measured, after 5 s of settling")
    parser.add_argument("--out", default="runs/bench_kiosk.json")
    args = parser.parse_args()
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    with tempfile.TemporaryDirectory() as logs:
        config = Path(logs) / "kiosk.toml"
        config.write_text(f'log_dir = "{logs}"\nidle_timeout_s = 3600\n')
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "--windowed", "--size", "800x480", "--config", str(config)],
            cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE, text=True,
        )
        first_frame_s = None
        for line in process.stderr:
            if "first frame after" in line:
                first_frame_s = time.perf_counter() - started
                break
        time.sleep(5)  # past the 2 s of full frame rate after start
        cpu_before, wall_before = cpu_seconds(process.pid), time.perf_counter()
        time.sleep(args.seconds)
        idle_cpu = (cpu_seconds(process.pid) - cpu_before) / (time.perf_counter() - wall_before)
        rss = rss_mb(process.pid)
        process.terminate()
        process.wait(timeout=10)
    result = {
        "first_frame_seconds": round(first_frame_s, 3) if first_frame_s else None,
        "rss_mb": round(rss, 1),
        "idle_cpu_percent_of_one_core": round(100 * idle_cpu, 2),
        "machine": platform.platform(),
    }
    print(f"first frame {result['first_frame_seconds']} s (target <= 2), resident memory {result['rss_mb']} MB "
          f"(target <= 200), idle CPU {result['idle_cpu_percent_of_one_core']}% of one core (target <= 3)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
