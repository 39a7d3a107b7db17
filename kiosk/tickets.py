"""The kiosk's own tickets: today's tickets, the outbox, standalone numbering, leased blocks.

A ticket is committed here, with its outbox entry in the same transaction, before it is
printed or shown: a crash or a power cut after that loses nothing, and the sync client
uploads the outbox later (idempotent by the ticket's UUID). With no server configured the
kiosk numbers tickets itself, per service per day, with one atomic upsert on a counter row
(safe with several processes on the same SQLite file or PostgreSQL database). Blocks of
numbers leased from the server while online (``NumberLease``) are used when it is not,
formatted with the pattern each lease carries (the server's ``server.number_pattern``;
``ticketing.numbers``). An outbox entry the server
refuses for good is kept and marked refused with the reason, never deleted. When an online
request timed out and the citizen got a leased number instead, the first id's withdrawal
goes into the outbox in the same transaction as the leased ticket (docs/soak.md, "ghost
tickets").
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from kiosk.db import Base
from kiosk.model import IssuedTicket, QueueFigures, RefusedUpload, Service, is_card_key
from ticketing.estimates import replay_queue
from ticketing.numbers import DEFAULT_PATTERN, check_pattern, emergency_seq, format_number
from ticketing.status import ALL_STATUSES, TicketStatus

# Ticket status (what the queue did with it; the words the server uses) and print state.
WAITING, CALLED, DONE, CANCELLED = (TicketStatus.WAITING, TicketStatus.CALLED,
                                    TicketStatus.DONE, TicketStatus.CANCELLED)
PRINT_PENDING, PRINTED, PRINT_FAILED = "pending", "printed", "failed"
# Where the number came from.
STANDALONE, ONLINE, LEASED = "standalone", "online", "leased"
#: numbered by the kiosk in its emergency slot (server unreachable, no leased number left)
EMERGENCY = "emergency"
# Outbox entry kinds: a ticket to upload; the id of an online request the kiosk gave up
# waiting for (the server may have stored it: withdraw it so nobody's number waits).
TICKET, WITHDRAW = "ticket", "withdraw"
WITHDRAW_REASON = "kiosk_timeout"


def local_now() -> datetime:
    """Timezone-aware local wall-clock time."""
    return datetime.now().astimezone()


class UtcDateTime(sa.TypeDecorator):
    """An aware datetime stored as UTC and read back aware (SQLite keeps no time zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone-aware time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class TicketRow(Base):
    """One ticket issued by this kiosk."""

    __tablename__ = "kiosk_tickets"
    __table_args__ = (
        sa.UniqueConstraint("day", "service", "number", name="uq_kiosk_ticket_number"),
        sa.Index("ix_kiosk_ticket_person", "day", "citizen_id"),
        sa.Index("ix_kiosk_ticket_guest", "day", "guest_key"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    service: Mapped[str] = mapped_column(sa.String(32))
    number: Mapped[str] = mapped_column(sa.String(32))
    seq: Mapped[int | None] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.String(16))
    citizen_id: Mapped[int | None] = mapped_column(sa.Integer)
    guest_key: Mapped[str | None] = mapped_column(sa.String(64))
    priority: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(sa.String(16), default=WAITING)
    print_state: Mapped[str] = mapped_column(sa.String(16), default=PRINT_PENDING)
    print_attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    print_error: Mapped[str | None] = mapped_column(sa.String(200))
    people_ahead: Mapped[int | None] = mapped_column(sa.Integer)
    counters: Mapped[str] = mapped_column(sa.String(100), default="")
    survey_url: Mapped[str | None] = mapped_column(sa.String(500))

    def view(self) -> IssuedTicket:
        """The ticket as the flow and the screens see it."""
        issued = self.issued_at.astimezone()  # the kiosk's local time
        return IssuedTicket(
            id=self.id, service=self.service, number=self.number, priority=self.priority,
            issued_at=issued, citizen_id=self.citizen_id, guest_key=self.guest_key,
            people_ahead=self.people_ahead, counters=self.counters, survey_url=self.survey_url,
            waiting=self.status == WAITING,
        )


class DayCounter(Base):
    """The last standalone sequence number given per service and day."""

    __tablename__ = "kiosk_day_counters"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    service: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.Integer)


class NumberLease(Base):
    """A block of sequence numbers the server reserved for this kiosk (filled by sync)."""

    __tablename__ = "kiosk_number_leases"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    service: Mapped[str] = mapped_column(sa.String(32))
    first_seq: Mapped[int] = mapped_column(sa.Integer)
    last_seq: Mapped[int] = mapped_column(sa.Integer)
    next_seq: Mapped[int] = mapped_column(sa.Integer)
    lease_id: Mapped[str | None] = mapped_column(sa.String(64))
    #: the server's ``number_pattern`` when it leased the block (None: DEFAULT_PATTERN)
    number_pattern: Mapped[str | None] = mapped_column(sa.String(64))


class OutboxEntry(Base):
    """Something to send to the server, committed with the change it reports."""

    __tablename__ = "kiosk_outbox"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    ticket_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    #: set when the server refused the entry for good (``last_error`` says why); kept
    refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


def _upsert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"standalone numbering needs SQLite or PostgreSQL, not {dialect}")
    return insert


