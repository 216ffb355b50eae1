#!/usr/bin/env bash
# Check the kiosk on arm64 without a Raspberry Pi: a Debian 12 (Bookworm, = Raspberry Pi OS Bookworm,
# Python 3.11) arm64 root filesystem under qemu-user, the project installed in it by
# scripts/install_pi.sh --with-training as the user pi, then for each CPU model (Pi 4, Pi 5, Pi 3):
# the runtime check, a headless replay of drawn digits (recognized and spoken), the nightly retrain,
# and no torch in the venv. Runs on an x86_64 Debian or Ubuntu machine, as root; takes 30 min or more.
#
# Usage: sudo scripts/check_arm64.sh [--cache DIR] [--mnist DIR] [--cpus a72,a76,a53] [--kind cnn|mlp]
#                                    [--steps N] [--keep]
#   --cache DIR   the base root filesystem (built once, ~350 MB), pip's cache, the logs and the work
#                 root filesystem (default ${XDG_CACHE_HOME:-$HOME/.cache}/digit-kiosk-arm64)
#   --mnist DIR   a folder with the four MNIST files, copied in (never downloaded)
#                 (default $MNIST_DIR, else ../shared/data/mnist beside the repo)
#   --cpus LIST   qemu CPU models, cortex- optional (default a72,a76,a53: Pi 4, Pi 5, Pi 3 / Zero 2 W)
#   --kind KIND   the model the retrain fine-tunes: mlp (default) or cnn, the one the nightly timer
#                 retrains, which takes far longer under emulation (over 20 min a CPU on 2 cores)
#   --steps N     retrain steps (default 30; the timer's 300 take long under emulation)
#   --keep        keep the work root filesystem (CACHE/rootfs) afterwards, to look around with
#                 sudo chroot CACHE/rootfs runuser -u pi -- bash -l
# The project copied in is the working tree's tracked files (git ls-files), edits included.
# Prints one line per CPU at the end; exits 1 if any part failed (with the tail of its log), 2 on bad
# usage or a host that cannot run it.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ARGS=("$@")
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/digit-kiosk-arm64"
MNIST="${MNIST_DIR:-$REPO/../shared/data/mnist}"
CPUS="a72,a76,a53"
KIND=mlp
STEPS=30
KEEP=0
SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PI_HOME=/home/pi
PROJECT_IN=$PI_HOME/digit-kiosk
FEEDBACK_DRAWINGS=100  # the retrain holds out about a fifth (by a hash of each), and needs at least 5 each side
REPLAY_DIGITS=7,1

# Read-only git: no optional index refresh, and a checkout owned by another user is fine under sudo.
repo_git() { GIT_OPTIONAL_LOCKS=0 git -c safe.directory="$REPO" -C "$REPO" "$@"; }
usage() { awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; }
die() { echo "check_arm64.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --cache) CACHE="${2:?--cache needs a folder}"; shift ;;
    --mnist) MNIST="${2:?--mnist needs a folder}"; shift ;;
    --cpus) CPUS="${2:?--cpus needs a list like a72,a76,a53}"; shift ;;
    --kind) KIND="${2:?--kind needs cnn or mlp}"; shift ;;
    --steps) STEPS="${2:?--steps needs a number}"; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "check_arm64.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$KIND" in cnn|mlp) ;; *) die "--kind must be cnn or mlp" ;; esac
case "$STEPS" in ''|*[!0-9]*) die "--steps must be a whole number" ;; esac
case "$CACHE" in *[[:space:]]*) die "the cache folder '$CACHE' has a space in it; pick a plainer one" ;; esac

# The CPU models, with the MIDR part number each must show inside the emulator (proof QEMU_CPU works).
declare -A PART=([cortex-a53]=0xd03 [cortex-a72]=0xd08 [cortex-a76]=0xd0b)
declare -A BOARD=([cortex-a53]="Pi 3 / Zero 2 W" [cortex-a72]="Pi 4" [cortex-a76]="Pi 5")
CPU_LIST=()
IFS=, read -r -a wanted <<< "$CPUS"
for cpu in "${wanted[@]}"; do
  cpu="cortex-${cpu#cortex-}"
  [ -n "${PART[$cpu]:-}" ] || die "unknown CPU model '$cpu' (known: cortex-a72, cortex-a76, cortex-a53)"
  CPU_LIST+=("$cpu")
