"""Staff log-in and sessions held on the server.

A log-in checks the password (argon2; an unknown user name is checked against a dummy
hash, so both answer in the same time), counts failures per user name and per client
address and refuses further tries for a growing time once there are too many (429 with
``Retry-After``), audits every failure, and on success stores a session: the cookie
carries a random token, the table ``staff_sessions`` its SHA-256 and expiry. Logging out,
a password change and disabling the user delete the rows, which ends the sessions at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from server.db import Database
from server.domain.audit import audit
from server.models import LoginFailure, StaffSession, User, utcnow
from server.security import hash_password

#: Failures allowed before tries are refused for a while: per user name and per address
#: (an office's staff may share one address behind NAT, hence more).
USER_FAILURES = 5
ADDRESS_FAILURES = 20
#: Failures are forgotten after this long without one.
WINDOW = dt.timedelta(minutes=15)
#: The first refusal lasts this long, doubling with every further failure, up to MAX_LOCK.
FIRST_LOCK_SECONDS = 2.0
MAX_LOCK = dt.timedelta(minutes=15)
TOKEN_BYTES = 32


class LoginRefused(Exception):
    """Wrong user name or password (401), or too many failures (429, ``retry_after`` s)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoggedIn:
    """A successful log-in: the user's id and the token to put in the cookie."""

    user_id: int
    token: str


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """An argon2 hash of a random password, with the same parameters as real ones."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _check_password(user: User | None, password: str) -> bool:
    stored = user.password_hash if user is not None else _dummy_hash()
    try:
        ok = _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and user.active


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"u:{username.casefold()[:150]}", f"a:{address[:150]}"


def _locked_for(session: Session, keys: tuple[str, str], now: dt.datetime) -> int | None:
    """Seconds until a log-in may be tried again, or None if it may now."""
    rows = session.scalars(sa.select(LoginFailure).where(LoginFailure.key.in_(keys)))
    waits = [(r.locked_until - now).total_seconds() for r in rows
             if r.locked_until is not None and r.locked_until > now]
    return math.ceil(max(waits)) if waits else None


def _record_failure(session: Session, key: str, allowed: int, now: dt.datetime) -> None:
    row = session.get(LoginFailure, key, with_for_update=True)
    if row is None:
        row = LoginFailure(key=key, failures=0, last_failure_at=now)
        session.add(row)
    elif now - row.last_failure_at > WINDOW:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= allowed:
        seconds = min(FIRST_LOCK_SECONDS * 2.0 ** (row.failures - allowed),
                      MAX_LOCK.total_seconds())
        row.locked_until = now + dt.timedelta(seconds=seconds)


def log_in(db: Database, username: str, password: str, address: str, session_hours: float
           ) -> LoggedIn:
    """Check a log-in and start a session; :class:`LoginRefused` otherwise."""
    now = utcnow()
    keys = _keys(username, address)
    with db.session() as s:
        wait = _locked_for(s, keys, now)
        if wait is not None:
            user = s.scalar(sa.select(User).where(User.username == username))
            audit(s, user, "login_locked", site_id=user.site_id if user else None,
                  detail=f"{username[:64]!r} from {address[:64]}")
    if wait is not None:  # raised after the block, so the audit row is committed
        raise LoginRefused(429, f"too many failed log-ins: try again in {wait} s",
                           retry_after=wait)
    with db.read_session() as s:
        user = s.scalar(sa.select(User).where(User.username == username))
        ok = _check_password(user, password)  # the same work whether the user exists or not
    now = utcnow()  # after the password check, which takes a while
    with db.session() as s:
        if not ok:
            _record_failure(s, keys[0], USER_FAILURES, now)
            _record_failure(s, keys[1], ADDRESS_FAILURES, now)
            audit(s, user, "login_failed", site_id=user.site_id if user else None,
                  detail=f"{username[:64]!r} from {address[:64]}")
    if not ok or user is None:
        raise LoginRefused(401, "wrong username or password")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with db.session() as s:
        s.execute(sa.delete(LoginFailure).where(LoginFailure.key.in_(keys)))
        s.execute(sa.delete(StaffSession).where(StaffSession.expires_at < now))
        s.add(StaffSession(token_hash=hash_session_token(token), user_id=user.id,
                           created_at=now, address=address[:64],
                           expires_at=now + dt.timedelta(hours=session_hours)))
        audit(s, user, "login", site_id=user.site_id, detail=f"from {address[:64]}")
    return LoggedIn(user.id, token)


def session_user(session: Session, token: str | None) -> User | None:
    """The active user of a session token that has not ended or expired (detached)."""
    if not token or len(token) > 200:
        return None
    user = session.scalar(
        sa.select(User).join(StaffSession, StaffSession.user_id == User.id).where(
            StaffSession.token_hash == hash_session_token(token),
            StaffSession.expires_at > utcnow(), User.active.is_(True)))
    if user is not None:
        session.expunge(user)
    return user


def end_session(db: Database, token: str | None) -> None:
    """Log out: the session of ``token`` ends (nothing happens for an unknown token)."""
    if token and len(token) <= 200:
        with db.session() as s:
            s.execute(sa.delete(StaffSession).where(
                StaffSession.token_hash == hash_session_token(token)))


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every session of a user (password changed, user disabled); how many ended."""
    result = session.execute(sa.delete(StaffSession).where(StaffSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def change_password(db: Database, user_id: int, current: str, new: str,
                    session_hours: float, address: str) -> str:
    """Change a user's own password after checking the current one; every session of the
    user ends and a new one starts for this browser (its token is returned)."""
    with db.session() as s:
        user = s.get(User, user_id, with_for_update=True)
        if user is None or not _check_password(user, current):
            raise LoginRefused(401, "the current password is wrong")
        user.password_hash = hash_password(new)
        end_user_sessions(s, user_id)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = utcnow()
        s.add(StaffSession(token_hash=hash_session_token(token), user_id=user_id,
                           created_at=now, address=address[:64],
                           expires_at=now + dt.timedelta(hours=session_hours)))
        audit(s, user, "password_changed", site_id=user.site_id)
    return token
