#!/usr/bin/env bash
# Set up a virtual environment with everything (kiosk, trainer, tests) and run the test suite.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
# torch is pinned in pyproject.toml: pip takes a CPU wheel, never the multi-GB CUDA build.
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[train,dev]"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
exec .venv/bin/python -m pytest "$@"
