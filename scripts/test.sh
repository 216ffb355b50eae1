#!/usr/bin/env bash
# Set up a virtual environment with everything (kiosk, trainer, tests) and run the test suite.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
# The offline voice (espeak-ng), the Pi install script (shellcheck) and the systemd units
# (systemd-analyze) are tested for real: install what is missing when we may.
missing=""
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"

wait_for_apt() {
  # Another apt (an unattended upgrade, a second CI job) may hold the dpkg lock: wait, bounded.
  local waited=0
  while pgrep -x 'apt|apt-get|dpkg|unattended-upgr' >/dev/null 2>&1 && [ "$waited" -lt 300 ]; do
    [ "$waited" = 0 ] && echo "waiting for another apt/dpkg to finish (up to 5 min)..." >&2
    sleep 5
    waited=$((waited + 5))
  done
}

if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
    wait_for_apt
    apt_wait="-o DPkg::Lock::Timeout=300"  # and apt itself waits for the lock instead of giving up
    # shellcheck disable=SC2086  # one word per option and per package
    { $sudo apt-get $apt_wait update -qq && $sudo apt-get $apt_wait install -y -qq --no-install-recommends $missing >/dev/null; } \
      || echo "could not install$missing; the tests that need them will say so" >&2
  else
    echo "missing:$missing (sudo apt-get install$missing); the tests that need them skip outside CI" >&2
  fi
fi
python3 -m venv .venv
# pygame-ce replaced pygame (the same `import pygame`; its SDL can drive a screen over KMS/DRM):
# both in one venv overwrite each other's files, so an older .venv drops both, then gets pygame-ce alone.
if .venv/bin/pip show pygame >/dev/null 2>&1; then .venv/bin/pip uninstall --quiet -y pygame pygame-ce; fi
# torch is pinned in pyproject.toml: pip takes a CPU wheel, never the multi-GB CUDA build.
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[train,voice,dev]"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
exec .venv/bin/python -m pytest "$@"
