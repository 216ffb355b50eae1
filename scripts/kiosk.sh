#!/usr/bin/env bash
# Run the kiosk on the shipped models (fullscreen; add --windowed on a desktop, Esc quits there).
# Creates .venv with the kiosk's runtime dependencies only (no torch) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! PYGAME_HIDE_SUPPORT_PROMPT=1 .venv/bin/python -c "import onnxruntime, pygame, cv2" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -e .
fi
exec .venv/bin/python -m kiosk "$@"