done
[ "${#CPU_LIST[@]}" -gt 0 ] || die "--cpus is empty"

START=$SECONDS
stamp() { local s=$((SECONDS - START)); printf '[%02d:%02d:%02d]' $((s / 3600)) $((s / 60 % 60)) $((s % 60)); }
say() { printf '%s %s\n' "$(stamp)" "$*"; }

# ---------------------------------------------------------------- the host
if [ "$(id -u)" != 0 ]; then
  cat >&2 <<EOF
check_arm64.sh needs root: it installs debootstrap, mmdebstrap, qemu-user-static and binfmt-support
with apt-get (if missing), registers qemu-aarch64 with the kernel's binfmt_misc, builds a root
filesystem and mounts /proc, /sys and /dev into it for chroot. Run it as:
  sudo $0${ARGS[*]+ ${ARGS[*]}}
EOF
  exit 2
fi
[ "$(uname -m)" = x86_64 ] || echo "warning: made for an x86_64 host; this is $(uname -m)" >&2
command -v apt-get >/dev/null || die "needs a Debian or Ubuntu host (apt-get)"
MNIST="$(cd "$MNIST" 2>/dev/null && pwd)" || die "no MNIST folder at $MNIST: pass --mnist DIR or set MNIST_DIR (it is copied in, never downloaded)"
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$MNIST/$name.gz" ] || [ -f "$MNIST/$name" ] || die "$MNIST has no $name(.gz): pass --mnist DIR with the four MNIST files"
done
repo_git rev-parse --git-dir >/dev/null 2>&1 || die "$REPO is not a git checkout (the tracked files are what is copied)"

mkdir -p "$CACHE/logs"
CACHE="$(cd "$CACHE" && pwd)"
ROOT="$CACHE/rootfs"
BASE_TAR="$CACHE/$SUITE-arm64-base.tar"
LOGS="$CACHE/logs"
exec 9> "$CACHE/.lock"
flock -n 9 || die "another check_arm64.sh is using $CACHE"
rm -f "$LOGS"/*.log

say "host: prerequisites"
missing=()
for tool in debootstrap:debootstrap qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
if [ "${#missing[@]}" -gt 0 ]; then
  say "host: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v mmdebstrap >/dev/null; then  # faster than debootstrap; optional
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null 2>&1 || true
fi
# The kernel runs arm64 programs through qemu-aarch64-static (binfmt_misc, flag F: no copy in the chroot).
[ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
  || die "cannot mount binfmt_misc (a container without it?); qemu-user needs it to run arm64 programs"
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 \
  || update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
grep -q '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null \
  || die "qemu-aarch64 is not registered with binfmt_misc (try: update-binfmts --enable qemu-aarch64)"
BINFMT_FLAGS="$(sed -n 's/^flags: //p' /proc/sys/fs/binfmt_misc/qemu-aarch64)"
# install_pi.sh uses sudo, and a setuid program under qemu-user keeps the caller's uid unless binfmt_misc
# has the C flag, which Debian's entry lacks. For the time of this run only, a second entry with the
# same magic and interpreter, flags POCF, goes first (the kernel tries the newest entry first); it is
# removed on exit.
BINFMT_SUID=/proc/sys/fs/binfmt_misc/digit-kiosk-arm64-check
register_suid_binfmt() {
  local entry=/proc/sys/fs/binfmt_misc/qemu-aarch64 interpreter magic mask
  interpreter="$(sed -n 's/^interpreter //p' "$entry")"
  magic="$(sed -n 's/^magic //p' "$entry" | sed 's/../\\x&/g')"
  mask="$(sed -n 's/^mask //p' "$entry" | sed 's/../\\x&/g')"
  [ ! -e "$BINFMT_SUID" ] || echo -1 > "$BINFMT_SUID"
  printf ':%s:M:0:%s:%s:%s:POCF' "${BINFMT_SUID##*/}" "$magic" "$mask" "$interpreter" > /proc/sys/fs/binfmt_misc/register
}
register_suid_binfmt || die "cannot register a binfmt_misc entry with the C flag (needed for sudo under qemu)"
say "host: $(qemu-aarch64-static --version | head -1), binfmt flags ${BINFMT_FLAGS}; for this run also ${BINFMT_SUID##*/} (POCF)"

