"""The queue server's kiosk API as seen from the kiosk (httpx).

``QueueClient`` calls the endpoints with the kiosk's bearer token and short timeouts;
every failure is a ``ServerError`` with one line for the log and the HTTP status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from config.sync import SyncSettings
from kiosk.model import is_card_key


class ServerError(Exception):
    """The server could not be used: unreachable, timed out, or refused the request.

    ``status`` is the HTTP status (None when there was no answer); ``str()`` one line.
    """

    def __init__(self, message: str, status: int | None = None,
                 reason: str | None = None, *, sent: bool = True) -> None:
        super().__init__(message)
        self.status = status
        #: the server's refusal code (``"closed"``, ``"not_leased"``...), when it gave one
        self.reason = reason
        #: False when the request never left (no connection): the server cannot have
        #: acted on it
        self.sent = sent

    @property
    def maybe_done(self) -> bool:
        """True when the server may have acted on the request although no answer came:
        it was sent and then timed out, the connection broke, or the server failed."""
        return self.sent and (self.status is None or self.status >= 500)

    @property
    def unreachable(self) -> bool:
        """True when trying again later may work (no answer, or the server failed)."""
        return self.status is None or self.status >= 500 or self.status == 429


def citizen_ref(citizen_id: int | None) -> str | None:
    """The opaque id the server sees for a registry citizen (never an id-card number)."""
    return None if citizen_id is None else f"c-{citizen_id}"


def person_ref(citizen_id: int | None, guest_key: str | None) -> str | None:
    """What a ticket tells the server about its person: a registry citizen's ``c-<id>``,
    an ID-card holder's keyed hash (``k-``...; ``Sealer.card_ref``), else None: a guest's
    key (``g-``...) lives in one kiosk's memory and means nothing elsewhere."""
    if citizen_id is not None:
        return citizen_ref(citizen_id)
    if is_card_key(guest_key):
        return guest_key
    return None


def read_token(settings: SyncSettings, data_dir: Path) -> str | None:
    """The bearer token from ``token`` or ``token_file``."""
    if settings.token:
        return settings.token
    if settings.token_file:
        path = Path(settings.token_file)
        path = path if path.is_absolute() else data_dir / path
        try:
            return path.read_text().strip() or None
        except OSError as exc:
            raise ServerError(f"kiosk token file {path} cannot be read: {exc.strerror}") from None
    return None


class QueueClient:
    """The kiosk endpoints of the queue server's API v1."""

    def __init__(self, base_url: str, token: str | None, timeout_s: float = 10.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, timeout: float | None = None,
              **kwargs: Any) -> Any:
        try:
            extra = {} if timeout is None else {"timeout": timeout}
            response = self._http.request(method, path, **kwargs, **extra)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ServerError(f"queue server {self.base_url} unreachable ({exc})",
                              sent=False) from None
        except httpx.TimeoutException:
            raise ServerError(f"queue server {self.base_url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ServerError(f"queue server {self.base_url} unreachable ({exc})") from None
        if response.status_code >= 400:
            reason = None
            try:
                body = response.json()
                detail = body.get("detail")
                reason = body.get("reason") if isinstance(body.get("reason"), str) else None
            except (ValueError, AttributeError):
                detail = response.text[:200]
            if response.status_code == 401:
                detail = "the kiosk token was refused: check sync.token (queue-server kiosk add)"
            raise ServerError(f"queue server: {detail}", response.status_code, reason)
        return response.json() if response.content else None

    def services(self) -> list[dict[str, Any]]:
        return self._call("GET", "/api/v1/services")

    def issue(self, payload: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        return self._call("POST", "/api/v1/tickets", json=payload, timeout=timeout)

    def withdraw(self, ticket_id: str, reason: str) -> dict[str, Any]:
        """Withdraw the id of an online request given up on (``outcome``: what the server
        found; docs/server-api.md)."""
        return self._call("POST", f"/api/v1/tickets/{ticket_id}/withdraw",
                          json={"reason": reason})

    def lease(self, service: str, size: int) -> dict[str, Any]:
        return self._call("POST", "/api/v1/leases", json={"service": service, "size": size})

    def upload(self, tickets: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", "/api/v1/tickets/batch", json={"tickets": tickets})

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/tickets/{ticket_id}")

    def report_health(self, report: dict[str, Any]) -> None:
        """Send the kiosk's health (``printer``, ``camera``: problem codes or None;
        ``alerts``: lines for staff) to the console (``POST /api/v1/kiosk/health``)."""
        self._call("POST", "/api/v1/kiosk/health", json=report)

    def citizen_today(self, citizen_id: int | str) -> dict[str, Any]:
        """Open tickets of today of a registry citizen (its id) or a card holder (``k-``...)."""
        ref = citizen_ref(citizen_id) if isinstance(citizen_id, int) else citizen_id
        return self._call("GET", f"/api/v1/citizens/{ref}/tickets/today")

    def card_holder(self, id_number: str, timeout: float | None = None) -> dict[str, Any]:
        """``{"citizen_id": int | None, "person": "k-..."}`` for a chip ID card held up
        (``POST /api/v1/registry/card``; the number travels in the body, never the URL)."""
        return self._call("POST", "/api/v1/registry/card", json={"id_number": id_number},
                          timeout=timeout)

    # -- the citizen registry (docs/registry.md)

    def push_enrolments(self, enrolments: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", "/api/v1/registry/enrolments",
                          json={"enrolments": enrolments})

    def report_seen(self, seen: list[dict[str, Any]]) -> dict[str, Any]:
        """Recognitions made here: ``[{"citizen_id", "at"}]`` (no face data)."""
        return self._call("POST", "/api/v1/registry/seen", json={"seen": seen})

    def registry_changes(self, cursor: int, limit: int | None = None) -> dict[str, Any]:
        params: dict[str, int] = {"cursor": cursor}
        if limit:
            params["limit"] = limit
        return self._call("GET", "/api/v1/registry/changes", params=params)
