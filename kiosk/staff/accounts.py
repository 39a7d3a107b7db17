"""Staff accounts on the kiosk: checked against the queue server when it answers, else
against argon2 hashes cached at the last successful online login
(``<data dir>/staff/accounts.json``, 0600).

Server roles map to kiosk roles: ``admin`` → admin and technician; ``manager`` → admin
(enrolment, people); counter ``staff`` get no kiosk rights.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk.staff.files import read_json, write_private

ACCOUNTS_FILE = "staff/accounts.json"
ADMIN, TECHNICIAN = "admin", "technician"
SERVER_ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset({ADMIN, TECHNICIAN}),
    "manager": frozenset({ADMIN}),
    "staff": frozenset(),
}


class ServerUnreachable(Exception):
    """The server did not answer (offline): fall back to the cached hash."""


class AccountChecker(Protocol):
    """Asks the server: the account's server role, or None for a wrong password."""

    def __call__(self, username: str, password: str) -> str | None: ...


class AccountCache:
    """Cached argon2 hashes of staff passwords, with the server role seen last."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / ACCOUNTS_FILE
        self._hasher = PasswordHasher()

    def _load(self) -> dict[str, dict[str, str]]:
        data = read_json(self.path)
        return data if isinstance(data, dict) else {}

    def remember(self, username: str, password: str, server_role: str) -> None:
        """Keep the hash and role after a login the server accepted."""
        data = self._load()
        data[username] = {"hash": self._hasher.hash(password), "role": server_role}
        write_private(self.path, json.dumps(data, ensure_ascii=False))

    def forget(self, username: str) -> None:
        """Drop an account the server refused (password changed, account closed)."""
        data = self._load()
        if data.pop(username, None) is not None:
            write_private(self.path, json.dumps(data, ensure_ascii=False))

    def check(self, username: str, password: str) -> str | None:
        """The cached server role if ``password`` matches the cached hash, else None."""
        entry = self._load().get(username)
        if not isinstance(entry, dict):
            return None
        try:
            self._hasher.verify(str(entry.get("hash", "")), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return str(entry.get("role", ""))


def kiosk_roles(server_role: str | None) -> frozenset[str]:
    """The kiosk roles of a server role (empty for unknown roles)."""
    return SERVER_ROLES.get(server_role or "", frozenset())