# ---------------------------------------------------------------- mounts and the work root filesystem
mounts_under_root() { findmnt -rn -o TARGET | awk -v root="$ROOT" '$0 == root || index($0, root "/") == 1'; }
unmount_root() {
  local target
  [ -d "$ROOT" ] || return 0
  # Deepest first; lazily, so a process still holding a file there cannot keep /dev mounted inside.
  while read -r target; do
    umount -l "$target" 2>/dev/null || true
  done < <(mounts_under_root | sort -r)
}
remove_root() {
  unmount_root
  if [ -n "$(mounts_under_root)" ]; then
    echo "check_arm64.sh: something is still mounted under $ROOT; not removing it" >&2
    return 1
  fi
  rm -rf --one-file-system "$ROOT"
}
# shellcheck disable=SC2317  # run by the EXIT trap
finish() {
  local code=$?
  [ ! -e "$BINFMT_SUID" ] || echo -1 > "$BINFMT_SUID" || true
  unmount_root
  if [ "$KEEP" = 1 ] && [ -d "$ROOT" ]; then
    say "kept the root filesystem: sudo chroot $ROOT runuser -u pi -- bash -l"
  else
    remove_root || true
  fi
  exit "$code"
}
trap finish EXIT
trap 'exit 130' INT TERM

# The apt packages install_pi.sh installs, read from it, so the base has them (it still runs apt itself).
INSTALL_PI_PACKAGES="$(awk '/apt-get install -y/ {grab = 1} grab {line = line " " $0; if ($0 !~ /\\[[:space:]]*$/) grab = 0} END {print line}' \
  "$REPO/scripts/install_pi.sh" | sed 's/#.*//; s/.*apt-get install -y//; s/\\//g' | xargs)"
BASE_PACKAGES="python3 python3-venv sudo ca-certificates $INSTALL_PI_PACKAGES"

build_base() {
  local tmp="$CACHE/base.tmp" keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  rm -rf --one-file-system "$tmp" "$BASE_TAR.tmp"
  if command -v mmdebstrap >/dev/null; then
    say "base: mmdebstrap $SUITE arm64 ($BASE_PACKAGES)"
    nice -n 10 mmdebstrap --mode=root --arch=arm64 --variant=minbase --keyring="$keyring" \
      --include="${BASE_PACKAGES// /,}" "$SUITE" "$BASE_TAR.tmp" "$MIRROR"
  else
    say "base: debootstrap --foreign $SUITE arm64, then the second stage under qemu"
    nice -n 10 debootstrap --arch=arm64 --foreign --variant=minbase --keyring="$keyring" \
      --include="${BASE_PACKAGES// /,}" "$SUITE" "$tmp" "$MIRROR"
    [ "${BINFMT_FLAGS#*F}" != "$BINFMT_FLAGS" ] || cp /usr/bin/qemu-aarch64-static "$tmp/usr/bin/"
    nice -n 10 chroot "$tmp" /debootstrap/debootstrap --second-stage
    tar -C "$tmp" --numeric-owner -cf "$BASE_TAR.tmp" .
    rm -rf --one-file-system "$tmp"
  fi
  mv "$BASE_TAR.tmp" "$BASE_TAR"
}

# A command as the user pi inside the root filesystem, on the given CPU model. QEMU_CPU must be in the
# environment of every arm64 program started (each exec is a new qemu), so it is passed all the way down.
as_pi() {
  local cpu="$1" script="$2"
  QEMU_CPU="$cpu" chroot "$ROOT" /usr/sbin/runuser -u pi -- /usr/bin/env -i \
    HOME=$PI_HOME USER=pi LOGNAME=pi SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/bin:/usr/bin:/bin QEMU_CPU="$cpu" PYTHONUNBUFFERED=1 ${PROXY_ENV[@]+"${PROXY_ENV[@]}"} \
    /bin/bash -c "set -euo pipefail; cd $PI_HOME; $script"
}

