#!/usr/bin/env bash
# Set up a virtual environment with everything (kiosk, trainer, tests) and run the test suite.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
# The offline voice (espeak-ng) is tested for real: install it when it is missing and we may.
if ! command -v espeak-ng >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null
  elif sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo apt-get install -y -qq espeak-ng >/dev/null
  else
    echo "espeak-ng is missing (sudo apt-get install espeak-ng); the voice tests skip without it" >&2
  fi
fi
python3 -m venv .venv
# torch is pinned in pyproject.toml: pip takes a CPU wheel, never the multi-GB CUDA build.
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[train,voice,dev]"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
exec .venv/bin/python -m pytest "$@"
