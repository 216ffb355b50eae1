#!/usr/bin/env bash
# Install the digit kiosk on Raspberry Pi OS (64-bit, Bookworm or later) for the current user, so it
# starts by itself after a power cut and is restarted if it ever hangs.
#
# Usage: scripts/install_pi.sh [--dry-run] [--with-training] [--video auto|desktop|kmsdrm] [--data-dir DIR]
#                              [--fleet hub|member [--hub-id ID --hub-key KEY] [--name NAME]]
#   --dry-run        print every command and file instead of running or writing it
#   --with-training  also download MNIST and install the nightly retraining timer (no torch: the
#                    retraining runs on the kiosk's own numpy learning engine)
#   --video          desktop: start with the Wayland/X desktop session; kmsdrm: Raspberry Pi OS Lite,
#                    straight on the screen at boot, no desktop; auto (default): desktop if a display
#                    manager is enabled, else kmsdrm
#   --data-dir       the one folder the kiosk writes to (default ~/.local/share/digit-kiosk); put it on
#                    a writable partition to run with a read-only root filesystem
#   --print-units    print the systemd units this would install, and stop (used by the tests)
#   --fleet          many kiosks, one brain (docs/fleet.md): Syncthing as a user service, LAN only.
#                    hub: retrains every night on all kiosks' drawings and publishes signed models;
#                    member: needs --hub-id (the hub's Syncthing ID) and --hub-key (its public key),
#                    both printed by the hub's install; --name: this kiosk's name (a place, e.g. hall-2)
set -euo pipefail

PROJECT="$(cd "$(dirname "$0")/.." && pwd)"
DRY_RUN=0
WITH_TRAINING=0
VIDEO=auto
PRINT_UNITS=0
FLEET=""
HUB_ID=""
HUB_KEY=""
FLEET_NAME=""
DATA_DIR="${HOME}/.local/share/digit-kiosk"
KIOSK_USER="$(id -un)"
CONFIG_DIR="${XDG_CONFIG_HOME:-${HOME}/.config}"
UNIT_DIR="${CONFIG_DIR}/systemd/user"

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --with-training) WITH_TRAINING=1 ;;
    --video) VIDEO="${2:?--video needs auto, desktop or kmsdrm}"; shift ;;
    --data-dir) DATA_DIR="${2:?--data-dir needs a folder}"; shift ;;
    --print-units) PRINT_UNITS=1 ;;
    --fleet) FLEET="${2:?--fleet needs hub or member}"; shift ;;
    --hub-id) HUB_ID="${2:?--hub-id needs the Syncthing device ID of the hub}"; shift ;;
    --hub-key) HUB_KEY="${2:?--hub-key needs the public key of the hub}"; shift ;;
    --name) FLEET_NAME="${2:?--name needs a name}"; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "install_pi.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$VIDEO" in auto|desktop|kmsdrm) ;; *) echo "install_pi.sh: --video must be auto, desktop or kmsdrm" >&2; exit 2 ;; esac
fleet_refuse() { echo "install_pi.sh: $*" >&2; exit 2; }
case "$FLEET" in
  "") [ -z "$HUB_ID$HUB_KEY$FLEET_NAME" ] || fleet_refuse "--hub-id, --hub-key and --name go with --fleet" ;;
  hub) [ -z "$HUB_ID$HUB_KEY" ] || fleet_refuse "the hub is given no --hub-id or --hub-key (it makes its own)" ;;
  member)
    [[ "$HUB_ID" =~ ^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$ ]] \
      || fleet_refuse "--fleet member needs --hub-id, the hub's Syncthing device ID (8 groups of 7, from its install)"
    [[ "$HUB_KEY" =~ ^[0-9a-f]{64}$ ]] \
      || fleet_refuse "--fleet member needs --hub-key, the hub's public key (64 hex digits, from its install)" ;;
  *) fleet_refuse "--fleet must be hub or member" ;;
