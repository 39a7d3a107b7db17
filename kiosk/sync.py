"""The kiosk's link to the central queue server (httpx).

- ``QueueClient``: the server's kiosk API (bearer token, short timeouts, one-line errors).
- ``ServerIssuer``: numbers a ticket online when the server answers within
  ``issue_timeout_s``, else from a leased block; either way the ticket is committed in the
  local store (with its outbox entry) before it is returned, so it is never lost.
- ``SyncWorker``: a background thread that uploads the outbox (idempotent batch, by the
  ticket's UUID), keeps a block of leased numbers per service, and refreshes the cached
  service catalogue; it backs off exponentially while the server is down.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from config.sync import SyncSettings
from kiosk.flow import IssuedTicket, IssueTicket, Service, qr_link
from kiosk.tickets import LEASED, ONLINE, TicketStore

log = logging.getLogger(__name__)
CATALOGUE_FILE = "services.json"


class ServerError(Exception):
    """The server could not be used: unreachable, timed out, or refused the request.

    ``status`` is the HTTP status (None when there was no answer); ``str()`` one line.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def unreachable(self) -> bool:
        """True when trying again later may work (no answer, or the server failed)."""
        return self.status is None or self.status >= 500 or self.status == 429


def citizen_ref(citizen_id: int | None) -> str | None:
    """The opaque id the server sees for a registry citizen (never an id-card number)."""
    return None if citizen_id is None else f"c-{citizen_id}"


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
        except httpx.TimeoutException:
            raise ServerError(f"queue server {self.base_url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ServerError(f"queue server {self.base_url} unreachable ({exc})") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:200]
            if response.status_code == 401:
                detail = "the kiosk token was refused: check sync.token (queue-server kiosk add)"
            raise ServerError(f"queue server: {detail}", response.status_code)
        return response.json()

    def services(self) -> list[dict[str, Any]]:
        return self._call("GET", "/api/v1/services")

    def issue(self, payload: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        return self._call("POST", "/api/v1/tickets", json=payload, timeout=timeout)

    def lease(self, service: str, size: int) -> dict[str, Any]:
        return self._call("POST", "/api/v1/leases", json={"service": service, "size": size})

    def upload(self, tickets: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", "/api/v1/tickets/batch", json={"tickets": tickets})

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/tickets/{ticket_id}")

    def citizen_today(self, citizen_id: int) -> dict[str, Any]:
        return self._call("GET", f"/api/v1/citizens/{citizen_ref(citizen_id)}/tickets/today")


def services_from_catalogue(rows: list[dict[str, Any]]) -> list[Service]:
    """The server's catalogue as the flow's services."""
    return [Service(r["code"], r["prefix"], r["name_vi"], r["name_en"],
                    tuple(r.get("counters") or ())) for r in rows]


def save_catalogue(data_dir: Path, rows: list[dict[str, Any]]) -> None:
    """Cache the catalogue for offline starts (written atomically)."""
    path = data_dir / CATALOGUE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def load_catalogue(data_dir: Path) -> list[Service] | None:
    """The cached catalogue, or None when there is none (or it is unreadable)."""
    try:
        rows = json.loads((data_dir / CATALOGUE_FILE).read_text(encoding="utf-8"))
        return services_from_catalogue(rows) or None
    except (OSError, ValueError, KeyError, TypeError):
        return None


class NoNumberError(Exception):
    """Neither the server nor a leased block could number the ticket."""


class ServerIssuer:
    """Issue online when the server answers quickly, else from a leased block."""

    def __init__(self, client: QueueClient, store: TicketStore, settings: SyncSettings,
                 on_offline: Callable[[], None] | None = None) -> None:
        self.client = client
        self.store = store
        self.settings = settings
        self.on_offline = on_offline

    def __call__(self, request: IssueTicket) -> IssuedTicket:
        ticket_id = str(uuid.uuid4())
        payload = {"id": ticket_id, "service": request.service, "priority": request.priority,
                   "citizen_id": citizen_ref(request.citizen_id)}
        try:
            answer = self.client.issue(payload, timeout=self.settings.issue_timeout_s)
        except ServerError as exc:
            if not exc.unreachable:
                raise  # the server refused (daily cap, closed service): no offline number
            log.warning("issuing offline: %s", exc)
            if self.on_offline:
                self.on_offline()
            ticket = self.store.issue_from_lease(
                request.service, request.citizen_id, request.guest_key, request.priority
            )
            if ticket is None:
                raise NoNumberError(
                    f"the queue server is unreachable and no leased number of service "
                    f"{request.service} is left"
                ) from None
            return ticket
        service = self.store.services.get(request.service)
        counters = service.counters_text() if service else ""
        ticket = self.store.record(
            ticket_id, request.service, answer["number"], ONLINE,
            citizen_id=request.citizen_id, guest_key=request.guest_key,
            priority=request.priority, people_ahead=answer.get("people_ahead"),
            counters=counters, survey_url=qr_link(answer),
        )
        self.store.mark_ticket_sent(ticket_id)
        return ticket


@dataclass
class SyncStatus:
    """What the sync worker last saw, for the technician screen and the logs."""

    online: bool = False
    backlog: int = 0
    last_error: str | None = None
    last_success: datetime | None = None


class SyncWorker(threading.Thread):
    """Uploads the outbox, tops up leases, refreshes the catalogue; runs until ``stop()``."""

    def __init__(self, client: QueueClient, store: TicketStore, settings: SyncSettings,
                 data_dir: Path,
                 on_catalogue: Callable[[list[Service]], None] | None = None) -> None:
        super().__init__(name="kiosk-sync", daemon=True)
        self.client = client
        self.store = store
        self.settings = settings
        self.data_dir = data_dir
        self.on_catalogue = on_catalogue
        self.status = SyncStatus()
        self._stop_event = threading.Event()
        self._wake = threading.Event()
        self._failures = 0
        self._catalogue_at: datetime | None = None

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()

    def wake(self) -> None:
        """Run a round now (e.g. right after a ticket was issued offline)."""
        self._wake.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            ok = self.step()
            self._failures = 0 if ok else self._failures + 1
            delay = self.settings.interval_s if ok else min(
                self.settings.backoff_max_s, self.settings.interval_s * 2 ** self._failures
            )
            self._wake.wait(delay)
            self._wake.clear()

    def step(self) -> bool:
        """One round: catalogue, outbox, leases. False when the server could not be used."""
        try:
            self._refresh_catalogue()
            self._upload_outbox()
            self._top_up_leases()
        except ServerError as exc:
            self.status.online = not exc.unreachable
            self.status.last_error = str(exc)
            log.warning("sync: %s", exc)
            return False
        except Exception as exc:  # a sync bug must never take the kiosk down
            self.status.last_error = f"sync failed: {exc}"
            log.exception("sync round failed")
            return False
        finally:
            self.status.backlog = self.store.outbox_backlog()
        self.status.online = True
        self.status.last_error = None
        self.status.last_success = datetime.now().astimezone()
        return True

    def _refresh_catalogue(self) -> None:
        now = datetime.now().astimezone()
        if self._catalogue_at and now - self._catalogue_at < timedelta(
            seconds=self.settings.catalogue_refresh_s
        ):
            return
        rows = self.client.services()
        save_catalogue(self.data_dir, rows)
        self._catalogue_at = now
        services = services_from_catalogue(rows)
        self.store.services.update({s.code: s for s in services})
        if self.on_catalogue:
            self.on_catalogue(services)

    def _upload_outbox(self) -> None:
        while True:
            entries = self.store.pending_outbox(self.settings.upload_batch)
            tickets = [(entry_id, p) for entry_id, kind, p in entries if kind == "ticket"]
            if not tickets:
                return
            body = [{
                "id": p["id"], "service": p["service"], "priority": p["priority"],
                "citizen_id": citizen_ref(p.get("citizen_id")), "issued_at": p["issued_at"],
                "number": p["number"] if p.get("source") == LEASED else None,
            } for _, p in tickets]
            answer = self.client.upload(body)
            retry_at = datetime.now().astimezone() + timedelta(seconds=self.settings.backoff_max_s)
            for (entry_id, _p), result in zip(tickets, answer["results"], strict=True):
                if result["result"] in ("created", "existing"):
                    self.store.mark_sent(entry_id)
                    stored = result.get("ticket") or {}
                    self.store.set_survey_url(result["id"], qr_link(stored))
                else:
                    # Refused (e.g. a number outside our leases): keep it, retry rarely,
                    # and say so in the log for the technician.
                    log.error("server refused ticket %s: %s", result["id"], result["error"])
                    self.store.mark_failed(entry_id, result["error"] or "refused", retry_at)
            if len(entries) < self.settings.upload_batch:
                return

    def _top_up_leases(self) -> None:
        s = self.settings
        for code in list(self.store.services):
            if self.store.leased_remaining(code) >= max(1, s.lease_low_watermark):
                continue
            lease = self.client.lease(code, s.lease_size)
            self.store.add_lease(
                code, lease["first_seq"], lease["last_seq"],
                day=datetime.fromisoformat(str(lease["day"])).date(), lease_id=str(lease["id"]),
            )
