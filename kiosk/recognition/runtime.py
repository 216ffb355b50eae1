"""onnxruntime, loaded with its telemetry off: an offline kiosk must not look up a telemetry server
or keep a device id and an event queue (SQLite) under $XDG_CACHE_HOME/Microsoft on a small disk.

onnxruntime reads ORT_DISABLE_TELEMETRY when its library loads (disable_telemetry_events() later
did not stop the DNS lookups), so everything in the project imports onnxruntime from here.
"""
from __future__ import annotations

import os

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # before the import below: only then does it take

import onnxruntime as ort

ort.disable_telemetry_events()

__all__ = ["ort"]