class TicketStore:
    """Today's tickets of this kiosk: issue, look up, mark printed, and the outbox.

    ``clock`` gives timezone-aware local time (the day boundary is local midnight).
    """

    def __init__(self, sessions: sessionmaker, services: list[Service],
                 clock: Callable[[], datetime] = local_now) -> None:
        self.sessions = sessions
        self.services = {s.code: s for s in services}
        self.clock = clock

    def _service(self, code: str) -> Service:
        try:
            return self.services[code]
        except KeyError:
            raise ValueError(f"unknown service {code!r}: pick one of "
                             f"{', '.join(self.services)}") from None

    def _next_seq(self, session: Any, day: date, code: str) -> int:
        insert = _upsert(session.get_bind().dialect.name)
        stmt = insert(DayCounter).values(day=day, service=code, last_seq=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[DayCounter.day, DayCounter.service],
            set_={"last_seq": DayCounter.last_seq + 1},
        ).returning(DayCounter.last_seq)
        return int(session.execute(stmt).scalar_one())

    def _numbered(self, svc: Service, seq: int, pattern: str, source: str, now: datetime,
                  citizen_id: int | None, guest_key: str | None, priority: bool) -> TicketRow:
        """A new waiting ticket with the number ``seq`` of ``svc`` written with ``pattern``
        (not yet added)."""
        return TicketRow(
            id=str(uuid.uuid4()), day=now.date(), service=svc.code, seq=seq,
            number=format_number(pattern, svc.prefix, seq, svc.code), source=source,
            citizen_id=citizen_id,
            guest_key=guest_key, priority=priority, issued_at=now, status=WAITING,
            print_state=PRINT_PENDING, print_attempts=0, counters="",
        )

    def _add(self, session: Any, ticket: TicketRow, withdraw: str | None = None) -> None:
        """Add ``ticket`` and its outbox entry; with ``withdraw``, also the withdrawal of
        that id (an online request given up on: ``_withdrawal``)."""
        session.add(ticket)
        if withdraw is not None:
            self._withdrawal(session, withdraw, ticket.issued_at, ticket.id)
        payload = {
            "id": ticket.id, "service": ticket.service, "number": ticket.number,
            "priority": ticket.priority, "citizen_id": ticket.citizen_id,
            # an ID-card holder's keyed hash (``k-``...), so the server can hold one waiting
            # ticket per person across kiosks; guests' keys (``g-``) stay here
            "person": ticket.guest_key if is_card_key(ticket.guest_key) else None,
            "issued_at": ticket.issued_at.isoformat(), "source": ticket.source,
        }
        session.add(OutboxEntry(kind=TICKET, ticket_id=ticket.id, payload=json.dumps(payload),
                                created_at=ticket.issued_at, attempts=0))

    @staticmethod
    def _withdrawal(session: Any, ticket_id: str, at: datetime,
                    replaced_by: str | None) -> None:
        payload = {"id": ticket_id, "reason": WITHDRAW_REASON, "replaced_by": replaced_by}
        session.add(OutboxEntry(kind=WITHDRAW, ticket_id=ticket_id, payload=json.dumps(payload),
                                created_at=at, attempts=0))

    def add_withdrawal(self, ticket_id: str) -> None:
        """Remember to withdraw an online request given up on (when no ticket replaces it:
        with one, ``issue_from_lease(withdraw=...)`` commits both together)."""
        with self.sessions.begin() as session:
            self._withdrawal(session, ticket_id, self.clock(), None)

    def withdrawn_ids(self) -> set[str]:
        """Ids of online requests this kiosk gave up on (sent to the server or not)."""
        with self.sessions() as session:
            return set(session.scalars(
                sa.select(OutboxEntry.ticket_id).where(OutboxEntry.kind == WITHDRAW)))

    def issue_standalone(self, service: str, citizen_id: int | None = None,
                         guest_key: str | None = None, priority: bool = False,
                         people_ahead: int | None = None) -> IssuedTicket:
        """Number a ticket locally (next number of the service today, written with
        ``DEFAULT_PATTERN``) and commit it; ``people_ahead`` when known better than the
        count of today's waiting tickets (the replayed queue)."""
        svc = self._service(service)
        now = self.clock()
        with self.sessions.begin() as session:
            seq = self._next_seq(session, now.date(), svc.code)
            ticket = self._numbered(svc, seq, DEFAULT_PATTERN, STANDALONE, now, citizen_id,
                                    guest_key, priority)
            # The kiosk's own queue is the whole queue here: people ahead are known.
            ticket.people_ahead = people_ahead if people_ahead is not None else int(
                session.scalar(sa.select(sa.func.count()).select_from(TicketRow).where(
                    TicketRow.day == now.date(), TicketRow.service == svc.code,
                    TicketRow.status == WAITING)) or 0)
            self._add(session, ticket)
        return ticket.view()

    def record(self, ticket_id: str, service: str, number: str, source: str,
               citizen_id: int | None = None, guest_key: str | None = None,
               priority: bool = False, people_ahead: int | None = None, counters: str = "",
               issued_at: datetime | None = None,
               survey_url: str | None = None) -> IssuedTicket:
        """Commit a ticket numbered elsewhere (by the server online); idempotent by id."""
        now = issued_at or self.clock()
        with self.sessions.begin() as session:
            existing = session.get(TicketRow, ticket_id)
            if existing is not None:
                return existing.view()
            ticket = TicketRow(
                id=ticket_id, day=now.date(), service=service, seq=None, number=number,
                source=source, citizen_id=citizen_id, guest_key=guest_key, priority=priority,
                issued_at=now, status=WAITING, print_state=PRINT_PENDING, print_attempts=0,
                people_ahead=people_ahead, counters=counters, survey_url=survey_url,
            )
            self._add(session, ticket)
        return ticket.view()

    def add_lease(self, service: str, first_seq: int, last_seq: int,
                  day: date | None = None, lease_id: str | None = None,
                  number_pattern: str = DEFAULT_PATTERN) -> None:
        """Store a block of numbers ``first_seq..last_seq`` leased from the server, with the
        server's ``number_pattern`` its numbers are written with (raises ``NumberError``
        for a pattern that cannot format a number)."""
        if last_seq < first_seq:
            raise ValueError(f"empty lease {first_seq}..{last_seq}")
        check_pattern(number_pattern)
        with self.sessions.begin() as session:
            session.add(NumberLease(day=day or self.clock().date(), service=service,
                                    first_seq=first_seq, last_seq=last_seq, next_seq=first_seq,
                                    lease_id=lease_id, number_pattern=number_pattern))

    def issue_from_lease(self, service: str, citizen_id: int | None = None,
                         guest_key: str | None = None, priority: bool = False,
                         withdraw: str | None = None) -> IssuedTicket | None:
        """Take the next number of today's leased blocks; None when none is left (and
        nothing is written). ``withdraw``: the id of the online request this ticket
        replaces, whose withdrawal is committed with the ticket."""
        svc = self._service(service)
        now = self.clock()
        with self.sessions.begin() as session:
            for _ in range(5):  # another process may take the same number: try the next
                lease = session.execute(
                    sa.select(NumberLease)
                    .where(NumberLease.day == now.date(), NumberLease.service == svc.code,
                           NumberLease.next_seq <= NumberLease.last_seq)
                    .order_by(NumberLease.id).limit(1)
                ).scalar_one_or_none()
                if lease is None:
                    return None
                seq = lease.next_seq
                taken = session.execute(
                    sa.update(NumberLease)
                    .where(NumberLease.id == lease.id, NumberLease.next_seq == seq)
                    .values(next_seq=seq + 1)
                ).rowcount
                if taken == 1:
                    break
            else:
                return None
            pattern = lease.number_pattern or DEFAULT_PATTERN
            ticket = self._numbered(svc, seq, pattern, LEASED, now, citizen_id, guest_key, priority)
            self._add(session, ticket, withdraw)
        return ticket.view()

    def issue_emergency(self, service: str, slot: int, citizen_id: int | None = None,
                        guest_key: str | None = None, priority: bool = False,
                        withdraw: str | None = None) -> IssuedTicket:
        """Number a ticket in this kiosk's emergency slot (``ticketing.numbers.emergency_seq``)
        and commit it with its outbox row (and ``withdraw``, as ``issue_from_lease``);
        written with the pattern of the service's latest lease (the server's), else
        ``DEFAULT_PATTERN``. Raises ``NumberError`` past 999 a day.
        """
        svc = self._service(service)
        now = self.clock()
        with self.sessions.begin() as session:
            n = self._next_seq(session, now.date(), f"{svc.code}!emergency")
            seq = emergency_seq(slot, n)
            pattern = session.execute(
                sa.select(NumberLease.number_pattern).where(NumberLease.service == svc.code)
                .order_by(NumberLease.id.desc()).limit(1)
            ).scalar_one_or_none() or DEFAULT_PATTERN
            ticket = self._numbered(svc, seq, pattern, EMERGENCY, now, citizen_id, guest_key,
                                    priority)
            self._add(session, ticket, withdraw)
        return ticket.view()

    # -- look-ups

    def _person(self, citizen_id: int | None, guest_key: str | None) -> Any:
        if citizen_id is not None:
            return TicketRow.citizen_id == citizen_id
        if guest_key is not None:
            return TicketRow.guest_key == guest_key
        raise ValueError("give a citizen_id or a guest_key")

    def today_for(self, citizen_id: int | None = None,
                  guest_key: str | None = None) -> list[IssuedTicket]:
        """Every ticket of today for one person, oldest first (waiting or not)."""
        day = self.clock().date()
        with self.sessions() as session:
            rows = session.execute(
                sa.select(TicketRow)
                .where(TicketRow.day == day, self._person(citizen_id, guest_key),
                       TicketRow.status != CANCELLED)
                .order_by(TicketRow.issued_at)
            ).scalars()
            return [r.view() for r in rows]

    def get(self, ticket_id: str) -> IssuedTicket | None:
        with self.sessions() as session:
            row = session.get(TicketRow, ticket_id)
            return row.view() if row else None

    def print_state(self, ticket_id: str) -> str | None:
        with self.sessions() as session:
            row = session.get(TicketRow, ticket_id)
            return row.print_state if row else None

    def unprinted_today(self) -> list[IssuedTicket]:
        """Today's tickets whose printing never succeeded (e.g. after a crash), oldest first."""
        day = self.clock().date()
        with self.sessions() as session:
            rows = session.execute(
                sa.select(TicketRow).where(TicketRow.day == day, TicketRow.print_state != PRINTED)
                .order_by(TicketRow.issued_at)
            ).scalars()
            return [r.view() for r in rows]

    def mark_printed(self, ticket_id: str, ok: bool, error: str | None = None) -> None:
        """Record a print attempt's outcome."""
        with self.sessions.begin() as session:
            row = session.get(TicketRow, ticket_id)
            if row is None:
                return
            row.print_attempts += 1
            row.print_state = PRINTED if ok else PRINT_FAILED
            row.print_error = None if ok else (error or "printer error")[:200]

    def waiting_counts(self) -> dict[str, int]:
        """Today's waiting tickets of this kiosk per service code (its own queue)."""
        day = self.clock().date()
        with self.sessions() as session:
            rows = session.execute(
                sa.select(TicketRow.service, sa.func.count()).where(
                    TicketRow.day == day, TicketRow.status == WAITING)
                .group_by(TicketRow.service)).all()
        return {str(code): int(n) for code, n in rows}

    def queue_figures(self, minutes_per_ticket: float | None) -> QueueFigures:
        """Standalone: people waiting and the estimated wait per service, from this kiosk's
        own queue (``ticketing.estimates.replay_queue``: nobody tells a standalone kiosk
        who was called, so its queue is replayed from today's issue times, one citizen
        every ``minutes_per_ticket``). Unset: every ticket of today counts as waiting and
        the wait is unknown."""
        now = self.clock()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        with self.sessions() as session:
            rows = session.execute(
                sa.select(TicketRow.service, TicketRow.issued_at).where(
                    TicketRow.day == now.date(), TicketRow.status == WAITING)).all()
        issued: dict[str, list[float]] = {}
        for code, at in rows:
            issued.setdefault(str(code), []).append(
                (at.astimezone(now.tzinfo) - midnight).total_seconds() / 60)
        now_min = (now - midnight).total_seconds() / 60
        waiting: dict[str, int] = {}
        wait_min: dict[str, int] = {}
        for code in self.services:
            n, wait = replay_queue(issued.get(code, []), now_min, minutes_per_ticket, 1)
            waiting[code] = n
            if wait is not None:
                wait_min[code] = wait
        return QueueFigures(waiting, wait_min)

    def set_status(self, ticket_id: str, status: str) -> None:
        """Update what the queue did with a ticket (from the server, via sync)."""
        if status not in ALL_STATUSES:
            raise ValueError(f"unknown ticket status {status!r}")
        with self.sessions.begin() as session:
            row = session.get(TicketRow, ticket_id)
            if row is not None:
                row.status = status

    def unsent_ticket_ids(self) -> set[str]:
        """Tickets whose outbox entry the server has not accepted yet."""
        with self.sessions() as session:
            rows = session.execute(
                sa.select(OutboxEntry.ticket_id)
                .where(OutboxEntry.sent_at.is_(None), OutboxEntry.kind == TICKET)
            ).scalars()
            return set(rows)

    # -- outbox

    def pending_outbox(self, limit: int = 100) -> list[tuple[int, str, dict]]:
        """Unsent entries, oldest first, as ``(id, kind, payload)``."""
        now = self.clock()
        with self.sessions() as session:
            rows = session.execute(
                sa.select(OutboxEntry)
                .where(OutboxEntry.sent_at.is_(None), OutboxEntry.refused_at.is_(None),
                       sa.or_(OutboxEntry.next_attempt_at.is_(None),
                              OutboxEntry.next_attempt_at <= now))
                .order_by(OutboxEntry.id).limit(limit)
            ).scalars()
            return [(r.id, r.kind, json.loads(r.payload)) for r in rows]

    def mark_sent(self, entry_id: int) -> None:
        with self.sessions.begin() as session:
            row = session.get(OutboxEntry, entry_id)
            if row is not None and row.sent_at is None:
                row.sent_at = self.clock()

    def mark_failed(self, entry_id: int, error: str, retry_at: datetime) -> None:
        with self.sessions.begin() as session:
            row = session.get(OutboxEntry, entry_id)
            if row is not None:
                row.attempts += 1
                row.last_error = error[:300]
                row.next_attempt_at = retry_at

    # -- for the sync client

    def leased_remaining(self, service: str) -> int:
        """Unused numbers left in today's leased blocks of one service."""
        day = self.clock().date()
        with self.sessions() as session:
            left = session.scalar(
                sa.select(sa.func.sum(NumberLease.last_seq - NumberLease.next_seq + 1)).where(
                    NumberLease.day == day, NumberLease.service == service,
                    NumberLease.next_seq <= NumberLease.last_seq,
                )
            )
        return int(left or 0)

    def mark_ticket_sent(self, ticket_id: str) -> None:
        """The server already has this ticket (numbered online): nothing to upload."""
        with self.sessions.begin() as session:
            session.execute(
                sa.update(OutboxEntry)
                .where(OutboxEntry.ticket_id == ticket_id, OutboxEntry.kind == TICKET,
                       OutboxEntry.sent_at.is_(None))
                .values(sent_at=self.clock())
            )

    def set_survey_url(self, ticket_id: str, survey_url: str | None) -> None:
        """Keep the survey link the server signed for a ticket (printed on reprints)."""
        if not survey_url:
            return
        with self.sessions.begin() as session:
            row = session.get(TicketRow, ticket_id)
            if row is not None and row.survey_url != survey_url:
                row.survey_url = survey_url

    def outbox_backlog(self) -> int:
        """Entries still to send (whatever their retry time); refused ones are not counted."""
        with self.sessions() as session:
            n = session.scalar(
                sa.select(sa.func.count()).select_from(OutboxEntry)
                .where(OutboxEntry.sent_at.is_(None), OutboxEntry.refused_at.is_(None))
            )
        return int(n or 0)

    def mark_refused(self, entry_id: int, reason: str) -> None:
        """The server refused this entry for good: keep it, stop sending it, note why."""
        with self.sessions.begin() as session:
            row = session.get(OutboxEntry, entry_id)
            if row is not None and row.sent_at is None:
                row.attempts += 1
                row.last_error = (reason or "refused")[:300]
                row.refused_at = self.clock()

    def refused_uploads(self) -> list[RefusedUpload]:
        """Tickets the server refused for good, oldest first (for staff and technicians)."""
        with self.sessions() as session:
            rows = session.execute(
                sa.select(OutboxEntry.ticket_id, TicketRow.number, OutboxEntry.last_error)
                .join(TicketRow, TicketRow.id == OutboxEntry.ticket_id)
                .where(OutboxEntry.refused_at.is_not(None), OutboxEntry.sent_at.is_(None))
                .order_by(OutboxEntry.id)
            ).all()
        return [RefusedUpload(tid, number, err or "refused") for tid, number, err in rows]
