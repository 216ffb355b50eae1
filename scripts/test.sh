#!/usr/bin/env bash
# Set up a virtual environment with everything (kiosk, trainer, tests) and run the test suite.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
# The offline voice (espeak-ng) and the Pi install script (shellcheck) are tested for real:
# install what is missing when we may.
missing=""
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
    # shellcheck disable=SC2086  # one word per package
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq $missing >/dev/null; } \
      || echo "could not install$missing; the tests that need them will say so" >&2
  else
    echo "missing:$missing (sudo apt-get install$missing); the tests that need them skip outside CI" >&2
  fi
fi
python3 -m venv .venv
# torch is pinned in pyproject.toml: pip takes a CPU wheel, never the multi-GB CUDA build.
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[train,voice,dev]"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
exec .venv/bin/python -m pytest "$@"
