#!/usr/bin/env bash
# Install a kiosk or a queue server as an appliance (idempotent; run it again to upgrade).
#
#   sudo scripts/install.sh kiosk  [--tty tty1]
#   sudo scripts/install.sh server [--db postgres|sqlite] [--port 8000] [--nginx]
#
# From a clone or an unpacked release (sdist): installs the system packages of
# scripts/setup.sh (+ cage for a kiosk, PostgreSQL for `--db postgres`), a system user,
# a data dir (0700), the Python environment under PREFIX/releases/VERSION (locked versions
# from uv.lock, the project's wheel) with PREFIX/current pointing at it, the config under
# /etc/facekiosk (kept when it exists), the systemd units of deploy/systemd/ (enabled) and
# a journald drop-in. See docs/install.md.
#
# Options:
#   --root DIR        write everything under DIR (also: DESTDIR=DIR); no useradd, apt-get,
#                     PostgreSQL or systemctl: each is skipped with a line saying so
#   --prefix DIR      program files (default /opt/facekiosk)
#   --data-dir DIR    state (default /var/lib/facekiosk)
#   --user NAME       system user (default facekiosk)
#   --tty TTY         kiosk: the virtual terminal it takes over (default tty1)
#   --db postgres|sqlite   server: database (default postgres)
#   --port N          server: loopback port behind the reverse proxy (default 8000)
#   --nginx           server: install nginx and the site of deploy/nginx/
#   --watchdog-sec N  systemd watchdog (default 30)
#   --keep-days N     nightly snapshots kept this many days (default 14)
#   --skip-env        do not (re)install the Python environment
#   --no-start        enable the units but do not (re)start them
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 2; }
say() { echo "install.sh: $*"; }

[ $# -ge 1 ] || die "usage: install.sh kiosk|server [options] (see the header of this file)"
ROLE="$1"; shift
case "$ROLE" in kiosk|server) ;; *) die "first argument must be kiosk or server, not '$ROLE'";; esac

ROOT="${DESTDIR:-}" PREFIX=/opt/facekiosk DATA_DIR=/var/lib/facekiosk USER_NAME=facekiosk
TTY=tty1 DB=postgres PORT=8000 NGINX=0 WATCHDOG_SEC=30 SKIP_ENV=0 START=1 KEEP_DAYS=14
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a folder}"; shift ;;
    --prefix) PREFIX="${2:?}"; shift ;;
    --data-dir) DATA_DIR="${2:?}"; shift ;;
    --user) USER_NAME="${2:?}"; shift ;;
    --tty) TTY="${2:?}"; shift ;;
    --db) DB="${2:?}"; shift ;;
    --port) PORT="${2:?}"; shift ;;
    --nginx) NGINX=1 ;;
    --watchdog-sec) WATCHDOG_SEC="${2:?}"; shift ;;
    --keep-days) KEEP_DAYS="${2:?}"; shift ;;
    --skip-env) SKIP_ENV=1 ;;
    --no-start) START=0 ;;
    *) die "unknown option '$1'" ;;
  esac
  shift
