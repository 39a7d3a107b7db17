"""Staff login decisions (plain Python): the PIN, the lockout that survives a restart,
accounts checked online and offline, the audit trail, the idle lock."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.staff.accounts import ADMIN, TECHNICIAN, ServerUnreachable
from kiosk.staff.gate import StaffGate
from kiosk.staff.lockout import LockoutPolicy
from kiosk.staff.pin import DEFAULT_PIN, PinError, PinStore


class Wall:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def gate(tmp_path: Path, wall: Wall, checker=None) -> StaffGate:
    return StaffGate(tmp_path, LockoutPolicy(free_tries=5, base_s=30, max_s=3600),
                     checker=checker, idle_lock_s=120, wall=wall)


def test_default_pin_never_opens_staff_mode(tmp_path: Path) -> None:
    g = gate(tmp_path, Wall())
    assert g.needs_pin()
    result = g.login_pin(DEFAULT_PIN, now=0)
    assert not result.ok and result.reason == "pin_not_set"
    with pytest.raises(PinError):
        g.set_first_pin(DEFAULT_PIN)
    for weak in ("1234", "111111", "123456", "987654", "12a456"):
        with pytest.raises(PinError):
            g.set_first_pin(weak)
    assert g.needs_pin()


def test_pin_is_stored_as_a_private_argon2_hash(tmp_path: Path) -> None:
    g = gate(tmp_path, Wall())
    g.set_first_pin("739146")
    stored = PinStore(tmp_path).path
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stored.read_text().startswith("$argon2") and "739146" not in stored.read_text()
    assert g.login_pin("739146", now=0).ok
    assert g.session is not None and g.session.roles == {TECHNICIAN}
    with pytest.raises(PermissionError):  # the first-start screen cannot replace it
        g.set_first_pin("555123")


def test_five_wrong_tries_lock_with_growing_delays_across_a_restart(tmp_path: Path) -> None:
    wall = Wall()
    g = gate(tmp_path, wall)
    g.set_first_pin("739146")
    for _ in range(4):
        r = g.login_pin("000000", now=0)
        assert not r.ok and r.reason == "wrong" and r.wait_s == 0
    r = g.login_pin("000000", now=0)
    assert r.wait_s == 30
    # Even the right PIN is refused while locked, also after a restart.
    g = gate(tmp_path, wall)
    locked = g.login_pin("739146", now=0)
    assert not locked.ok and locked.reason == "locked" and 29 <= locked.wait_s <= 30
    wall.t += 31
    assert g.login_pin("000000", now=0).wait_s == 60
    wall.t += 61
    assert g.login_pin("000000", now=0).wait_s == 120
    wall.t += 121
    assert g.login_pin("739146", now=0).ok
    assert g.lockout.failures == 0


def test_every_try_is_audited_without_the_secret(tmp_path: Path) -> None:
    g = gate(tmp_path, Wall())
    g.set_first_pin("739146")
    g.login_pin("424242", now=0)
    g.login_pin("739146", now=0)
    g.logout()
    log = g.audit.path.read_text()
    assert "739146" not in log and "424242" not in log
    assert [(e.action, e.outcome) for e in g.audit.entries()] == [
        ("set_pin", "ok"), ("login_pin", "refused"), ("login_pin", "ok"), ("logout", "ok")]
    assert stat.S_IMODE(g.audit.path.stat().st_mode) == 0o600


def test_staff_session_locks_itself_after_idle(tmp_path: Path) -> None:
    g = gate(tmp_path, Wall())
    g.set_first_pin("739146")
    g.login_pin("739146", now=100.0)
    assert g.session is not None
    g.session.touch(200.0)
    assert not g.check_idle(319.0)
    assert g.check_idle(321.0) and g.session is None
    assert g.audit.entries()[-1].action == "lock"


class Server:
    """What the queue server answers for accounts (as ServerAccounts would map it)."""

    def __init__(self) -> None:
        self.up = True
        self.users = {"lan": ("mật-khẩu-1", "manager"), "tu": ("pw-tech-2", "admin"),
                      "an": ("counter-3", "staff")}

    def __call__(self, username: str, password: str) -> str | None:
        if not self.up:
            raise ServerUnreachable("connection refused")
        pw, role = self.users.get(username, (None, None))
        return role if pw == password else None


def test_accounts_online_then_offline_from_the_cached_hash(tmp_path: Path) -> None:
    server = Server()
    g = gate(tmp_path, Wall(), checker=server)
    r = g.login_account("lan", "mật-khẩu-1", now=0)
    assert r.ok and r.roles == {ADMIN} and not r.offline
    assert g.login_account("tu", "pw-tech-2", now=0).roles == {ADMIN, TECHNICIAN}
    counter = g.login_account("an", "counter-3", now=0)
    assert not counter.ok and counter.reason == "no_rights"
    server.up = False
    r = g.login_account("lan", "mật-khẩu-1", now=0)
    assert r.ok and r.offline and r.roles == {ADMIN}
    assert not g.login_account("lan", "wrong", now=0).ok
    assert not g.login_account("never-online", "x", now=0).ok
    assert "mật-khẩu-1" not in g.accounts.path.read_text()
    # A password changed on the server: the stale cached hash is dropped.
    server.up = True
    server.users["lan"] = ("new-pass-4", "manager")
    assert not g.login_account("lan", "mật-khẩu-1", now=0).ok
    server.up = False
    assert not g.login_account("lan", "mật-khẩu-1", now=0).ok


def test_set_pin_command(tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["set-pin", "--data-dir", str(tmp_path), "--pin", "2580"])
    assert out.exit_code == 1 and "6 to 12 digits" in out.output
    out = runner.invoke(cli, ["set-pin", "--data-dir", str(tmp_path)],
                        input="739146\n739146\n")
    assert out.exit_code == 0, out.output
    assert PinStore(tmp_path).verify("739146")
    assert "739146" not in out.output.split("\n", 2)[-1]


def test_a_config_still_holding_the_pin_is_refused_with_a_hint() -> None:
    from pydantic import ValidationError

    from config import Settings

    with pytest.raises(ValidationError, match="kiosk set-pin"):
        Settings.model_validate({"kiosk": {"technician_pin": "4321"}})


def test_staff_accounts_on_a_real_queue_server(tmp_path: Path, server) -> None:
    from kiosk.adapters.staff_accounts import ServerAccounts

    server.run("user", "add", "lan", "--role", "manager", "--password", "mat-khau-lan-1")
    server.run("user", "add", "an", "--role", "staff", "--password", "mat-khau-an-2")
    g = gate(tmp_path, Wall(), checker=ServerAccounts(server.url, timeout_s=5))
    r = g.login_account("lan", "mat-khau-lan-1", now=0)
    assert r.ok and r.roles == {ADMIN} and not r.offline
    assert g.login_account("an", "mat-khau-an-2", now=0).reason == "no_rights"
    assert g.login_account("lan", "wrong-password", now=0).reason == "wrong"
    server.stop()
    r = g.login_account("lan", "mat-khau-lan-1", now=0)
    assert r.ok and r.offline  # the hash cached at the online login
