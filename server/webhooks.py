"""The webhook that tells a centre's own SMS/Zalo connector that a citizen's turn is near.

At each call, the called ticket gets a ``called`` notification and the tickets of its
service with at most ``webhook_near_places`` people ahead get ``near``; a ticket issued
(or uploaded) with that few people ahead already gets ``near`` at once. Once per ticket and
event. Rows are written in the call's own transaction (table ``webhook_deliveries``, the
log staff read at /webhooks), then a sender thread POSTs them:

- body: JSON ``{"event", "site", "ticket_id", "number", "service", "people_ahead",
  "counter", "ticket_url", "at"}``; no personal data (no citizen id, no name);
- headers: ``X-Queue-Event``, ``X-Queue-Delivery`` (the row id: receivers drop repeats),
  ``X-Queue-Signature: sha256=<hex HMAC-SHA256 of the raw body>``;
- a 2xx answer is delivered; otherwise tried again after ``webhook_backoff_s``, doubled each
  time, up to ``webhook_attempts`` tries, then marked failed.

The secret comes from the environment (``QUEUE_SERVER_WEBHOOK_SECRET``) or a 0600 file
under the data dir, never from the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.db import Database
from server.domain.clock import local_day
from server.domain.records import NewTicket
from server.domain.refs import ServiceRef, SiteRef, service_by_id
from server.models import Counter, Service, Site, Ticket, WebhookDelivery, utcnow
from ticketing.status import TicketStatus

log = logging.getLogger(__name__)

SECRET_ENV = "QUEUE_SERVER_WEBHOOK_SECRET"
SIGNATURE_HEADER = "X-Queue-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def load_webhook_secret(settings: QueueServerSettings, data_dir: Path) -> str:
    """The HMAC secret: the environment variable, else the settings' file (created 0600
    with a random secret when missing)."""
    value = os.environ.get(SECRET_ENV, "").strip()
    if value:
        return value
    path = Path(settings.webhook_secret_file)
    if not path.is_absolute():
        path = Path(data_dir) / path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32) + "\n")
    value = path.read_text().strip()
    if len(value) < 16:
        raise ValueError(f"webhook secret file {path} holds fewer than 16 characters")
    return value


class TicketLink:
    """The public ticket page's URL for a ticket id, when the server's public URL is set
    (a notification is sent outside any request, so no request's address is known)."""

    def __init__(self, public_url: str | None, token: Callable[[str], str]) -> None:
        self.base = (public_url or "").rstrip("/")
        self.token = token

    def __call__(self, ticket_id: str) -> str | None:
        return f"{self.base}/t/{self.token(ticket_id)}" if self.base else None


class Webhooks:
    """Queues notifications at calls and delivers them from one daemon thread."""

    def __init__(self, settings: QueueServerSettings, db: Database, data_dir: Path,
                 ticket_link: TicketLink) -> None:
        self.settings = settings
        self.db = db
        self.data_dir = Path(data_dir)
        self.ticket_link = ticket_link
        self._secret: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether a webhook URL is set."""
        return bool(self.settings.webhook_url)

    # ------------------------------------------------------------------ queueing

    def queue_after_call(self, session: Session, ticket: Ticket) -> int:
        """Add the ``called`` row for ``ticket`` and ``near`` rows for the first waiting
        tickets of its service, in the caller's transaction. Returns rows added."""
        if not self.enabled:
            return 0
        site = session.get(Site, ticket.site_id)
        service = session.get(Service, ticket.service_id)
        counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
        assert site is not None and service is not None
        added = self._add(session, ticket, "called", site, service, 0,
                          counter.number if counter else None)
        near = session.scalars(
            sa.select(Ticket).where(
                Ticket.site_id == ticket.site_id, Ticket.day == ticket.day,
                Ticket.service_id == ticket.service_id,
                Ticket.status == TicketStatus.WAITING)
            .order_by(Ticket.queue_at, Ticket.seq)
            .limit(self.settings.webhook_near_places + 1)
        ).all()
        for ahead, waiting in enumerate(near):  # same order as people_ahead counts
            added += self._add(session, waiting, "near", site, service, ahead, None)
        return added

    def queue_at_issue(self, session: Session, site: Site | SiteRef,
                       tickets: Sequence[Ticket | NewTicket]) -> int:
        """Add ``near`` rows for tickets just stored (issued online, or uploaded from a
        lease) that already have at most ``webhook_near_places`` people ahead, in the
        caller's transaction: a short queue tells the citizen at once, not only at the
        next call. A ticket is told once (the next call finds its row). Returns rows added.

        Online tickets know their people ahead (``ahead_at_issue``); for uploaded ones the
        first waiting tickets of each service and day are read once and those among them
        are told, with their place in that order (as at a call)."""
        if not self.enabled:
            return 0
        near = self.settings.webhook_near_places
        added = 0
        heads: dict[tuple[int, dt.date], set[str]] = {}
        today = local_day(site)
        for t in tickets:
            if t.status != TicketStatus.WAITING or t.day != today:
                continue  # an offline ticket of a past day joins no queue
            ahead = getattr(t, "ahead_at_issue", None)
            if ahead is None:
                heads.setdefault((t.service_id, t.day), set()).add(t.id)
            elif ahead <= near:
                added += self._add(session, t, "near", site,
                                   service_by_id(session, t.service_id), ahead, None)
        for (service_id, day), ids in heads.items():
            first = session.scalars(
                sa.select(Ticket).where(
                    Ticket.site_id == site.id, Ticket.day == day,
                    Ticket.service_id == service_id, Ticket.status == TicketStatus.WAITING)
                .order_by(Ticket.queue_at, Ticket.seq).limit(near + 1)).all()
            for ahead, waiting in enumerate(first):
                if waiting.id in ids:
                    added += self._add(session, waiting, "near", site,
                                       service_by_id(session, service_id), ahead, None)
        return added

    def _add(self, session: Session, ticket: Ticket | NewTicket, event: str,
             site: Site | SiteRef, service: Service | ServiceRef, ahead: int,
             counter: int | None) -> int:
        exists = session.scalar(sa.select(WebhookDelivery.id).where(
            WebhookDelivery.ticket_id == ticket.id, WebhookDelivery.event == event))
        if exists is not None:
            return 0
        now = utcnow()
        body = json.dumps({
            "event": event, "site": site.code, "ticket_id": ticket.id,
            "number": ticket.number, "service": service.code, "people_ahead": ahead,
            "counter": counter, "ticket_url": self.ticket_link(ticket.id),
            "at": now.replace(tzinfo=dt.UTC).isoformat(),
        }, ensure_ascii=False, separators=(",", ":"))
        try:
            with session.begin_nested():  # a concurrent twin must not undo the call
                session.add(WebhookDelivery(
                    site_id=site.id, ticket_id=ticket.id, event=event, body=body,
                    status="pending", attempts=0, last_error="", created_at=now,
                    next_attempt_at=now))
        except IntegrityError:
            return 0
        return 1

    # ------------------------------------------------------------------ sending

    def wake(self) -> None:
        """Start the sender if needed and have it look for due notifications now."""
        if not self.enabled:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="webhooks",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def close(self) -> None:
        """Stop the sender thread (pending rows stay in the table for the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.webhook_timeout_s + 1)

    def _run(self) -> None:
        with httpx.Client(timeout=self.settings.webhook_timeout_s) as client:
            while not self._stop.is_set():
                try:
                    pause = self.deliver_due(client)
                except Exception as exc:  # the database away for a moment: try later
                    log.warning("webhook sender: %s", str(exc).splitlines()[0] if str(exc)
                                else type(exc).__name__)
                    pause = 5.0
                self._wake.wait(timeout=pause)
                self._wake.clear()

    def deliver_due(self, client: httpx.Client) -> float:
        """Send every due notification once; returns seconds until the next one is due
        (at most 30)."""
        if self._secret is None:
            self._secret = load_webhook_secret(self.settings, self.data_dir)
        now = utcnow()
        with self.db.session() as s:
            due = s.execute(
                sa.select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
                .where(WebhookDelivery.status == "pending",
                       WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.id).limit(50)).all()
        for row_id, planned in due:
            if self._stop.is_set():
                break
            self._deliver_one(client, row_id, planned)
        with self.db.read_session() as s:
            upcoming = s.scalar(sa.select(sa.func.min(WebhookDelivery.next_attempt_at))
                                .where(WebhookDelivery.status == "pending"))
        if upcoming is None:
            return 30.0
        return max(0.05, min(30.0, (upcoming - utcnow()).total_seconds()))

    def _deliver_one(self, client: httpx.Client, row_id: int, planned: dt.datetime) -> None:
        claim_until = utcnow() + dt.timedelta(seconds=self.settings.webhook_timeout_s * 2 + 5)
        with self.db.session() as s:  # claim it: another server process may be sending too
            claimed = s.execute(
                sa.update(WebhookDelivery)
                .where(WebhookDelivery.id == row_id, WebhookDelivery.status == "pending",
                       WebhookDelivery.next_attempt_at == planned)
                .values(next_attempt_at=claim_until)).rowcount
            row = s.get(WebhookDelivery, row_id) if claimed else None
            body = row.body.encode() if row is not None else b""
            event = row.event if row is not None else ""
        if not claimed:
            return
        assert self._secret is not None
        code: int | None = None
        error = ""
        try:
            answer = client.post(self.settings.webhook_url, content=body, headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Queue-Event": event, "X-Queue-Delivery": str(row_id),
                SIGNATURE_HEADER: sign(self._secret, body)})
            code = answer.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        with self.db.session() as s:
            row = s.get(WebhookDelivery, row_id)
            if row is None:
                return
            row.attempts += 1
            row.last_code = code
            row.last_error = error[:300]
            now = utcnow()
            if not error:
                row.status, row.delivered_at = "delivered", now
            elif row.attempts >= self.settings.webhook_attempts:
                row.status = "failed"
                log.warning("webhook %s for ticket %s failed after %d tries: %s", event,
                            row.ticket_id, row.attempts, error)
            else:
                wait = self.settings.webhook_backoff_s * 2 ** (row.attempts - 1)
                row.next_attempt_at = now + dt.timedelta(seconds=wait)


def recent_deliveries(session: Session, site_id: int | None, limit: int = 200
                      ) -> list[dict]:
    """The newest notifications (all sites when ``site_id`` is None), for the staff log."""
    stmt = (sa.select(WebhookDelivery, Ticket.number, Site.code)
            .join(Ticket, Ticket.id == WebhookDelivery.ticket_id)
            .join(Site, Site.id == WebhookDelivery.site_id)
            .order_by(WebhookDelivery.id.desc()).limit(limit))
    if site_id is not None:
        stmt = stmt.where(WebhookDelivery.site_id == site_id)
    return [{"id": d.id, "site": code, "number": number, "event": d.event,
             "status": d.status, "attempts": d.attempts, "last_code": d.last_code,
             "last_error": d.last_error, "created_at": d.created_at,
             "delivered_at": d.delivered_at, "next_attempt_at": d.next_attempt_at}
            for d, number, code in session.execute(stmt)]
