#!/usr/bin/env bash
# One-time set-up of a fresh Debian/Ubuntu machine (idempotent): system libraries that Qt,
# OpenCV and the printer need, a Vietnamese-capable font, Chromium for the web-page tests,
# and uv. Then `uv run ...` installs the Python packages from uv.lock by itself.
#   --system-only  system packages and uv only (no `uv sync`); used by scripts/install.sh
#   --runtime      leave out what only the tests need (Chromium)
#   --list         print the package list and exit
#   --with PKG     one more Debian package (repeatable), e.g. cage, postgresql
set -euo pipefail

SYSTEM_ONLY=0 RUNTIME=0 LIST=0 EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --system-only) SYSTEM_ONLY=1 ;;
    --runtime) RUNTIME=1 ;;
    --list) LIST=1 ;;
    --with) EXTRA+=("$2"); shift ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

PACKAGES=(
  # Qt (PySide6) offscreen / xcb: GL, EGL, fonts, keyboard, D-Bus
  libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 libxkbcommon0 libxkbcommon-x11-0
  libdbus-1-3 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0
  # a Unicode font with every Vietnamese letter, for tickets and screens
  fonts-dejavu-core fontconfig
  # USB printers (python-escpos via pyusb)
  libusb-1.0-0
  # CUPS queues (cups://QUEUE) print through the lp command
  cups-client
  # offline Vietnamese voice for the default voice pack of spoken calls
  espeak-ng
  # the kiosk plays spoken numbers with aplay
  alsa-utils
  # pg_dump / pg_restore for `queue-server backup` (Debian 12: version 15, as the server)
  postgresql-client
)
# headless browser for the server's web-page tests
[ "$RUNTIME" -eq 1 ] || PACKAGES+=(chromium)
PACKAGES+=("${EXTRA[@]}")
if [ "$LIST" -eq 1 ]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv || python3 -m pip install --quiet --break-system-packages uv
fi
export UV_PYTHON_DOWNLOADS=never
[ "$SYSTEM_ONLY" -eq 0 ] || exit 0
# Compile bytecode at install: where PYTHONDONTWRITEBYTECODE is set (as on our build
# machines) every start would otherwise recompile every module, tripling start-up time.
uv sync --locked --compile-bytecode --quiet
uv run --no-sync python -m compileall -q ticketing appliance config recognition printer voice kiosk server >/dev/null
