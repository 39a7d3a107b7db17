"""Keeping the kiosk's store in step with the central queue server.

- ``SyncWorker``: a background thread that uploads the outbox (idempotent batch, by the
  ticket's UUID), keeps a block of leased numbers per service (with the server's number
  pattern), and refreshes the cached service catalogue; it backs off exponentially while
  the server is down. An upload the server refuses for good (a 4xx answer, or a per-ticket
  refusal) is not retried: the entry is kept, marked refused with the reason, logged, and
  reported through ``on_refused`` (the app shows it on the staff line).
  Withdrawals (the ids of online requests the kiosk gave up waiting for) go out the same
  way, one call each; the server's answer says what it found (``on_withdrawn``).
- ``server_open_tickets``: a citizen's tickets of today as the server sees them.
- The cached catalogue (``services.json``) for offline starts.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from config.sync import SyncSettings
from kiosk.adapters.registry_sync import RegistrySync
from kiosk.adapters.server_client import QueueClient, ServerError, citizen_ref
from kiosk.context import KioskContext
from kiosk.model import (
    IssuedTicket,
    QueueFigures,
    RefusedUpload,
    Service,
    qr_link,
    services_from_settings,
)
from kiosk.tickets import (
    DONE,
    EMERGENCY,
    LEASED,
    ONLINE,
    TICKET,
    WAITING,
    WITHDRAW,
    TicketStore,
)
from ticketing.numbers import DEFAULT_PATTERN
from ticketing.workdays import WorkCalendar

log = logging.getLogger(__name__)
CATALOGUE_FILE = "services.json"


def calendar_from_catalogue(row: dict[str, Any]) -> WorkCalendar | None:
    """The site's working calendar of a catalogue row; None when the server sent none (an
    older server) or one this kiosk cannot read (logged: the hours then count every day)."""
    data = row.get("calendar")
    if not isinstance(data, dict):
        return None
    try:
        return WorkCalendar.from_json(data)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("the catalogue's calendar is unreadable (%s): every day counts as a "
                    "working day", exc)
        return None


def services_from_catalogue(rows: list[dict[str, Any]]) -> list[Service]:
    """The server's catalogue as the flow's services (with their opening hours and the
    site's working calendar)."""
    calendar = calendar_from_catalogue(rows[0]) if rows else None
    return [Service(r["code"], r["prefix"], r["name_vi"], r["name_en"],
                    tuple(r.get("counters") or ()), r.get("opens_at"), r.get("closes_at"),
                    r.get("timezone"), calendar) for r in rows]


#: the catalogue's fields that are the catalogue (the rest are live queue figures)
CATALOGUE_FIELDS = ("code", "prefix", "name_vi", "name_en", "counters", "opens_at",
                    "closes_at", "timezone", "calendar")


def figures_from_catalogue(rows: list[dict[str, Any]]) -> QueueFigures:
    """The live queue figures of a ``GET /services`` answer."""
    return QueueFigures(
        {r["code"]: int(r["waiting"]) for r in rows if isinstance(r.get("waiting"), int)},
        {r["code"]: int(r["estimated_wait_min"]) for r in rows
         if isinstance(r.get("estimated_wait_min"), int)})


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


def kiosk_catalogue(ctx: KioskContext) -> list[Service]:
    """The services this kiosk offers at start: with a server, its catalogue as the last
    sync cached it; standalone (or before the first sync), ``kiosk.services``."""
    online = bool(ctx.settings.sync.server_url)
    return (load_catalogue(ctx.data_dir) if online else None) or \
        services_from_settings(ctx.settings.kiosk)


@dataclass
class SyncStatus:
    """What the sync worker last saw, for the technician screen and the logs."""

    online: bool = False
    backlog: int = 0
    last_error: str | None = None
    last_success: datetime | None = None
    refused: int = 0  # outbox entries the server refused for good (kept, not retried)
    #: the registry replica's last round failed: why (the last good replica is kept)
    registry_error: str | None = None
    registry_cursor: int = 0


class SyncWorker(threading.Thread):
    """Uploads the outbox, tops up leases, refreshes the catalogue; runs until ``stop()``."""

    def __init__(self, client: QueueClient, store: TicketStore, settings: SyncSettings,
                 data_dir: Path,
                 on_catalogue: Callable[[list[Service]], None] | None = None,
                 on_refused: Callable[[RefusedUpload], None] | None = None,
                 registry: RegistrySync | None = None) -> None:
        super().__init__(name="kiosk-sync", daemon=True)
        #: the registry replica's push and pull, one round per sync round (None: no
        #: replica, e.g. recognition is off)
        self.registry = registry
        #: called (in this thread) with the registry's staff-line message, None when fine
        self.on_registry: Callable[[str | None], None] | None = None
        #: called (in this thread) each round with the queue figures, None when the server
        #: could not be asked (the tiles then show none rather than old ones)
        self.on_figures: Callable[[QueueFigures | None], None] | None = None
        self.client = client
        self.store = store
        self.settings = settings
        self.data_dir = data_dir
        self.on_catalogue = on_catalogue
        #: called (in this thread) for each ticket the server refuses for good
        self.on_refused = on_refused
        #: called (in this thread) with the server's outcome of each withdrawal sent:
        #: "unknown", "cancelled", "already_cancelled", or the status of a ticket that
        #: was already past waiting ("called"...: its number was called for nobody)
        self.on_withdrawn: Callable[[str], None] | None = None
        self.status = SyncStatus()
        self._stop_event = threading.Event()
        self._wake = threading.Event()
        self._failures = 0
        self._catalogue_at: datetime | None = None
        self._catalogue: list[dict[str, Any]] | None = None

    def stop(self) -> None:
        self._stop_event.set()
        self._wake.set()

    def wake(self) -> None:
        """Run a round now (e.g. right after a ticket was issued offline)."""
        self._wake.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            ok = self.step()
            self.registry_step()
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
            self.status.refused = len(self.store.refused_uploads())
        self.status.online = True
        self.status.last_error = None
        self.status.last_success = datetime.now().astimezone()
        return True

    def registry_step(self) -> None:
        """One round of the registry replica (its own errors: tickets are not held up)."""
        if self.registry is None:
            return
        result = self.registry.round()
        before = self.status.registry_error
        self.status.registry_error = result.error
        self.status.registry_cursor = result.cursor
        if result.pulled or result.deleted:
            log.info("registry: %d citizen(s) updated, %d erased", result.pulled,
                     result.deleted)
        if self.on_registry is not None and (result.error or before):
            message = None if result.error is None else (
                f"⚠ citizen registry: {result.error[:160]}")
            try:
                self.on_registry(message)
            except Exception:
                log.exception("reporting the registry state failed")

    def _figures(self, figures: QueueFigures | None) -> None:
        if self.on_figures is not None:
            try:
                self.on_figures(figures)
            except Exception:
                log.exception("reporting the queue figures failed")

    def _refresh_catalogue(self) -> None:
        """Every round: the live queue figures (waiting, estimated wait); the catalogue
        itself (names, hours...) when it changed or every ``catalogue_refresh_s``."""
        now = datetime.now().astimezone()
        try:
            rows = self.client.services()
        except ServerError:
            self._figures(None)  # old figures are no figures
            raise
        self._figures(figures_from_catalogue(rows))
        catalogue = [{k: r.get(k) for k in CATALOGUE_FIELDS} for r in rows]
        if catalogue == self._catalogue and self._catalogue_at and \
                now - self._catalogue_at < timedelta(seconds=self.settings.catalogue_refresh_s):
            return
        save_catalogue(self.data_dir, rows)
        self._catalogue_at = now
        self._catalogue = catalogue
        services = services_from_catalogue(rows)
        if services:  # the server's catalogue replaces the fallback one (no leases of
            self.store.services.clear()  # services the server does not have)
        self.store.services.update({s.code: s for s in services})
        if self.on_catalogue:
            self.on_catalogue(services)

    def _upload_outbox(self) -> None:
        while True:
            entries = self.store.pending_outbox(self.settings.upload_batch)
            tickets = [(entry_id, p) for entry_id, kind, p in entries if kind == TICKET]
            withdrawals = [(entry_id, p) for entry_id, kind, p in entries if kind == WITHDRAW]
            if tickets:
                self._upload(tickets)
            for entry_id, payload in withdrawals:
                self._withdraw(entry_id, payload)
            if len(entries) < self.settings.upload_batch or not (tickets or withdrawals):
                return

    def _withdraw(self, entry_id: int, payload: dict[str, Any]) -> None:
        """Send one withdrawal; raise ``ServerError`` when the server cannot be used."""
        try:
            answer = self.client.withdraw(str(payload["id"]), str(payload["reason"]))
        except ServerError as exc:
            if not refused_for_good(exc.status):
                raise
            self.store.mark_refused(entry_id, str(exc))
            log.error("queue server refused the withdrawal of a timed-out ticket id: %s", exc)
            return
        self.store.mark_sent(entry_id)
        outcome = str(answer.get("outcome"))
        if outcome in ("unknown", "cancelled", "already_cancelled"):
            log.info("withdrawn timed-out ticket id: %s %s", outcome,
                     answer.get("number") or "")
        else:  # already called: a number nobody holds went to a counter
            log.warning("withdrawn timed-out ticket %s was already %s: its number was called "
                        "but nobody holds it", answer.get("number"), outcome)
        if self.on_withdrawn is not None:
            try:
                self.on_withdrawn(outcome)
            except Exception:
                log.exception("reporting a withdrawal failed")

    def _upload(self, tickets: list[tuple[int, dict[str, Any]]]) -> None:
        """Upload outbox entries ``(entry id, payload)``; raise ``ServerError`` when the
        server cannot be used (retried next round)."""
        body = [{
            "id": p["id"], "service": p["service"], "priority": p["priority"],
            "citizen_id": p.get("person") or citizen_ref(p.get("citizen_id")),
            "issued_at": p["issued_at"],
            "number": p["number"] if p.get("source") in (LEASED, EMERGENCY) else None,
        } for _, p in tickets]
        try:
            answer = self.client.upload(body)
        except ServerError as exc:
            if not refused_for_good(exc.status):
                raise
            if len(tickets) > 1:  # which one? (or the batch was too big): one at a time
                for one in tickets:
                    self._upload([one])
                return
            entry_id, payload = tickets[0]
            self._refused(entry_id, payload, str(exc))
            return
        retry_at = datetime.now().astimezone() + timedelta(seconds=self.settings.backoff_max_s)
        for (entry_id, payload), result in zip(tickets, answer["results"], strict=True):
            if result["result"] in ("created", "existing"):
                self.store.mark_sent(entry_id)
                stored = result.get("ticket") or {}
                self.store.set_survey_url(result["id"], qr_link(stored))
            elif result["result"] != "retry" and refused_for_good(result.get("status_code")):
                self._refused(entry_id, payload, result.get("error") or str(result["result"]))
            else:  # "retry" (lost a race for its number) or a 5xx: send it again later
                log.warning("server did not take ticket %s yet: %s", payload.get("number"),
                            result.get("error"))
                self.store.mark_failed(entry_id, result.get("error") or "not taken", retry_at)

    def _refused(self, entry_id: int, payload: dict[str, Any], reason: str) -> None:
        number = str(payload.get("number") or "?")
        self.store.mark_refused(entry_id, reason)
        log.error("queue server refused ticket %s for good, kept in the outbox: %s",
                  number, reason)
        if self.on_refused is not None:
            try:
                self.on_refused(RefusedUpload(str(payload.get("id")), number, reason))
            except Exception:
                log.exception("reporting a refused upload failed")

    def _top_up_leases(self) -> None:
        s = self.settings
        for code in list(self.store.services):
            if self.store.leased_remaining(code) >= max(1, s.lease_low_watermark):
                continue
            lease = self.client.lease(code, s.lease_size)
            self.store.add_lease(
                code, lease["first_seq"], lease["last_seq"],
                day=datetime.fromisoformat(str(lease["day"])).date(), lease_id=str(lease["id"]),
                number_pattern=lease.get("number_pattern") or DEFAULT_PATTERN,
            )


def refused_for_good(status: int | None) -> bool:
    """True for an HTTP status that means "this will never be accepted as sent": a 4xx,
    except a refused token (401/403: the kiosk's setup, not the ticket), a timeout (408)
    and too many requests (429). No answer or a 5xx is retried."""
    return status is not None and 400 <= status < 500 and status not in (401, 403, 408, 429)


def server_open_tickets(client: QueueClient, store: TicketStore, citizen_id: int | None = None,
                        card_key: str | None = None) -> list[IssuedTicket]:
    """Bring this kiosk's view of a person's tickets of today in line with the server: a
    registry citizen (``citizen_id``) or an ID-card holder (``card_key``, ``k-``...).

    Tickets the server no longer has open (called and done, cancelled...) stop counting
    as waiting here, unless they have not been uploaded yet; open tickets issued by other
    kiosks of the site are recorded so they can be reprinted (not the ids this kiosk
    withdrew: nobody holds those). Returns today's tickets of the person (raises
    ``ServerError`` when the server is unreachable).
    """
    person: dict[str, Any] = {"citizen_id": citizen_id} if citizen_id is not None else \
        {"guest_key": card_key}
    answer = client.citizen_today(citizen_id if citizen_id is not None else str(card_key))
    withdrawn = store.withdrawn_ids()  # online requests given up on: nobody holds them
    open_ids = {t["id"]: t for t in answer.get("tickets", []) if t["id"] not in withdrawn}
    unsent = store.unsent_ticket_ids()
    for local in store.today_for(**person):
        if local.id in open_ids:
            if not local.waiting:
                store.set_status(local.id, WAITING)
        elif local.waiting and local.id not in unsent:
            store.set_status(local.id, DONE)
    known = {t.id for t in store.today_for(**person)}
    for ticket_id, t in open_ids.items():
        if ticket_id in known or t.get("service") not in store.services:
            continue
        issued = datetime.fromisoformat(str(t["issued_at"]))
        counters = store.services[t["service"]].counters_text()
        store.record(ticket_id, t["service"], t["number"], ONLINE, **person,
                     priority=bool(t.get("priority")), people_ahead=t.get("people_ahead"),
                     counters=counters, issued_at=issued, survey_url=qr_link(t))
        store.mark_ticket_sent(ticket_id)
    return store.today_for(**person)