# run_step LOG SCRIPT [CPU]: SCRIPT as pi, output to LOG; prints its time; returns its exit code.
STEP_S=0
run_step() {
  local log="$1" script="$2" cpu="${3:-${CPU_LIST[0]}}" begin=$SECONDS code=0
  as_pi "$cpu" "$script" >"$log" 2>&1 || code=$?
  STEP_S=$((SECONDS - begin))
  return "$code"
}
show_tail() { echo "---- last lines of $1:"; tail -n "${2:-25}" "$1" | sed 's/^/    /'; echo "----"; }

t0=$SECONDS
if [ -f "$BASE_TAR" ]; then
  say "base: cached $BASE_TAR"
else
  build_base > "$LOGS/base.log" 2>&1 || { show_tail "$LOGS/base.log" 40; exit 1; }
  say "base: built in $((SECONDS - t0)) s ($(du -h "$BASE_TAR" | cut -f1))"
fi

t0=$SECONDS
remove_root || exit 1
mkdir -p "$ROOT"
tar -C "$ROOT" --numeric-owner -xf "$BASE_TAR"
[ "${BINFMT_FLAGS#*F}" != "$BINFMT_FLAGS" ] || cp /usr/bin/qemu-aarch64-static "$ROOT/usr/bin/"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
echo "digit-kiosk-arm64" > "$ROOT/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 digit-kiosk-arm64 %s\n' "$(hostname)" > "$ROOT/etc/hosts"  # sudo looks it up
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev"
mount -t tmpfs tmpfs "$ROOT/tmp"
# The Pi's user: sudo without a password (as on Raspberry Pi OS), and the groups install_pi.sh adds it
# to (udev makes input and render on a real system).
chroot "$ROOT" /bin/bash -euc '
  groupadd -f input; groupadd -f render
  id pi >/dev/null 2>&1 || useradd -m -s /bin/bash -u 1000 pi
  echo "pi ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/010_pi-nopasswd
  chmod 440 /etc/sudoers.d/010_pi-nopasswd' > "$LOGS/setup.log" 2>&1 || { show_tail "$LOGS/setup.log"; exit 1; }
# A host behind a TLS-inspecting proxy trusts local CA certificates: so do apt and pip in the rootfs
# (pip, once install_pi.sh has upgraded it, reads its CA bundle from pip.conf), and the proxy variables go in.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  chroot "$ROOT" /usr/sbin/update-ca-certificates >> "$LOGS/setup.log" 2>&1 || { show_tail "$LOGS/setup.log"; exit 1; }
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$ROOT/etc/pip.conf"
fi
PROXY_ENV=()
for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  if [ -n "${!name:-}" ]; then PROXY_ENV+=("$name=${!name}"); fi
done
if [ "${#PROXY_ENV[@]}" -gt 0 ]; then
  printf 'Defaults env_keep += "http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY"\n' > "$ROOT/etc/sudoers.d/020_proxy"
  chmod 440 "$ROOT/etc/sudoers.d/020_proxy"
fi
# No systemd in a chroot: stubs that log what install_pi.sh asked of systemctl and loginctl.
for tool in systemctl loginctl; do
  cat > "$ROOT/usr/local/bin/$tool" <<EOF
#!/bin/sh
echo "$tool \$*" >> /tmp/$tool.calls
case "\$*" in *is-enabled*|*is-active*) exit 1 ;; esac
exit 0
EOF
  chmod 755 "$ROOT/usr/local/bin/$tool"