esac
[[ "$FLEET_NAME" =~ ^[A-Za-z0-9_.-]{0,40}$ ]] || fleet_refuse "--name: up to 40 letters, digits, '.', '_' or '-'"

say() { printf '\n== %s\n' "$*"; }

# Run a command, or only show it in a dry run.
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would run: %s\n' "$*"
  else
    "$@"
  fi
}

# Write stdin to a file (atomically: temp file, then rename), or only show it in a dry run.
write_file() {
  local path="$1" content
  content="$(cat)"
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would write %s:\n%s\n' "$path" "$content" | sed 's/^/    /'
    return
  fi
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$content" > "$path.tmp.$$"
  sync "$path.tmp.$$" 2>/dev/null || true
  mv -f "$path.tmp.$$" "$path"
}

detect_video() {
  if [ "$VIDEO" != auto ]; then
    echo "$VIDEO"
  elif systemctl is-enabled --quiet display-manager.service 2>/dev/null; then
    echo desktop
  else
    echo kmsdrm
  fi
}

kiosk_unit() {
  local video_line=""
  # Lite: SDL drives the screen directly; on a desktop, SDL finds the session's Wayland or X display.
  if [ "$1" = kmsdrm ]; then video_line="Environment=SDL_VIDEODRIVER=kmsdrm"; fi
  cat <<EOF
# The digit kiosk, as a systemd user service: started at login (desktop) or at boot (Lite, with
# lingering), restarted on any exit but the grown-ups' (PIN, exit code 10), and killed and restarted
# if its render loop stops pinging.
[Unit]
Description=Digit kiosk (handwritten digits for children)
Documentation=file://${PROJECT}/README.md
After=sound.target
# Never give up: a kiosk that hit a start limit would leave the desktop in front of the children.
# A crash loop costs a restart every 5 s, each one in the journal for the grown-up.
StartLimitIntervalSec=0

[Service]
Type=notify
NotifyAccess=main
WorkingDirectory=${PROJECT}
ExecStart=${PROJECT}/.venv/bin/python -m kiosk --config ${CONFIG_DIR}/digit-kiosk/kiosk.toml
# Every write goes under the data dir (libraries' caches too), so a read-only root works.
Environment=XDG_CACHE_HOME=${DATA_DIR}/cache
Environment=PYGAME_HIDE_SUPPORT_PROMPT=1
# Offline: onnxruntime's telemetry (DNS lookups, a device id and an event database) stays off.
Environment=ORT_DISABLE_TELEMETRY=1
${video_line}
# systemctl --user reload digit-kiosk: re-read the settings (a broken file is logged and ignored).
ExecReload=/bin/kill -HUP \$MAINPID
Restart=always
RestartSec=5
# The grown-ups' exit (the PIN) ends the kiosk with 10: stay stopped until the next login or boot.
RestartPreventExitStatus=10
SuccessExitStatus=10
WatchdogSec=30
TimeoutStartSec=90

[Install]
WantedBy=default.target
EOF
}

autostart_entry() {
  cat <<EOF
[Desktop Entry]
Type=Application
Name=Digit kiosk
Comment=Start the digit kiosk service with this desktop session's display
Exec=sh -c 'systemctl --user import-environment WAYLAND_DISPLAY DISPLAY XAUTHORITY; systemctl --user reset-failed digit-kiosk.service; systemctl --user restart digit-kiosk.service'
X-GNOME-Autostart-enabled=true
EOF
}

kiosk_config() {
  cat <<EOF
# Digit kiosk settings written by scripts/install_pi.sh; every key is explained in kiosk/config.py.
model_dir = "${PROJECT}/exported_models"
voice_dir = "${PROJECT}/voice_cache"
data_dir = "${DATA_DIR}"
log_dir = "${DATA_DIR}/logs"
# This kiosk's own PIN for the grown-ups' exit (hold the bottom-left corner 3 s); change it here.
admin_pin = "${ADMIN_PIN}"
EOF
  if [ -n "$FLEET" ]; then
    printf '# Fleet mode (docs/fleet.md): this kiosk shares its labelled drawings with the hub over the LAN.\n'
    printf 'fleet_role = "%s"\nfleet_name = "%s"\n' "$FLEET" "$FLEET_NAME"
    [ -z "$HUB_KEY" ] || printf 'fleet_hub_key = "%s"\n' "$HUB_KEY"
  fi
}

