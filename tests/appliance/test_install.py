"""scripts/install.sh run with --root: the units, config, data dir and environment it
writes, without touching the machine (no useradd, apt-get, PostgreSQL or systemctl)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import stat
import struct
import subprocess
from pathlib import Path

import pytest

from config import load_settings

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "scripts" / "install.sh"
PREFIX = "/opt/facekiosk"


def install(root: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "DESTDIR"}}
    proc = subprocess.run(["bash", str(INSTALL), *args, "--root", str(root)], env=env,
                          capture_output=True, text=True, timeout=400)
    if ok:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def unit(path: Path) -> configparser.ConfigParser:
    """A unit file parsed as INI (repeated keys such as After= or Environment= joined)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None,
                                       empty_lines_in_values=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(path.read_text())
    return parser


def verify(root: Path, unit_path: Path, instance: str | None = None) -> None:
    """``systemd-analyze verify`` on a copy whose absolute paths point into ``root``;
    only a missing /usr/bin/cage (not installed on a build machine) is tolerated."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed; the INI checks above still ran")
    work = root.parent / "verify"
    work.mkdir(exist_ok=True)
    text = unit_path.read_text().replace(PREFIX, f"{root}{PREFIX}").replace(
        "/etc/facekiosk", f"{root}/etc/facekiosk").replace(
        "/var/lib/facekiosk", f"{root}/var/lib/facekiosk")
    name = unit_path.name.replace("@.", f"@{instance}.") if instance else unit_path.name
    (work / name).write_text(text)
    proc = subprocess.run(["systemd-analyze", "verify", str(work / name)], cwd=work,
                          capture_output=True, text=True, timeout=60)
    problems = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()
                and not (shutil.which("cage") is None and "/usr/bin/cage is not" in ln)]
    assert problems == [], "\n".join(problems)


def _check_backup_units(root: Path, role: str, command: str) -> None:
    system = root / "etc/systemd/system"
    svc = unit(system / "facekiosk-backup.service")["Service"]
    assert f"{PREFIX}/current/bin/{command} backup " in svc["ExecStart"]
    assert f"/var/lib/facekiosk/backups/{role}-" in svc["ExecStart"]
    assert "-mtime +14 -delete" in svc["ExecStartPost"]
    assert svc["User"] == "facekiosk" and svc["UMask"] == "0077"
    timer = unit(system / "facekiosk-backup.timer")
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["OnCalendar"]
    verify(root, system / "facekiosk-backup.service")
    verify(root, system / "facekiosk-backup.timer")


def test_server_with_postgres_and_the_environment(tmp_path: Path) -> None:
    root = tmp_path / "root"
    out = install(root, "server", "--db", "postgres", "--nginx", "--port", "8010").stdout
    for skipped in ("useradd", "createuser facekiosk; createdb", "system packages",
                    "systemctl enable facekiosk-server.service"):
        assert f"skipped (--root): {skipped}" in out
    assert "postgresql" in out.split("system packages", 1)[1].splitlines()[0]

    data = root / "var/lib/facekiosk"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "backups").stat().st_mode) == 0o700

    svc = unit(root / "etc/systemd/system/facekiosk-server.service")["Service"]
    assert svc["Type"] == "notify" and svc["Restart"] == "always"
    assert int(svc["WatchdogSec"]) > 0
    assert svc["ExecStart"] == (f"{PREFIX}/current/bin/queue-server serve --host 127.0.0.1 "
                                "--port 8010")
    assert svc["User"] == "facekiosk" and svc["StandardOutput"] == "journal"
    assert "postgresql.service" in (root / "etc/systemd/system/facekiosk-server.service"
                                    ).read_text().split("[Service]")[0]
    env = dict(line.split("=", 1) for line in (root / "etc/facekiosk/server.env")
               .read_text().splitlines() if line and not line.startswith("#"))
    assert env["QUEUE_SERVER_DB"].startswith("postgresql+psycopg://facekiosk@/facekiosk")
    assert env["QUEUE_SERVER_DATA_DIR"] == "/var/lib/facekiosk"
    assert stat.S_IMODE((root / "etc/facekiosk/server.env").stat().st_mode) == 0o640
    load_settings(root / "etc/facekiosk/server.toml")  # a valid settings file
    nginx = (root / "etc/nginx/sites-available/facekiosk").read_text()
    for needed in ("ssl_certificate ", "X-Forwarded-For", "X-Forwarded-Proto", "listen 443"):
        assert needed in nginx
    journald = unit(root / "etc/systemd/journald.conf.d/facekiosk.conf")["Journal"]
    assert journald["Storage"] == "persistent" and journald["SystemMaxUse"]

    # The environment: current -> releases/VERSION, runnable, relocatable.
    current = root / PREFIX.lstrip("/") / "current"
    assert os.readlink(current).startswith("releases/")
    version = subprocess.run([str(current / "bin/queue-server"), "--version"],
                             capture_output=True, text=True, check=True).stdout
    assert version.startswith("queue-server, version ")
    verify(root, root / "etc/systemd/system/facekiosk-server.service")
    _check_backup_units(root, "server", "queue-server")

    # Idempotent: a second run keeps the config and writes the same units.
    before = (root / "etc/systemd/system/facekiosk-server.service").read_bytes()
    (root / "etc/facekiosk/server.toml").write_text("# edited by the technician\n")
    out = install(root, "server", "--db", "postgres", "--port", "8010", "--skip-env").stdout
    assert "kept /etc/facekiosk/server.toml" in out and "kept /etc/facekiosk/server.env" in out
    assert (root / "etc/facekiosk/server.toml").read_text() == "# edited by the technician\n"
    assert (root / "etc/systemd/system/facekiosk-server.service").read_bytes() == before


def test_server_with_sqlite(tmp_path: Path) -> None:
    root = tmp_path / "root"
    install(root, "server", "--db", "sqlite", "--skip-env")
    env = (root / "etc/facekiosk/server.env").read_text()
    assert "QUEUE_SERVER_DB=sqlite:////var/lib/facekiosk/queue.db" in env
    text = (root / "etc/systemd/system/facekiosk-server.service").read_text()
    settings = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert not any("postgresql" in ln for ln in settings)
    assert not any(re.search(r"@[A-Z_]+@", ln) for ln in settings)


def test_kiosk_unit_runs_cage_on_tty1(tmp_path: Path) -> None:
    root = tmp_path / "root"
    data = root / "var/lib/facekiosk"
    data.mkdir(parents=True)
    data.chmod(0o755)  # a loose data dir from an earlier install is tightened
    out = install(root, "kiosk", "--skip-env").stdout
    assert "skipped (--root): systemctl enable facekiosk-kiosk@tty1.service" in out
    assert "cage" in out.split("system packages", 1)[1].splitlines()[0]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700

    path = root / "etc/systemd/system/facekiosk-kiosk@.service"
    text = path.read_text()
    assert not re.search(r"@[A-Z_]+@", "\n".join(
        ln for ln in text.splitlines() if not ln.startswith("#")))
    parsed = unit(path)
    svc = parsed["Service"]
    assert svc["ExecStart"] == f"/usr/bin/cage -d -s -- {PREFIX}/current/bin/kiosk run"
    assert svc["PAMName"] == "login" and svc["TTYPath"] == "/dev/%I"
    assert svc["Restart"] == "always" and int(svc["WatchdogSec"]) > 0
    assert svc["Type"] == "notify" and svc["NotifyAccess"] == "all"
    assert "setterm --blank 0 --powerdown 0" in text  # screen kept awake
    assert "Conflicts=getty@%i.service" in text
    assert parsed["Install"]["DefaultInstance"] == "tty1"
    load_settings(root / "etc/facekiosk/kiosk.toml")

    # The cursor theme the unit names exists and its cursors are transparent Xcursor files.
    assert f"XCURSOR_PATH={PREFIX}/share/icons" in text
    cursor = (root / PREFIX.lstrip("/") / "share/icons/facekiosk-blank/cursors/left_ptr")
    blob = cursor.read_bytes()
    magic, header, _version, ntoc = struct.unpack_from("<4sIII", blob)
    assert (magic, header, ntoc) == (b"Xcur", 16, 1)
    _type, _size, pos = struct.unpack_from("<III", blob, 16)
    width, height = struct.unpack_from("<II", blob, pos + 16)
    pixels = blob[pos + 36:]
    assert len(pixels) == 4 * width * height and set(pixels) == {0}
    verify(root, path, instance="tty1")
    _check_backup_units(root, "kiosk", "kiosk")


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    for args, message in ((["printer"], "must be kiosk or server"),
                          (["server", "--db", "mysql"], "--db must be postgres or sqlite"),
                          (["kiosk", "--tty", "/dev/tty1"], "--tty must look like tty1")):
        proc = install(tmp_path / "root", *args, ok=False)
        assert proc.returncode == 2
        assert message in proc.stderr and proc.stderr.count("\n") == 1