done
# pip's cache lives in CACHE (a rerun downloads nothing), bind-mounted where pi's pip looks.
mkdir -p "$CACHE/pip" "$ROOT$PI_HOME/.cache/pip"
chown -R 1000:1000 "$CACHE/pip" "$ROOT$PI_HOME/.cache"
mount --bind "$CACHE/pip" "$ROOT$PI_HOME/.cache/pip"
# MNIST where the installer's `kiosk download-mnist` and the timer's retrain look: copied, never downloaded.
mkdir -p "$ROOT$PI_HOME/.cache/digit-kiosk/mnist"
cp "$MNIST"/*-ubyte* "$ROOT$PI_HOME/.cache/digit-kiosk/mnist/"
# The project: the working tree's tracked files (edits included; a tracked file deleted is left out).
mkdir -p "$ROOT$PROJECT_IN"
tracked_files() {
  local file
  while IFS= read -r -d '' file; do
    if [ -e "$REPO/$file" ] || [ -L "$REPO/$file" ]; then printf '%s\0' "$file"; fi
  done < <(repo_git ls-files -z)
}
tracked_files | tar -C "$REPO" --null -T - -cf - | tar -C "$ROOT$PROJECT_IN" -xf -
chown -R 1000:1000 "$ROOT$PI_HOME"
REVISION="$(repo_git rev-parse --short HEAD)$(repo_git diff --quiet HEAD -- 2>/dev/null || echo '+edits')"
say "rootfs: ready in $((SECONDS - t0)) s ($(repo_git ls-files | wc -l) tracked files of $REVISION)"

# The helper that draws, checks the replay, fills the feedback folder and reads the CPU's ID register.
cat > "$ROOT$PI_HOME/arm64_check.py" <<'PYTHON'
"""check_arm64.sh's helper, run with the kiosk's venv inside the arm64 root filesystem."""
import ctypes
import json
import math
import mmap
import os
import subprocess
import sys
from pathlib import Path

CANVAS = 450.0


def _arc(cx, cy, rx, ry, a0, a1, n=24):
    return [(cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / (n - 1))),
             cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / (n - 1)))) for i in range(n)]


def _line(*points, n=12):
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        out += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(n)]
    return out + [points[-1]]


# Each digit as strokes of (x, y) points on a 450 px canvas, drawn roughly the way a child might.
TEMPLATES = {
    0: [_arc(225, 225, 95, 150, -90, 270, 40)],
    1: [_line((205, 110), (240, 70), (240, 390))],
    2: [_arc(225, 150, 90, 80, 200, 380, 20) + _line((310, 170), (130, 380), (330, 380))],
    3: [_arc(220, 145, 85, 75, 200, 450, 20) + _arc(220, 300, 95, 85, 270, 500, 20)],
    4: [_line((270, 70), (120, 280), (340, 280)), _line((280, 170), (280, 390))],
    5: [_line((320, 75), (160, 75), (150, 210)) + _arc(220, 290, 100, 90, 230, 500, 24)],
    6: [_line((300, 70), (170, 220)) + _arc(225, 295, 85, 85, 200, 560, 30)],
    7: [_line((120, 80), (330, 80), (200, 390))],
    8: [_arc(225, 140, 75, 70, 90, 450, 30) + _arc(225, 295, 90, 85, -90, 270, 30)],
    9: [_arc(225, 150, 85, 75, 0, 360, 30) + _line((310, 150), (300, 390))],
}


def strokes(digit, rng=None):
    """The template of digit; shifted, scaled and wobbled at random when rng is given."""
    import numpy as np

    scale, dx, dy = (1.0, 0.0, 0.0) if rng is None else (rng.uniform(0.75, 1.05), rng.uniform(-30, 30), rng.uniform(-30, 30))
    out = []
    for stroke in TEMPLATES[digit]:
        points = (np.array(stroke, dtype=np.float64) - 225.0) * scale + 225.0 + (dx, dy)
        if rng is not None:
            points += rng.normal(0, 2.0, points.shape)
        out.append([(float(x), float(y)) for x, y in np.clip(points, 0, CANVAS - 1)])
    return out


HWCAP_NAMES = ("fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc "
               "dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs sb paca pacg").split()
HWCAP2_NAMES = ("dcpodp sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svef32mm svef64mm "
                "svebf16 i8mm bf16 dgh rng bti").split()


def cmd_cpu(expected_part, cpuinfo_path):
    """Prove QEMU_CPU took effect, and write the /proc/cpuinfo a real kernel would show for this CPU.

    MIDR_EL1 is read with an mrs instruction (Linux, and qemu-user, emulate it for user space), the
    features from the auxiliary vector. qemu-user 7.2 shows the host's x86 /proc/cpuinfo to arm64
    programs, and onnxruntime's cpuinfo library crashes (SIGSEGV at import) reading it beside /sys:
    check_arm64.sh bind-mounts this file over it.
    """
    code = (0xD5380000).to_bytes(4, "little") + (0xD65F03C0).to_bytes(4, "little")  # mrs x0, midr_el1; ret
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    midr = ctypes.CFUNCTYPE(ctypes.c_uint64)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()
    part = (midr >> 4) & 0xFFF
    raw, aux = Path("/proc/self/auxv").read_bytes(), {}
    for i in range(0, len(raw) - 15, 16):
        aux[int.from_bytes(raw[i:i + 8], "little")] = int.from_bytes(raw[i + 8:i + 16], "little")
    hwcap, hwcap2 = aux.get(16, 0), aux.get(26, 0)  # AT_HWCAP, AT_HWCAP2
    features = [n for i, n in enumerate(HWCAP_NAMES) if hwcap >> i & 1] + [n for i, n in enumerate(HWCAP2_NAMES) if hwcap2 >> i & 1]
    print(f"QEMU_CPU={os.environ.get('QEMU_CPU', '')}: MIDR_EL1 {midr:#010x} (part {part:#05x}); "
          f"LSE atomics {'yes' if 'atomics' in features else 'no'}, dotprod {'yes' if 'asimddp' in features else 'no'}")
    if part != int(expected_part, 16):
        sys.exit(f"the emulated CPU is part {part:#05x}, not {expected_part}: QEMU_CPU did not take effect")
    block = (f"BogoMIPS\t: 108.00\nFeatures\t: {' '.join(features)}\nCPU implementer\t: {midr >> 24 & 0xFF:#04x}\n"
             f"CPU architecture: 8\nCPU variant\t: {midr >> 20 & 0xF:#x}\nCPU part\t: {part:#05x}\nCPU revision\t: {midr & 0xF}\n\n")
    Path(cpuinfo_path).write_text("".join(f"processor\t: {n}\n{block}" for n in range(os.cpu_count() or 1)))


def cmd_replay(digits, workdir, config):
    """Draw the digits on the headless kiosk; each must be recognized and its clip spoken."""
    import numpy as np  # noqa: F401 (the kiosk's venv)
    from kiosk import replay

    work, wanted = Path(workdir), [int(d) for d in digits.split(",")]
    work.mkdir(parents=True, exist_ok=True)
    events, t = [], 0.5
    for digit in wanted:
        part = replay.from_strokes(strokes(digit), canvas_size=CANVAS, start_s=t)
        events, t = events + part, part[-1].t + 1.0
    script, out = work / "replay.jsonl", work / "events.jsonl"
    script.write_text(replay.dump(events))
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "kiosk", "--headless", "--config", config, "--replay", str(script),
               "--events-out", str(out), "--exit-when-done"]
    print("$", " ".join(command), flush=True)
    done = subprocess.run(command, env={**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}, timeout=3600)
    if done.returncode != 0:
        sys.exit(f"the headless kiosk exited with {done.returncode}")
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    for record in records:
        print("event:", {k: v for k, v in record.items() if k != "probabilities"})
    got = [r.get("digit") for r in records if r["type"] == "recognized"]
    spoken = [r for r in records if r["type"] == "speech" and r["phrase"].startswith(("result.", "unsure."))]
    problems = []
    if got != wanted:
        problems.append(f"recognized {got}, drawn {wanted}")
    if [r["phrase"] for r in spoken] != [f"result.{d}" for d in wanted]:
        problems.append(f"spoke {[r['phrase'] for r in spoken]}, expected {[f'result.{d}' for d in wanted]}")
    if any(r["source"] != "clip" for r in spoken):
        problems.append(f"not every answer was spoken from the voice clips: {[r['source'] for r in spoken]}")
    if problems:
        sys.exit("replay: " + "; ".join(problems))
    print(f"replay ok: {digits} recognized and spoken from the clips")


def cmd_feedback(folder, count):
    """Labelled drawings in the kiosk's feedback folder, saved through its own FeedbackStore."""
    import numpy as np
    from kiosk.recognition.preprocess import strokes_to_image
    from kiosk.teaching.feedback_store import FeedbackStore

    rng, store = np.random.default_rng(7), FeedbackStore(Path(folder))
    for i in range(int(count)):
        drawing = strokes(i % 10, rng)
        if not store.append(drawing, int(CANVAS), strokes_to_image(drawing), i % 10, i % 10, "cnn", "arm64-check"):
            sys.exit(f"could not save drawing {i} in {folder}")
    print(f"{store.count()} labelled drawings in {folder}")


if __name__ == "__main__":
    globals()[f"cmd_{sys.argv[1]}"](*sys.argv[2:])
PYTHON
chown 1000:1000 "$ROOT$PI_HOME/arm64_check.py"

# select_cpu CPU: check that QEMU_CPU=CPU takes effect, and show arm64 programs the /proc/cpuinfo of
# that CPU (bind-mounted over the host's x86 one that qemu-user 7.2 passes through).
select_cpu() {
  local cpu="$1" short="${1#cortex-}"
  if [ -n "$(findmnt -rn -o TARGET "$ROOT/proc/cpuinfo" 2>/dev/null)" ]; then umount "$ROOT/proc/cpuinfo"; fi
  run_step "$LOGS/$short-cpu.log" "/usr/bin/python3 $PI_HOME/arm64_check.py cpu ${PART[$cpu]} /tmp/cpuinfo-$short" "$cpu" \
    && mount --bind "$ROOT/tmp/cpuinfo-$short" "$ROOT/proc/cpuinfo"
}

# ---------------------------------------------------------------- install, as install_pi.sh does
if ! select_cpu "${CPU_LIST[0]}"; then show_tail "$LOGS/${CPU_LIST[0]#cortex-}-cpu.log"; exit 1; fi
say "install: scripts/install_pi.sh --with-training as pi (QEMU_CPU=${CPU_LIST[0]}) ..."
if ! run_step "$LOGS/install.log" "cd $PROJECT_IN && scripts/install_pi.sh --with-training"; then
  say "install: FAILED after $STEP_S s"
  show_tail "$LOGS/install.log" 40
  exit 1
fi
say "install: done in $STEP_S s ($(grep -m1 -o 'onnxruntime .* works here' "$LOGS/install.log" || echo 'no runtime line'))"
if grep -q "wrote .*ubyte" "$LOGS/install.log"; then
  echo "check_arm64.sh: the installer downloaded MNIST instead of using the copy" >&2; exit 1
fi

VENV_PY="$PROJECT_IN/.venv/bin/python"
CONFIG="$PI_HOME/.config/digit-kiosk/kiosk.toml"
DATA="$(sed -n 's/^data_dir = "\(.*\)"$/\1/p' "$ROOT$CONFIG")"
RETRAIN_UNIT="$PI_HOME/.config/systemd/user/digit-kiosk-retrain.service"
if [ -f "$ROOT$RETRAIN_UNIT" ]; then
  # The nightly timer's own command line, with fewer steps.
  RETRAIN_CMD="$(sed -n 's/^ExecStart=//p' "$ROOT$RETRAIN_UNIT" | sed "s#%h#$PI_HOME#g")"
  RETRAIN_DIR="$(sed -n 's/^WorkingDirectory=//p' "$ROOT$RETRAIN_UNIT" | sed "s#%h#$PI_HOME#g")"
else
  echo "warning: install_pi.sh --with-training installed no retrain unit; retraining as the README says" >&2
  RETRAIN_CMD="$VENV_PY -m kiosk retrain --kind cnn --quiet --config $CONFIG"
  RETRAIN_DIR="$PROJECT_IN"
fi
RETRAIN_CMD="$RETRAIN_CMD --steps $STEPS --kind $KIND"  # the last --kind wins
say "retrain command: $RETRAIN_CMD"

# ---------------------------------------------------------------- each CPU
SUMMARY=()
FAILED=0
fail() { ok=0; parts+=("$1"); say "  $1 after $STEP_S s"; show_tail "$2"; }
for cpu in "${CPU_LIST[@]}"; do
  short="${cpu#cortex-}"
  say "$cpu (${BOARD[$cpu]}) ..."
  parts=()
  ok=1

  if select_cpu "$cpu"; then
    say "  cpu: $(tail -n1 "$LOGS/$short-cpu.log") ($STEP_S s)"
  else
    fail "QEMU_CPU=$cpu not in effect" "$LOGS/$short-cpu.log"
  fi

  if [ "$ok" = 1 ]; then
    # The runtime check exactly as install_pi.sh runs it, with the real (here: absent) devices.
    if run_step "$LOGS/$short-runtime.log" "cd $PROJECT_IN && $VENV_PY -c '
import sys
from kiosk.errors import KioskError
from kiosk.service import check_runtime
try:
    print(\"onnxruntime\", check_runtime(sys.argv[1]), \"works here\")
except KioskError as error:
    sys.exit(f\"the kiosk cannot run here: {error}\")' $CONFIG" "$cpu"; then
      parts+=("runtime check ok")
      say "  runtime check: $(tail -n1 "$LOGS/$short-runtime.log") ($STEP_S s)"
    else
      fail "runtime check FAILED" "$LOGS/$short-runtime.log"
    fi

    if run_step "$LOGS/$short-replay.log" "cd $PROJECT_IN && $VENV_PY $PI_HOME/arm64_check.py replay $REPLAY_DIGITS /tmp/replay-$short $CONFIG" "$cpu"; then
      parts+=("replay $REPLAY_DIGITS recognized and spoken")
      say "  replay: $(tail -n1 "$LOGS/$short-replay.log") ($STEP_S s)"
    else
      fail "replay $REPLAY_DIGITS FAILED ($(tail -n1 "$LOGS/$short-replay.log"))" "$LOGS/$short-replay.log"
    fi

    # Every CPU retrains from the shipped model on the same drawings: no earlier CPU's model or report.
    if run_step "$LOGS/$short-feedback.log" "rm -rf $DATA/feedback $DATA/models $DATA/retrain_report.json && cd $PROJECT_IN && $VENV_PY $PI_HOME/arm64_check.py feedback $DATA/feedback $FEEDBACK_DRAWINGS" "$cpu"; then
      say "  feedback: $(tail -n1 "$LOGS/$short-feedback.log") ($STEP_S s)"
      if run_step "$LOGS/$short-retrain.log" "cd $RETRAIN_DIR && export ORT_DISABLE_TELEMETRY=1 && nice -n 10 $RETRAIN_CMD" "$cpu"; then
        retrained="$(grep -m1 -oE '^(cnn|mlp): ' "$LOGS/$short-retrain.log" | tr -d ': ')"
        if grep -q '^  promoted' "$LOGS/$short-retrain.log"; then
          parts+=("retrain promoted (${retrained:-?}, $STEPS steps, $STEP_S s)")
        elif grep -q 'not promoted' "$LOGS/$short-retrain.log"; then
          why="$(sed -n 's/.*not promoted: \(.*\) (.*/\1/p' "$LOGS/$short-retrain.log" | head -1)"
          parts+=("retrain refused by the gate: ${why:-see log} (${retrained:-?}, $STEPS steps, $STEP_S s)")
        else
          parts+=("retrain ran but said neither promoted nor refused ($STEP_S s)")
          ok=0; show_tail "$LOGS/$short-retrain.log"
        fi
        say "  retrain: $(grep -E '^  (MNIST|promoted|kept)' "$LOGS/$short-retrain.log" | tr -s ' ' | paste -sd ';' -) ($STEP_S s)"
      else
        fail "retrain FAILED" "$LOGS/$short-retrain.log"
      fi
    else
      fail "feedback drawings FAILED" "$LOGS/$short-feedback.log"
    fi

    if run_step "$LOGS/$short-torch.log" "$VENV_PY -c 'import torch; print(\"torch\", torch.__version__, \"is installed\")'" "$cpu"; then
      STEP_S=0; fail "torch is installed ($(tail -n1 "$LOGS/$short-torch.log"))" "$LOGS/$short-torch.log"
    elif grep -q "No module named 'torch'" "$LOGS/$short-torch.log"; then
      parts+=("no torch")
    else
      fail "import torch failed, but not for want of torch" "$LOGS/$short-torch.log"
    fi
  fi
  line="$cpu: $(printf '%s · ' "${parts[@]}")"
  line="${line% · }"
  SUMMARY+=("$line")
  [ "$ok" = 1 ] || FAILED=1
  say "$line"
done

echo
echo "arm64 check of $REVISION, Debian $SUITE arm64 under qemu-user, $(stamp | tr -d '[]') in all (logs: $LOGS):"
printf '%s\n' "${SUMMARY[@]}"
exit "$FAILED"