# The fleet's pass (outbox, health file, taking a signed model) every 30 s, beside the kiosk.
fleet_unit() {
  cat <<EOF
[Unit]
Description=Digit kiosk fleet: share drawings and health with the hub, take its signed models
Documentation=file://${PROJECT}/docs/fleet.md
After=syncthing.service

[Service]
WorkingDirectory=${PROJECT}
ExecStart=${PROJECT}/.venv/bin/python -m kiosk fleet sync --every 30 --config ${CONFIG_DIR}/digit-kiosk/kiosk.toml
Environment=ORT_DISABLE_TELEMETRY=1
Nice=10
Restart=always
RestartSec=30

[Install]
WantedBy=default.target
EOF
}

# The hub's night: the pooled retrain, the signed publish and the grown-ups' page (the retrain timer's hours).
fleet_night_unit() {
  retrain_unit | sed -e 's#-m kiosk retrain --config \([^ ]*\).*#-m kiosk fleet night --config \1#' \
                     -e 's#^Description=.*#Description=Digit kiosk fleet: the hub retrains on every kiosk and publishes#'
}

# Six random digits from the kernel: every install gets its own PIN, never the built-in 2468.
new_pin() {
  local number
  number="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
  printf '%06d' "$(( number % 1000000 ))"
}
ADMIN_PIN="$(new_pin)"

# The shipped retrain unit, pointed at this checkout and at the same settings (so the same data dir).
retrain_unit() {
  sed -e "s#%h/digit-kiosk#${PROJECT}#g" \
      -e "s#-m kiosk retrain #-m kiosk retrain --config ${CONFIG_DIR}/digit-kiosk/kiosk.toml #" \
      "$PROJECT/deploy/digit-kiosk-retrain.service"
}

# Paths go into systemd units and TOML unquoted: refuse the characters that would break them.
for path in "$PROJECT" "$DATA_DIR" "$CONFIG_DIR"; do
  case "$path" in
    *[[:space:]\"\'\\]*) echo "install_pi.sh: '$path' has a space, quote or backslash; move it somewhere plainer" >&2; exit 2 ;;
  esac
done

MODE="$(detect_video)"
if [ "$PRINT_UNITS" = 1 ]; then
  echo "### digit-kiosk.service"
  kiosk_unit "$MODE"
  echo "### digit-kiosk-retrain.service"
  retrain_unit
  echo "### digit-kiosk-retrain.timer"
  cat "$PROJECT/deploy/digit-kiosk-retrain.timer"
  if [ -n "$FLEET" ]; then
    echo "### digit-kiosk-fleet.service"
    fleet_unit
  fi
  if [ "$FLEET" = hub ]; then
    echo "### digit-kiosk-fleet-night.service"
    fleet_night_unit
    echo "### digit-kiosk-fleet-night.timer"
    sed 's#digit-kiosk-retrain.service#digit-kiosk-fleet-night.service#' "$PROJECT/deploy/digit-kiosk-retrain.timer"
  fi
  exit 0
fi

say "Checking the system"
# shellcheck disable=SC1091
. /etc/os-release 2>/dev/null || true
ARCH="$(uname -m)"
echo "OS: ${PRETTY_NAME:-unknown}, ${ARCH}; video: ${MODE}; data: ${DATA_DIR}"
case "${VERSION_CODENAME:-}" in
  bookworm|trixie) ;;
  *) echo "warning: made for Raspberry Pi OS Bookworm or later; this is ${VERSION_CODENAME:-unknown}" >&2 ;;