done
case "$DB" in postgres|sqlite) ;; *) die "--db must be postgres or sqlite, not '$DB'";; esac
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "bad --port '$PORT'"
[[ "$WATCHDOG_SEC" =~ ^[0-9]+$ ]] && [ "$WATCHDOG_SEC" -ge 5 ] || die "--watchdog-sec must be >= 5"
[[ "$TTY" =~ ^tty[0-9]+$ ]] || die "--tty must look like tty1"
[[ "$KEEP_DAYS" =~ ^[0-9]+$ ]] && [ "$KEEP_DAYS" -ge 1 ] || die "--keep-days must be >= 1"
[[ "$USER_NAME" =~ ^[a-z_][a-z0-9_-]*$ ]] || die "bad --user '$USER_NAME'"
for p in "$PREFIX" "$DATA_DIR"; do [[ "$p" == /* ]] || die "$p must be an absolute path"; done
if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  ROOT="$(cd "$ROOT" && pwd)"
fi

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -f "$SRC/pyproject.toml" ] || die "$SRC is neither a clone nor an unpacked release"
VERSION="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$SRC/pyproject.toml" | head -1)"
[ -n "$VERSION" ] || die "no version in $SRC/pyproject.toml"
CONFIG_DIR=/etc/facekiosk
SYSTEMD_DIR=/etc/systemd/system
export UV_PYTHON_DOWNLOADS=never

# Real system changes happen only without --root; with it each is skipped out loud.
system() {
  if [ -n "$ROOT" ]; then
    say "skipped (--root): $*"
  else
    "$@"
  fi
}

# 1. System packages (the list lives in scripts/setup.sh) and uv.
EXTRA=()
if [ "$ROLE" = kiosk ]; then
  EXTRA+=(--with cage --with libwayland-client0 --with libwayland-cursor0 --with libwayland-egl1)
else
  [ "$DB" = postgres ] && EXTRA+=(--with postgresql)
  [ "$NGINX" -eq 1 ] && EXTRA+=(--with nginx)
fi
if [ -n "$ROOT" ]; then
  say "skipped (--root): system packages $(bash "$SRC/scripts/setup.sh" --list --runtime \
    "${EXTRA[@]}" | tr '\n' ' ')"
else
  [ "$(id -u)" -eq 0 ] || die "run as root (sudo), or with --root DIR to try it out"
  bash "$SRC/scripts/setup.sh" --system-only --runtime "${EXTRA[@]}"
fi

# 2. The system user and its data dir (0700: face data, tickets, keys).
if [ -z "$ROOT" ]; then
  if id -u "$USER_NAME" >/dev/null 2>&1; then
    say "user $USER_NAME exists"
  else
    useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin \
      --user-group "$USER_NAME"
    say "user $USER_NAME created"
  fi
  if [ "$ROLE" = kiosk ]; then
    # camera (video), GPU (render), touchscreen (input), USB/serial printers (lp, dialout)
    for g in video render input plugdev lp dialout; do
      getent group "$g" >/dev/null && usermod -aG "$g" "$USER_NAME"
    done
  fi
else
  say "skipped (--root): useradd --system $USER_NAME"
fi
install -d -m 0755 "$ROOT$PREFIX" "$ROOT$CONFIG_DIR" "$ROOT$SYSTEMD_DIR"
install -d -m 0700 "$ROOT$DATA_DIR" "$ROOT$DATA_DIR/backups"
chmod 0700 "$ROOT$DATA_DIR" "$ROOT$DATA_DIR/backups"  # also when they existed
system chown -R "$USER_NAME:$USER_NAME" "$DATA_DIR"

# 3. The Python environment: PREFIX/releases/VERSION, then PREFIX/current -> it.
RELEASE="$PREFIX/releases/$VERSION"
if [ "$SKIP_ENV" -eq 1 ]; then
  say "skipped (--skip-env): Python environment $RELEASE"
else
  command -v uv >/dev/null || die "uv is missing (scripts/setup.sh installs it)"
  [ -f "$SRC/uv.lock" ] || die "no uv.lock in $SRC: install from a clone or the release's sdist"
  build="$(mktemp -d)"
  trap 'rm -rf "$build"' EXIT
  (cd "$SRC" && uv build --quiet --wheel --out-dir "$build" \
    && uv export --quiet --frozen --no-dev --no-emit-project --no-hashes \
       --output-file "$build/requirements.txt")
  target="$ROOT$RELEASE"
  rm -rf "$target.new"
  # --relocatable: scripts find their interpreter relative to themselves, so the folder
  # may be renamed into place (and a --root tree copied onto a machine).
  uv venv --quiet --relocatable --python python3.11 "$target.new"
  # --no-deps: the export is the complete locked set (with dlib-bin standing in for dlib).
  uv pip install --quiet --no-deps --compile-bytecode --python "$target.new/bin/python" \
    -r "$build/requirements.txt" "$build"/facekiosk-"$VERSION"-*.whl
  rm -rf "$target"
  mv "$target.new" "$target"
  "$target/bin/kiosk" --version >/dev/null || die "the new environment does not run"
  ln -sfn "releases/$VERSION" "$ROOT$PREFIX/current.new"  # relative: valid under --root
  mv -T "$ROOT$PREFIX/current.new" "$ROOT$PREFIX/current"
  say "environment $VERSION installed in $RELEASE ($PREFIX/current)"
fi

# 4. Shared files: the docs, the cursor theme, journald rotation.
install -d -m 0755 "$ROOT$PREFIX/share/doc" "$ROOT$PREFIX/share/icons" \
  "$ROOT/etc/systemd/journald.conf.d"
install -m 0644 "$SRC/docs/install.md" "$ROOT$PREFIX/share/doc/install.md"
install -m 0644 "$SRC/deploy/journald/facekiosk.conf" \
  "$ROOT/etc/systemd/journald.conf.d/facekiosk.conf"

# 5. Configuration: written once, kept on upgrade.
keep_or_write() {  # FILE MODE: stdin becomes FILE unless it exists
  if [ -e "$ROOT$1" ]; then
    cat >/dev/null
    say "kept $1"
  else
    install -m "$2" /dev/stdin "$ROOT$1"
    say "wrote $1"
  fi
}
unit_from() {  # TEMPLATE DEST: fill in @NAMES@
  sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@DATA_DIR@|$DATA_DIR|g" -e "s|@CONFIG_DIR@|$CONFIG_DIR|g" \
      -e "s|@KIOSK_USER@|$USER_NAME|g" -e "s|@SERVER_USER@|$USER_NAME|g" \
      -e "s|@WATCHDOG_SEC@|$WATCHDOG_SEC|g" -e "s|@PORT@|$PORT|g" -e "s|@DB_UNIT@|$DB_UNIT|g" \
      -e "s|@SERVICE_USER@|$USER_NAME|g" -e "s|@ROLE@|$ROLE|g" -e "s|@KEEP_DAYS@|$KEEP_DAYS|g" \
      -e "s|@COMMAND@|$COMMAND|g" \
      "$SRC/deploy/systemd/$1" > "$ROOT$SYSTEMD_DIR/$2.tmp"
  chmod 0644 "$ROOT$SYSTEMD_DIR/$2.tmp"
  mv "$ROOT$SYSTEMD_DIR/$2.tmp" "$ROOT$SYSTEMD_DIR/$2"
  say "wrote $SYSTEMD_DIR/$2"
}

DB_UNIT=""
COMMAND=kiosk
[ "$ROLE" = server ] && COMMAND=queue-server
if [ "$ROLE" = kiosk ]; then
  keep_or_write "$CONFIG_DIR/kiosk.toml" 0644 < "$SRC/config/defaults.toml"
  python3 "$SRC/scripts/blank_cursor_theme.py" "$ROOT$PREFIX/share/icons" >/dev/null
  unit_from facekiosk-kiosk@.service facekiosk-kiosk@.service
  UNITS=("facekiosk-kiosk@$TTY.service")
  system systemctl set-default graphical.target
  system systemctl disable "getty@$TTY.service"
else
  if [ "$DB" = postgres ]; then
    DB_UNIT=postgresql.service
    # Peer authentication over the local socket: the system user is the database role.
    DB_URL="postgresql+psycopg://$USER_NAME@/facekiosk?host=/var/run/postgresql"
    if [ -z "$ROOT" ]; then
      runuser -u postgres -- psql -tAc "select 1 from pg_roles where rolname='$USER_NAME'" \
        | grep -q 1 || runuser -u postgres -- createuser "$USER_NAME"
      runuser -u postgres -- psql -tAc "select 1 from pg_database where datname='facekiosk'" \
        | grep -q 1 || runuser -u postgres -- createdb -O "$USER_NAME" facekiosk
      say "PostgreSQL database facekiosk owned by $USER_NAME"
    else
      say "skipped (--root): createuser $USER_NAME; createdb -O $USER_NAME facekiosk"
    fi
  else
    DB_URL="sqlite:///$DATA_DIR/queue.db"
  fi
  keep_or_write "$CONFIG_DIR/server.toml" 0644 < "$SRC/config/defaults.toml"
  keep_or_write "$CONFIG_DIR/server.env" 0640 <<ENV
# Read by facekiosk-server.service (and handy for the CLI: set -a; . $CONFIG_DIR/server.env)
QUEUE_SERVER_DB=$DB_URL
QUEUE_SERVER_DATA_DIR=$DATA_DIR
KIOSK_CONFIG=$CONFIG_DIR/server.toml
ENV
  system chgrp "$USER_NAME" "$CONFIG_DIR/server.env"
  unit_from facekiosk-server.service facekiosk-server.service
  UNITS=(facekiosk-server.service)
  install -d -m 0755 "$ROOT$PREFIX/share/nginx"
  install -m 0644 "$SRC/deploy/nginx/facekiosk.conf" "$ROOT$PREFIX/share/nginx/facekiosk.conf"
  if [ "$NGINX" -eq 1 ]; then
    install -d -m 0755 "$ROOT/etc/nginx/sites-available"
    keep_or_write /etc/nginx/sites-available/facekiosk 0644 < "$SRC/deploy/nginx/facekiosk.conf"
    say "edit server_name and the certificate paths there, then:" \
      "ln -s ../sites-available/facekiosk /etc/nginx/sites-enabled/ && nginx -t &&" \
      "systemctl reload nginx"
  fi
fi

# 6. The nightly snapshot (docs/install.md: keys are not in it).
unit_from facekiosk-backup.service facekiosk-backup.service
unit_from facekiosk-backup.timer facekiosk-backup.timer
UNITS+=(facekiosk-backup.timer)

# 7. systemd: reload, enable, (re)start; journald picks up its drop-in.
system systemctl daemon-reload
system systemctl restart systemd-journald
system systemctl enable "${UNITS[@]}"
if [ "$START" -eq 1 ]; then
  system systemctl restart "${UNITS[@]}"
else
  say "not started (--no-start): systemctl restart ${UNITS[*]}"
fi
say "done: $ROLE $VERSION (logs: journalctl -u ${UNITS[0]})"
