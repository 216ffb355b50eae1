#!/usr/bin/env bash
# Set up a virtual environment with everything (kiosk, trainer, tests) and run the test suite.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
# The offline voice (espeak-ng), the Pi install script (shellcheck), the systemd units
# (systemd-analyze), the retrain under a clock that jumps (faketime) and the fleet (syncthing) are tested for real. This
# script installs no system package (CI's .ci/run does): it says what is missing, and the tests that
# need it skip (or fail under CI=1).
for tool in espeak-ng:espeak-ng shellcheck:shellcheck systemd-analyze:systemd faketime:faketime syncthing:syncthing; do
  command -v "${tool%%:*}" >/dev/null 2>&1 \
    || echo "missing ${tool%%:*}: its tests skip (fail under CI=1); install it: sudo apt-get install ${tool#*:}" >&2
done
python3 -m venv .venv
# pygame-ce replaced pygame (the same `import pygame`; its SDL can drive a screen over KMS/DRM):
# both in one venv overwrite each other's files, so an older .venv drops both, then gets pygame-ce alone.
if .venv/bin/pip show pygame >/dev/null 2>&1; then .venv/bin/pip uninstall --quiet -y pygame pygame-ce; fi
# torch is pinned in pyproject.toml: pip takes a CPU wheel, never the multi-GB CUDA build.
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[train,voice,dev]"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
# Both tiers, whole: the default `pytest` runs only the fast one (pyproject.toml addopts: -m "not slow").
# A -m of your own (e.g. -m reliability) comes later on the line and wins.
exec .venv/bin/python -m pytest -m "slow or not slow" "$@"
