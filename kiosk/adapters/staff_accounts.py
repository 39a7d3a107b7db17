"""Staff accounts checked against the queue server's staff log-in (``POST
/api/v1/auth/login``): the account's server role, None for a wrong password, and
``ServerUnreachable`` when there is no usable answer (the kiosk then uses its cache).

The server's session cookie of the last online login is kept in memory (never on disk)
per username, so the admin's people page can erase a citizen at the server as that admin
(``session_of``); ``forget_sessions`` drops them when staff mode locks."""

from __future__ import annotations

import httpx

from kiosk.staff.accounts import ServerUnreachable


class ServerAccounts:
    """An ``AccountChecker`` on the queue server at ``base_url``."""

    def __init__(self, base_url: str, timeout_s: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._sessions: dict[str, httpx.Cookies] = {}

    def session_of(self, username: str) -> httpx.Cookies | None:
        """The server session of ``username``'s last online login (None: none)."""
        return self._sessions.get(username)

    def forget_sessions(self) -> None:
        """Drop every kept server session (staff mode locked or left)."""
        self._sessions.clear()

    def __call__(self, username: str, password: str) -> str | None:
        try:
            reply = httpx.post(f"{self.base_url}/api/v1/auth/login",
                               json={"username": username, "password": password},
                               timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise ServerUnreachable(str(exc)[:200]) from None
        if reply.status_code in (401, 403, 422):
            return None
        if reply.status_code != 200:
            raise ServerUnreachable(f"HTTP {reply.status_code}")
        try:
            role = str(reply.json()["role"])
        except (ValueError, KeyError, TypeError):
            raise ServerUnreachable("unexpected answer") from None
        self._sessions[username] = reply.cookies
        return role
