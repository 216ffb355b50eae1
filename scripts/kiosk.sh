#!/usr/bin/env bash
# Run the kiosk on the shipped models (fullscreen; add --windowed on a desktop, Esc quits there).
# Creates .venv with the kiosk's runtime dependencies only (no torch) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! PYGAME_HIDE_SUPPORT_PROMPT=1 .venv/bin/python -c "import onnxruntime, pygame, cv2; assert getattr(pygame, 'IS_CE', False)" 2>/dev/null; then
  python3 -m venv .venv
  # pygame-ce replaced pygame (the same `import pygame`; its SDL can drive a screen over KMS/DRM):
  # both in one venv overwrite each other's files, so an older .venv drops both, then gets pygame-ce alone.
  if .venv/bin/pip show pygame >/dev/null 2>&1; then .venv/bin/pip uninstall --quiet -y pygame pygame-ce; fi
  .venv/bin/pip install --quiet --disable-pip-version-check -e .
fi
exec .venv/bin/python -m kiosk "$@"
