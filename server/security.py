"""Kiosk tokens, staff passwords, the signing secret, sessions and survey links."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from server.models import AppSecret, Kiosk

_hasher = PasswordHasher()


def new_token() -> str:
    """A fresh kiosk token (shown once; only its SHA-256 is stored)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def kiosk_for_token(session: Session, token: str) -> Kiosk | None:
    if not token or len(token) > 200:
        return None
    return session.scalar(
        sa.select(Kiosk).where(Kiosk.token_hash == hash_token(token), Kiosk.active.is_(True))
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


SECRET_ENV = "QUEUE_SERVER_SECRET"
SECRET_FILE = "secret.key"


def _write_private(path: Path, value: str) -> None:
    """Write ``value`` to a new file ``path`` readable by its owner only (0600), atomically:
    a concurrent writer (another worker process) either wins or finds the whole file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(value + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        tmp.unlink(missing_ok=True)


def load_secret(session: Session, secret_file: Path, environ: dict[str, str] | None = None
                ) -> str:
    """The signing secret of sessions, form tokens and survey links, kept out of the
    database (whoever reads the database must not be able to mint a session).

    From the environment variable ``QUEUE_SERVER_SECRET`` if set, else from ``secret_file``
    (created 0600 with 48 random bytes when missing; a looser file is refused). A secret an
    older version kept in the database (table ``app_secrets``) is moved into the new file,
    so sessions and printed survey links stay valid, and deleted from the database."""
    env = os.environ if environ is None else environ
    value = env.get(SECRET_ENV, "").strip()
    if value:
        if len(value) < 16:
            raise ValueError(f"{SECRET_ENV} holds fewer than 16 characters")
        return value
    old = session.get(AppSecret, "signing")
    if not secret_file.exists():
        _write_private(secret_file, old.value if old is not None else secrets.token_urlsafe(48))
    if secret_file.stat().st_mode & 0o077:
        raise ValueError(f"secret key file {secret_file} is readable by others: "
                         f"chmod 600 {secret_file}")
    value = secret_file.read_text().strip()
    if len(value) < 16:
        raise ValueError(f"secret key file {secret_file} holds fewer than 16 characters")
    if old is not None and old.value == value:
        session.delete(old)
    return value


class Signer:
    """Signs form (CSRF) tokens and survey links (staff sessions are held on the server:
    :mod:`server.sessions`)."""

    def __init__(self, secret: str, session_seconds: int) -> None:
        self._csrf = URLSafeTimedSerializer(secret, salt="csrf")
        self._survey = URLSafeSerializer(secret, salt="survey")
        self.session_seconds = session_seconds

    def csrf_token(self, user_id: int) -> str:
        return self._csrf.dumps(user_id)

    def check_csrf(self, user_id: int, token: str | None) -> bool:
        if not token or len(token) > 500:
            return False
        try:
            return self._csrf.loads(token, max_age=self.session_seconds) == user_id
        except BadSignature:
            return False

    def survey_token(self, ticket_id: str) -> str:
        return self._survey.dumps(ticket_id)

    def ticket_from_survey_token(self, token: str) -> str | None:
        if not token or len(token) > 300:
            return None
        try:
            value = self._survey.loads(token)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None
