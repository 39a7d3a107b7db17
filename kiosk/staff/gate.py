"""The staff login and session: who may enter staff mode, with which roles, until when.

``StaffGate.login_pin`` / ``login_account`` check a try against the lockout first, then
the PIN or the account (server first, cached hash when the server does not answer), audit
the try, and on success open a ``StaffSession``. The session locks itself after
``idle_lock_s`` seconds without a touch (monotonic seconds, passed in by the caller).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.staff.accounts import (
    TECHNICIAN,
    AccountCache,
    AccountChecker,
    ServerUnreachable,
    kiosk_roles,
)
from kiosk.staff.audit import AuditLog
from kiosk.staff.lockout import Lockout, LockoutPolicy
from kiosk.staff.pin import PinStore


@dataclass(frozen=True)
class LoginResult:
    """What a login try gave: ``ok``; the session's roles; else why not (``reason``:
    'locked', 'wrong', 'no_rights', 'pin_not_set') and seconds to wait (``wait_s``)."""

    ok: bool
    roles: frozenset[str] = frozenset()
    who: str = ""
    reason: str = ""
    wait_s: float = 0.0
    offline: bool = False


@dataclass
class StaffSession:
    """An open staff session: who, with which roles, last touch (monotonic seconds)."""

    who: str
    roles: frozenset[str]
    last_touch: float
    idle_lock_s: float

    def touch(self, now: float) -> None:
        """A touch on a staff screen keeps the session open."""
        self.last_touch = now

    def expired(self, now: float) -> bool:
        """True once the session saw no touch for ``idle_lock_s``."""
        return now - self.last_touch >= self.idle_lock_s

    def may(self, role: str) -> bool:
        return role in self.roles


class StaffGate:
    """Staff login on one kiosk (PIN, accounts, lockout, audit), state in the data dir."""

    def __init__(self, data_dir: Path, policy: LockoutPolicy | None = None,
                 checker: AccountChecker | None = None, idle_lock_s: float = 120.0,
                 wall: Callable[[], float] = time.time) -> None:
        self.pin = PinStore(data_dir)
        self.lockout = Lockout(data_dir, policy)
        self.audit = AuditLog(data_dir)
        self.accounts = AccountCache(data_dir)
        self.checker = checker
        self.idle_lock_s = idle_lock_s
        self.wall = wall
        self.session: StaffSession | None = None

    def needs_pin(self) -> bool:
        """True until a technician PIN was set (the default never opens staff mode)."""
        return not self.pin.is_set()

    def set_first_pin(self, pin: str) -> None:
        """Set the PIN at first start (only while none is set); raises ``PinError``."""
        if self.pin.is_set():
            raise PermissionError("a PIN is already set")
        self.pin.set(pin)
        self.audit.record("pin", "set_pin", "ok", "first start")

    def locked_s(self) -> float:
        """Seconds until the next try is accepted."""
        return self.lockout.remaining_s(self.wall())

    def _refuse(self, who: str, action: str, reason: str) -> LoginResult:
        wait = self.lockout.failed(self.wall())
        self.audit.record(who, action, "refused", reason)
        return LoginResult(False, who=who, reason=reason, wait_s=wait)

    def _locked(self, who: str, action: str) -> LoginResult | None:
        wait = self.locked_s()
        if wait > 0:
            self.audit.record(who, action, "locked", f"{wait:.0f} s left")
            return LoginResult(False, who=who, reason="locked", wait_s=wait)
        return None

    def _open(self, who: str, roles: frozenset[str], now: float, action: str,
              offline: bool = False) -> LoginResult:
        self.lockout.succeeded()
        self.session = StaffSession(who, roles, now, self.idle_lock_s)
        self.audit.record(who, action, "ok", ("offline " if offline else "") +
                          ",".join(sorted(roles)))
        return LoginResult(True, roles=roles, who=who, offline=offline)

    def login_pin(self, pin: str, now: float) -> LoginResult:
        """A try with the technician PIN; ``now`` is monotonic seconds."""
        locked = self._locked("pin", "login_pin")
        if locked is not None:
            return locked
        if not self.pin.is_set():
            self.audit.record("pin", "login_pin", "refused", "no PIN set")
            return LoginResult(False, who="pin", reason="pin_not_set")
        if not self.pin.verify(pin):
            return self._refuse("pin", "login_pin", "wrong")
        return self._open("pin", frozenset({TECHNICIAN}), now, "login_pin")

    def login_account(self, username: str, password: str, now: float) -> LoginResult:
        """A try with a staff account: the server decides when it answers, else the hash
        cached at the last online login."""
        who = username.strip()[:64] or "?"
        locked = self._locked(who, "login_account")
        if locked is not None:
            return locked
        offline = False
        role: str | None
        try:
            if self.checker is None:
                raise ServerUnreachable("standalone")
            role = self.checker(who, password)
            if role is None and self.accounts.check(who, password) is not None:
                # The server refuses the very password cached: it changed or the account
                # closed, so the stale hash must not open staff mode offline either.
                self.accounts.forget(who)
            elif role is not None:
                self.accounts.remember(who, password, role)
        except ServerUnreachable:
            offline = True
            role = self.accounts.check(who, password)
        if role is None:
            return self._refuse(who, "login_account", "wrong")
        roles = kiosk_roles(role)
        if not roles:
            return self._refuse(who, "login_account", "no_rights")
        return self._open(who, roles, now, "login_account", offline)

    def check_idle(self, now: float) -> bool:
        """Close the session if it idled too long; True when it was closed now."""
        if self.session is not None and self.session.expired(now):
            self.audit.record(self.session.who, "lock", "ok", "idle")
            self.session = None
            return True
        return False

    def logout(self, reason: str = "logout") -> None:
        """Close the session (button, exit...)."""
        if self.session is not None:
            self.audit.record(self.session.who, reason, "ok")
            self.session = None