esac
[ "$ARCH" = aarch64 ] || echo "warning: made for 64-bit Raspberry Pi OS (aarch64); this is ${ARCH}" >&2
if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" = 0 ]; then
  echo "install_pi.sh: run it as the user the kiosk runs as, not as root (it uses sudo where needed)" >&2
  exit 2
fi
# Every check that can fail comes before the first change to the system: stop with one line, change nothing.
stop() { echo "install_pi.sh: $*; nothing was changed" >&2; exit 2; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
  || stop "the kiosk needs Python 3.11 or later (Raspberry Pi OS Bookworm has it); this is $(python3 --version 2>&1)"
free_mb="$(df -Pm "$PROJECT" | awk 'NR == 2 {print $4}')"
[ "${free_mb:-0}" -ge 1024 ] || [ "$DRY_RUN" = 1 ] || stop "only ${free_mb:-?} MB free where the kiosk is; it needs 1 GB"

say "System packages"
# espeak-ng: the offline voice; SDL's KMS/DRM and audio needs; python3-venv for the virtual environment.
run sudo apt-get update
run sudo apt-get install -y python3-venv python3-dev espeak-ng alsa-utils libgbm1 libdrm2 libegl1 libgles2 \
  libasound2 libpulse0 libglib2.0-0 fonts-dejavu-core  # libglib2.0-0: pygame's mixer (libgthread), missing on Lite

say "The kiosk's Python environment (${PROJECT}/.venv)"
run python3 -m venv "$PROJECT/.venv"
run "$PROJECT/.venv/bin/pip" install --upgrade pip
# An older install had pygame; pygame-ce (same `import pygame`, with KMS/DRM) must not share the venv with it.
if [ "$DRY_RUN" = 1 ] || "$PROJECT/.venv/bin/pip" show pygame >/dev/null 2>&1; then
  run "$PROJECT/.venv/bin/pip" uninstall -y pygame pygame-ce
fi
# numpy, onnxruntime (never 1.21.0), opencv, pygame-ce, pyttsx3, onnx, threadpoolctl. Never torch: PyPI's
# aarch64 torch is a CUDA build that dies with SIGILL on a Pi 4, and the device learns with numpy anyway.
run "$PROJECT/.venv/bin/pip" install -e "$PROJECT"

say "Settings and the data folder"
run mkdir -p "$DATA_DIR/logs" "$DATA_DIR/cache"
if [ -e "$CONFIG_DIR/digit-kiosk/kiosk.toml" ]; then
  # Never overwrite it: it holds this kiosk's PIN and any settings changed since.
  echo "keeping the existing $CONFIG_DIR/digit-kiosk/kiosk.toml"
else
  kiosk_config | write_file "$CONFIG_DIR/digit-kiosk/kiosk.toml"
  echo "The grown-ups' PIN of this kiosk is ${ADMIN_PIN}: write it down (it is admin_pin in $CONFIG_DIR/digit-kiosk/kiosk.toml)."
fi

say "Permissions: touchscreen, screen and sound"
run sudo usermod -aG input,video,render,audio "$KIOSK_USER"

say "Screen blanking off"
if command -v raspi-config >/dev/null 2>&1 || [ "$DRY_RUN" = 1 ]; then
  run sudo raspi-config nonint do_blanking 1
else
  echo "raspi-config not found: turn screen blanking off in the desktop's screen settings" >&2
fi

say "The kiosk service (systemd user unit, watchdog 30 s, restart always)"
kiosk_unit "$MODE" | write_file "$UNIT_DIR/digit-kiosk.service"
run systemctl --user daemon-reload
if [ "$MODE" = desktop ]; then
  # The desktop session owns the display: its autostart starts the service once WAYLAND_DISPLAY or
  # DISPLAY exists (started any earlier, it would fail until it hit its start limit).
  autostart_entry | write_file "$CONFIG_DIR/autostart/digit-kiosk.desktop"
else
  # No desktop: lingering starts the user's services at boot, with the screen driven over KMS/DRM.
  run systemctl --user enable digit-kiosk.service
  run sudo loginctl enable-linger "$KIOSK_USER"
fi

if [ "$WITH_TRAINING" = 1 ]; then
  say "Nightly retraining"
  run "$PROJECT/.venv/bin/python" -m kiosk download-mnist
  retrain_unit | write_file "$UNIT_DIR/digit-kiosk-retrain.service"
  write_file "$UNIT_DIR/digit-kiosk-retrain.timer" < "$PROJECT/deploy/digit-kiosk-retrain.timer"
  run systemctl --user daemon-reload
  run systemctl --user enable digit-kiosk-retrain.timer
fi

if [ -n "$FLEET" ]; then
  say "Fleet mode: ${FLEET} (Syncthing, local network only)"
  run sudo apt-get install -y syncthing
  run systemctl --user enable --now syncthing.service
  run sudo loginctl enable-linger "$KIOSK_USER"
  fleet_unit | write_file "$UNIT_DIR/digit-kiosk-fleet.service"
  TOML="$CONFIG_DIR/digit-kiosk/kiosk.toml"
  if [ "$DRY_RUN" = 0 ]; then
    # Syncthing writes its settings (and its API key) on its first start: wait for them, bounded.
    for _ in $(seq 30); do
      if [ -e "$HOME/.config/syncthing/config.xml" ] || [ -e "$HOME/.local/state/syncthing/config.xml" ]; then break; fi
      sleep 1
    done
  fi
  if [ "$FLEET" = hub ]; then
    run "$PROJECT/.venv/bin/python" -m kiosk download-mnist  # the pooled retrain's replay and its gate
    run "$PROJECT/.venv/bin/python" -m kiosk fleet keygen --config "$TOML"
    run "$PROJECT/.venv/bin/python" -m kiosk fleet setup --config "$TOML"
    fleet_night_unit | write_file "$UNIT_DIR/digit-kiosk-fleet-night.service"
    sed 's#digit-kiosk-retrain.service#digit-kiosk-fleet-night.service#' "$PROJECT/deploy/digit-kiosk-retrain.timer" \
      | write_file "$UNIT_DIR/digit-kiosk-fleet-night.timer"
    run systemctl --user daemon-reload
    run systemctl --user enable --now digit-kiosk-fleet-night.timer
    echo "Give each kiosk's install the hub's key and ID printed above: --hub-key KEY --hub-id ID."
  else
    run "$PROJECT/.venv/bin/python" -m kiosk fleet setup --config "$TOML" --hub-id "$HUB_ID"
    echo "On the hub, pair this kiosk with the line printed above (digit-kiosk fleet pair ID NAME)."
  fi
  run systemctl --user daemon-reload
  run systemctl --user enable --now digit-kiosk-fleet.service
fi

say "Checking the runtime on this CPU"
run "$PROJECT/.venv/bin/python" -c "
import sys
from kiosk.errors import KioskError
from kiosk.service import check_runtime
try:
    print('onnxruntime', check_runtime(sys.argv[1]), 'works here')
except KioskError as error:
    sys.exit(f'install_pi.sh: the kiosk cannot run here: {error}')" "$CONFIG_DIR/digit-kiosk/kiosk.toml"

say "Done. Reboot, then check:"
cat <<EOF
  [ ] the kiosk appears full screen within a minute of power-on, with no keyboard or mouse
  [ ] a finger draws, and the answer is spoken (plug in the speaker before boot, or wait 30 s)
  [ ] systemctl --user status digit-kiosk      shows active (running) and "Watchdog: 30s"
  [ ] journalctl --user -u digit-kiosk -b      shows "first frame after ... ms"
  [ ] pulling the power and plugging it back in brings the kiosk back by itself
  [ ] the screen stays on after 15 minutes without a touch
  [ ] to leave: hold the bottom-left corner for 3 s and enter the PIN (admin_pin in
      ${CONFIG_DIR}/digit-kiosk/kiosk.toml)
EOF
