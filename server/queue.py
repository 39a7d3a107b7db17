"""The queue's rules as plain functions on a SQLAlchemy session: numbering, issuing,
leases, offline uploads, counter actions, estimates and the display board's state.

Every function expects to run inside one transaction (``Database.session()``); on SQLite
that transaction began with ``BEGIN IMMEDIATE``, on PostgreSQL the daily sequence row is
locked by ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` and waiting tickets are taken
with ``SELECT ... FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import math
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.models import (
    ACTIVE_AT_COUNTER,
    CALLED,
    CANCELLED,
    DONE,
    NO_SHOW,
    OPEN_STATUSES,
    SERVING,
    WAITING,
    AuditLog,
    Counter,
    Kiosk,
    Lease,
    Service,
    Site,
    Ticket,
    TicketEvent,
    User,
    counter_services,
    utcnow,
)

# How far in the future a kiosk's clock may be before its issue time is refused.
CLOCK_SKEW = dt.timedelta(minutes=10)


class QueueError(Exception):
    """A request the queue refuses; ``status`` is the HTTP status to answer with."""

    status = 409

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotFound(QueueError):
    status = 404


class Invalid(QueueError):
    status = 422


# --------------------------------------------------------------------------- time


def zone(site: Site) -> ZoneInfo:
    return ZoneInfo(site.timezone)


def local_day(site: Site, at_utc: dt.datetime | None = None) -> dt.date:
    """The site's local date at ``at_utc`` (naive UTC; default now)."""
    at = (at_utc or utcnow()).replace(tzinfo=dt.UTC)
    return at.astimezone(zone(site)).date()


def to_utc_naive(value: dt.datetime) -> dt.datetime:
    """A naive UTC datetime; naive input is taken as UTC already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def day_bounds_utc(site: Site, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The site's local ``day`` as a [start, end) range of naive UTC datetimes."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone(site))
    end = start + dt.timedelta(days=1)
    return to_utc_naive(start), to_utc_naive(end)


def is_open_now(site: Site | SiteRef, service: Service | ServiceRef,
                at_utc: dt.datetime | None = None) -> bool:
    at = (at_utc or utcnow()).replace(tzinfo=dt.UTC).astimezone(zone(site))
    hhmm = at.strftime("%H:%M")
    return service.opens_at <= hhmm < service.closes_at


# --------------------------------------------------------------------------- numbering


def format_number(settings: QueueServerSettings, service: Service | ServiceRef, seq: int
                  ) -> str:
    return settings.number_pattern.format(prefix=service.prefix, seq=seq, service=service.code)


def reserve_numbers(session: Session, service_id: int, day: dt.date, count: int = 1) -> int:
    """Atomically take ``count`` numbers of ``service_id`` on ``day``; return the last one."""
    return bump_sequences(session, {(service_id, day): (count, 0)})[(service_id, day)][0]


def queue_changed(session: Session, service_id: int, day: dt.date, delta: int) -> None:
    """Record that ``delta`` tickets joined (or, negative, left) the waiting queue of
    ``service_id`` on ``day``. Every status change to or from ``waiting`` calls this (or
    :func:`bump_sequences`) in its own transaction."""
    bump_sequences(session, {(service_id, day): (0, delta)})


@functools.lru_cache(maxsize=64)
def _bump_statement(rows: int) -> sa.TextClause:
    """``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` for ``rows`` (service, day) rows,
    as text: the same SQL on PostgreSQL and SQLite, built once per row count (building it
    with the expression language on every call cost more than running it)."""
    values = ", ".join(f"(:s{i}, :d{i}, :n{i}, :w{i})" for i in range(rows))
    return sa.text(
        f"INSERT INTO daily_sequences (service_id, day, last_seq, waiting) VALUES {values} "
        "ON CONFLICT (service_id, day) DO UPDATE "
        "SET last_seq = daily_sequences.last_seq + excluded.last_seq, "
        "waiting = daily_sequences.waiting + excluded.waiting "
        "RETURNING service_id, day, last_seq, waiting"
    ).bindparams(*(sa.bindparam(f"d{i}", type_=sa.Date) for i in range(rows))).columns(
        service_id=sa.Integer, day=sa.Date, last_seq=sa.Integer, waiting=sa.Integer)


def bump_sequences(session: Session, changes: dict[tuple[int, dt.date], tuple[int, int]]
                   ) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """Add ``(numbers, waiting)`` to the daily row of each ``(service_id, day)``; return the
    rows' new ``(last_seq, waiting)``.

    Taking numbers is adding to ``last_seq``: the new value is the last number taken. One
    statement on both databases: ``INSERT ... VALUES (...), (...) ON CONFLICT DO UPDATE SET
    last_seq = last_seq + excluded.last_seq, ... RETURNING ...``. The rows stay locked until
    the transaction ends, so a rollback gives the numbers back and no two transactions get
    the same ones; they are locked in sorted order, so concurrent callers cannot deadlock.
    """
    if not changes:
        return {}
    keys = sorted(changes)
    params: dict[str, object] = {}
    for i, (service_id, day) in enumerate(keys):
        numbers, waiting = changes[(service_id, day)]
        params.update({f"s{i}": service_id, f"d{i}": day, f"n{i}": numbers, f"w{i}": waiting})
    rows = session.execute(_bump_statement(len(keys)), params)
    return {(service_id, day): (int(last), int(waiting))
            for service_id, day, last, waiting in rows}


_DIGITS = re.compile(r"(\d+)\D*$")


def parse_number(
    settings: QueueServerSettings, service: Service | ServiceRef, number: int | str
) -> int:
    """The sequence of a ticket number given as an int or as printed (``"A012"``)."""
    if isinstance(number, bool):
        raise Invalid("number must be an integer or a printed number like 'A012'")
    if isinstance(number, int):
        seq = number
    else:
        match = _DIGITS.search(number.strip())
        if not match:
            raise Invalid(f"number {number!r} has no digits")
        seq = int(match.group(1))
        if format_number(settings, service, seq) != number.strip():
            raise Invalid(
                f"number {number!r} does not match service {service.code}'s numbers "
                f"(expected like {format_number(settings, service, seq)!r})"
            )
    if seq < 1 or seq > 999_999:
        raise Invalid("number must be between 1 and 999999")
    return seq


# --------------------------------------------------------------------------- estimates


@dataclass
class _Cached:
    value: float
    until: float


_service_minutes: dict[tuple[str, int], _Cached] = {}
_cache_lock = threading.Lock()


def average_service_minutes(
    session: Session, settings: QueueServerSettings, service_id: int
) -> float:
    """Mean of the last ``service_time_sample`` service times (cached for 30 s)."""
    key = (bind_key(session), service_id)
    now = time.monotonic()
    with _cache_lock:
        hit = _service_minutes.get(key)
        if hit and hit.until > now:
            return hit.value
    rows = session.execute(
        sa.select(Ticket.serving_at, Ticket.done_at)
        .where(Ticket.service_id == service_id, Ticket.status == DONE,
               Ticket.serving_at.is_not(None))
        .order_by(Ticket.done_at.desc())
        .limit(settings.service_time_sample)
    ).all()
    times = [(d - s).total_seconds() / 60 for s, d in rows if d and s and d >= s]
    value = sum(times) / len(times) if times else settings.default_service_minutes
    value = max(value, 0.5)
    with _cache_lock:
        _service_minutes[key] = _Cached(value, now + 30)
    return value


def counters_for(session: Session, service_id: int) -> tuple[int, int]:
    """(open counters, all counters) serving the service (cached for a few seconds)."""
    key = (bind_key(session), service_id)
    hit = _counters.get(key)
    if isinstance(hit, tuple):
        return hit
    rows = session.execute(
        sa.select(Counter.is_open, sa.func.count())
        .join(counter_services, counter_services.c.counter_id == Counter.id)
        .where(counter_services.c.service_id == service_id)
        .group_by(Counter.is_open)
    ).all()
    open_ = sum(n for is_open, n in rows if is_open)
    result = (open_, sum(n for _, n in rows))
    _counters.put(key, result)
    return result


def people_ahead(session: Session, ticket: Ticket | NewTicket) -> int:
    if ticket.status != WAITING:
        return 0
    known = getattr(ticket, "ahead_at_issue", None)
    if known is not None:
        return int(known)
    return int(session.scalar(
        sa.select(sa.func.count()).select_from(Ticket).where(
            Ticket.site_id == ticket.site_id,
            Ticket.day == ticket.day,
            Ticket.service_id == ticket.service_id,
            Ticket.status == WAITING,
            sa.or_(Ticket.queue_at < ticket.queue_at,
                   sa.and_(Ticket.queue_at == ticket.queue_at, Ticket.seq < ticket.seq)),
        )
    ) or 0)


def estimate_wait_minutes(
    session: Session, settings: QueueServerSettings, service_id: int, ahead: int
) -> int:
    """Minutes until a ticket with ``ahead`` people before it is called (rounded up)."""
    if ahead <= 0:
        return 0
    open_, total = counters_for(session, service_id)
    counters = max(open_ or total, 1)
    return math.ceil(ahead * average_service_minutes(session, settings, service_id) / counters)


def waiting_counts(session: Session, site: Site, day: dt.date) -> dict[int, int]:
    rows = session.execute(
        sa.select(Ticket.service_id, sa.func.count())
        .where(Ticket.site_id == site.id, Ticket.day == day, Ticket.status == WAITING)
        .group_by(Ticket.service_id)
    ).all()
    return {sid: n for sid, n in rows}


# --------------------------------------------------------------------------- issuing


@dataclass
class TicketRequest:
    """What a kiosk sends for one ticket."""

    id: uuid.UUID
    service: str
    priority: bool = False
    citizen_id: str | None = None
    issued_at: dt.datetime | None = None
    number: int | str | None = None


@dataclass
class NewTicket:
    """A ticket just stored, as plain data: what the API answers with, without the cost of
    an ORM object on the hot path. Same attribute names as :class:`Ticket`."""

    id: str
    site_id: int
    service_id: int
    number_service_id: int
    day: dt.date
    seq: int
    number: str
    priority: bool
    citizen_id: str | None
    kiosk_id: int | None
    offline: bool
    status: str
    issued_at: dt.datetime
    queue_at: dt.datetime
    received_at: dt.datetime
    recalls: int = 0
    ahead_at_issue: int | None = None
    called_at: dt.datetime | None = None
    serving_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    no_show_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    counter_id: int | None = None
    staff_id: int | None = None
    transferred_from_id: int | None = None


@dataclass(frozen=True)
class ServiceRef:
    """What issuing needs of a service, cached for a few seconds per process."""

    id: int
    site_id: int
    code: str
    prefix: str
    name_vi: str
    name_en: str
    opens_at: str
    closes_at: str
    daily_cap: int | None
    sort_order: int


@dataclass(frozen=True)
class SiteRef:
    id: int
    code: str
    name: str
    timezone: str


@dataclass(frozen=True)
class KioskRef:
    id: int
    site_id: int
    name: str


CACHE_SECONDS = 10.0


class TTLCache:
    """A small thread-safe cache whose entries live ``ttl`` seconds. It keeps the hot path
    of issuing (kiosk token, service, counters) off the database; changes made elsewhere
    (a disabled kiosk, a new catalogue) reach a running server within ``ttl``."""

    def __init__(self, ttl: float = CACHE_SECONDS, size: int = 10000) -> None:
        self.ttl = ttl
        self.size = size
        self._data: dict[object, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: object) -> object | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is None or hit[0] < time.monotonic():
                return None
            return hit[1]

    def put(self, key: object, value: object) -> None:
        # Each entry lives between 3/4 and all of ttl: entries filled together (every kiosk
        # on a server's first minute) do not all expire in the same instant and send their
        # queries in one burst.
        ttl = self.ttl * (0.75 + 0.25 * random.random())
        with self._lock:
            if len(self._data) >= self.size:
                self._data.clear()
            self._data[key] = (time.monotonic() + ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_services = TTLCache()
_counters = TTLCache()


def bind_key(session: Session) -> object:
    """What the caches key a database by: its engine, by identity (hashing its URL renders
    the URL as text, which costs more than the query a cache saves)."""
    return session.get_bind()


def service_ref(service: Service) -> ServiceRef:
    return ServiceRef(service.id, service.site_id, service.code, service.prefix,
                      service.name_vi, service.name_en, service.opens_at, service.closes_at,
                      service.daily_cap, service.sort_order)


def find_service(session: Session, site: Site | SiteRef, code: str) -> ServiceRef:
    """The active service ``code`` of the site (cached for a few seconds)."""
    key = (bind_key(session), "code", site.id, code)
    hit = _services.get(key)
    if isinstance(hit, ServiceRef):
        return hit
    service = session.scalar(
        sa.select(Service).where(Service.site_id == site.id, Service.code == code,
                                 Service.active.is_(True))
    )
    if service is None:
        raise Invalid(f"unknown service {code!r} at site {site.code}")
    ref = service_ref(service)
    _services.put(key, ref)
    return ref


def service_by_id(session: Session, service_id: int) -> ServiceRef:
    key = (bind_key(session), "id", service_id)
    hit = _services.get(key)
    if isinstance(hit, ServiceRef):
        return hit
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound(f"no service {service_id}")
    ref = service_ref(service)
    _services.put(key, ref)
    return ref


def add_event(session: Session, ticket: Ticket, kind: str, at: dt.datetime, *,
              counter_id: int | None = None, staff_id: int | None = None,
              kiosk_id: int | None = None, detail: str = "") -> None:
    session.add(TicketEvent(
        ticket=ticket, site_id=ticket.site_id, kind=kind, at=at,
        service_id=ticket.service_id, counter_id=counter_id, staff_id=staff_id,
        kiosk_id=kiosk_id, detail=detail[:200],
    ))


def get_existing(session: Session, kiosk: Kiosk, ticket_id: uuid.UUID | str) -> Ticket | None:
    """The ticket with this id, if stored; a ticket of another site is a conflict."""
    ticket = session.get(Ticket, str(ticket_id))
    if ticket is not None and ticket.site_id != kiosk.site_id:
        raise QueueError("this ticket id is already used at another site", 409)
    return ticket


def _chunks(items: list, size: int = 500):  # type: ignore[no-untyped-def]
    for i in range(0, len(items), size):
        yield items[i:i + size]


def stored_tickets(session: Session, ids: list[str]) -> dict[str, Ticket]:
    """The tickets among ``ids`` that are stored already, by id."""
    stored: dict[str, Ticket] = {}
    for chunk in _chunks(sorted(set(ids))):
        for t in session.scalars(sa.select(Ticket).where(Ticket.id.in_(chunk))):
            stored[t.id] = t
    return stored


def _issued_event(row: dict, detail: str = "") -> dict:
    """The "issued" timeline event of a ticket row about to be inserted."""
    return dict(ticket_id=row["id"], site_id=row["site_id"], kind="issued",
                at=row["issued_at"], service_id=row["service_id"], kiosk_id=row["kiosk_id"],
                detail=detail)


_tickets = Ticket.__table__
_NEW_TICKET_COLUMNS = ("id", "site_id", "service_id", "number_service_id", "day", "seq",
                       "number", "priority", "citizen_id", "kiosk_id", "offline", "status",
                       "issued_at", "queue_at", "received_at", "recalls")
_TYPED_COLUMNS = ("day", "priority", "offline", "issued_at", "queue_at", "received_at")
_INSERT_EVENTS = sa.insert(TicketEvent.__table__)


class IdsTaken(Exception):
    """Some ids given to :func:`issue_online` were already stored (without ``precheck``:
    a kiosk sent a ticket again; with it: another transaction stored the same id at the
    same moment). Roll back, then retry with ``precheck=True`` or one ticket at a time."""


# PostgreSQL: every new ticket and its "issued" event in one statement whatever the
# batch size: one array per column (unnest), a data-modifying CTE for the events. The text
# never changes, so the server prepares it once per connection.
_INSERT_NEW_PG = sa.text("""
WITH t AS (
  INSERT INTO tickets (id, site_id, service_id, number_service_id, day, seq, number,
                       priority, citizen_id, kiosk_id, offline, status, issued_at, queue_at,
                       received_at, recalls)
  SELECT u.id, u.site_id, u.service_id, u.service_id, u.day, u.seq, u.number, u.priority,
         u.citizen_id, u.kiosk_id, false, 'waiting', u.at, u.at, u.at, 0
  FROM unnest(CAST(:id AS varchar[]), CAST(:site_id AS integer[]),
              CAST(:service_id AS integer[]), CAST(:day AS date[]), CAST(:seq AS integer[]),
              CAST(:number AS varchar[]), CAST(:priority AS boolean[]),
              CAST(:citizen_id AS varchar[]), CAST(:kiosk_id AS integer[]),
              CAST(:at AS timestamp[]))
       AS u(id, site_id, service_id, day, seq, number, priority, citizen_id, kiosk_id, at)
  ON CONFLICT (id) DO NOTHING
  RETURNING id, site_id, service_id, kiosk_id, issued_at)
INSERT INTO ticket_events (ticket_id, site_id, kind, at, service_id, kiosk_id, detail)
SELECT id, site_id, 'issued', issued_at, service_id, kiosk_id, '' FROM t
RETURNING ticket_id
""")
_PG_ARRAYS = ("id", "site_id", "service_id", "day", "seq", "number", "priority", "citizen_id",
              "kiosk_id")


@functools.lru_cache(maxsize=512)
def _insert_tickets_sqlite(rows: int) -> sa.TextClause:
    """SQLite: a multi-row ``INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id``, built
    once per row count."""
    columns = ", ".join(_NEW_TICKET_COLUMNS)
    values = ", ".join("(" + ", ".join(f":{c}{i}" for c in _NEW_TICKET_COLUMNS) + ")"
                       for i in range(rows))
    binds = [sa.bindparam(f"{c}{i}", type_=_tickets.c[c].type)
             for i in range(rows) for c in _TYPED_COLUMNS]
    return sa.text(f"INSERT INTO tickets ({columns}) VALUES {values} "
                   "ON CONFLICT (id) DO NOTHING RETURNING id").bindparams(*binds)


def _insert_new_tickets(session: Session, rows: list[dict]) -> set[str]:
    """Insert online tickets (all of one issue time) and their "issued" events; return
    the ids written (an id already stored is skipped, not an error)."""
    if session.get_bind().dialect.name == "postgresql":
        params = {c: [row[c] for row in rows] for c in _PG_ARRAYS}
        params["at"] = [row["issued_at"] for row in rows]
        return set(session.scalars(_INSERT_NEW_PG, params))
    written: set[str] = set()
    for chunk in _chunks(rows, 50):
        params = {f"{c}{i}": row[c] for i, row in enumerate(chunk) for c in _NEW_TICKET_COLUMNS}
        new = set(session.scalars(_insert_tickets_sqlite(len(chunk)), params))
        written |= new
        if new:
            session.execute(_INSERT_EVENTS,
                            [_issued_event(row) for row in chunk if row["id"] in new])
    return written


def issue_online(
    session: Session,
    settings: QueueServerSettings,
    items: list[tuple[Site | SiteRef, Kiosk | KioskRef, TicketRequest]],
    *,
    now: dt.datetime | None = None,
    precheck: bool = True,
) -> list[tuple[Ticket | NewTicket, bool] | QueueError]:
    """Number and store tickets issued online, many at once; one result per item, in order:
    ``(ticket, created)`` or the :class:`QueueError` that refused that item alone.

    This is the hot path of issuing. Requests of several kiosks that arrive together share
    one transaction and, however many tickets, two statements on PostgreSQL: the numbers
    and queue lengths of every (service, day) at once (:func:`bump_sequences`), then the
    tickets with their events (:func:`_insert_new_tickets`). Within a group numbers follow
    the order of ``items``. With ``precheck`` (the default) ids already stored are looked
    up first and answered as such; without it the caller bets that none is, and gets
    :class:`IdsTaken` (roll back, retry with the precheck) when one was.
    """
    now = now or utcnow()
    ids = [str(req.id) for _, _, req in items]
    results: list[tuple[Ticket | NewTicket, bool] | QueueError | None] = [None] * len(items)
    stored = stored_tickets(session, ids) if precheck else {}
    groups: dict[tuple[int, dt.date], list[int]] = {}
    services: dict[int, ServiceRef] = {}
    first_of: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for i, (site, kiosk, req) in enumerate(items):
        tid = ids[i]
        if tid in stored:
            t = stored[tid]
            results[i] = (t, False) if t.site_id == kiosk.site_id else QueueError(
                "this ticket id is already used at another site", 409)
            continue
        if tid in first_of:  # the same id twice at once: a kiosk retrying quickly
            repeats[i] = first_of[tid]
            continue
        first_of[tid] = i
        try:
            if req.number is not None:
                raise Invalid("a ticket with a number is an offline ticket; upload it")
            service = find_service(session, site, req.service)
            if settings.enforce_open_hours and not is_open_now(site, service, now):
                raise QueueError(f"service {service.code} is closed now (open "
                                 f"{service.opens_at}-{service.closes_at})", 409)
        except QueueError as exc:
            results[i] = exc
            continue
        services[service.id] = service
        groups.setdefault((service.id, local_day(site, now)), []).append(i)
    # Numbers and queue lengths of every group in one statement; everyone waiting before
    # the group joined is ahead of its first ticket.
    after = bump_sequences(session, {key: (len(members), len(members))
                                     for key, members in groups.items()})
    rows = []
    for (service_id, day), members in sorted(groups.items()):
        service = services[service_id]
        last, waiting = after[(service_id, day)]
        first = last - len(members) + 1
        ahead = waiting - len(members)
        if service.daily_cap is not None and last > service.daily_cap:
            allowed = max(0, service.daily_cap - first + 1)
            refused = len(members) - allowed
            bump_sequences(session, {(service_id, day): (-refused, -refused)})  # give back
            for i in members[allowed:]:
                results[i] = QueueError(f"service {service.code} reached its daily cap of "
                                        f"{service.daily_cap} tickets", 409)
            members = members[:allowed]
        for n, i in enumerate(members):
            _site, kiosk, req = items[i]
            seq = first + n
            values = dict(
                id=ids[i], site_id=service.site_id, service_id=service_id,
                number_service_id=service_id, day=day, seq=seq,
                number=format_number(settings, service, seq), priority=bool(req.priority),
                citizen_id=req.citizen_id, kiosk_id=kiosk.id, offline=False, status=WAITING,
                issued_at=now, queue_at=now, received_at=now, recalls=0,
            )
            rows.append(values)
            results[i] = (NewTicket(**values, ahead_at_issue=ahead + n), True)
    if rows and len(_insert_new_tickets(session, rows)) < len(rows):
        raise IdsTaken  # nothing of this transaction may stay: the caller rolls back
    for i, j in repeats.items():
        first_result = results[j]
        if isinstance(first_result, tuple) and items[i][1].site_id != items[j][1].site_id:
            results[i] = QueueError("this ticket id is already used at another site", 409)
        else:
            results[i] = (first_result[0], False) if isinstance(first_result, tuple) else (
                first_result)
    return [r for r in results if r is not None]


def issue_ticket(
    session: Session,
    settings: QueueServerSettings,
    site: Site | SiteRef,
    kiosk: Kiosk | KioskRef,
    req: TicketRequest,
    *,
    now: dt.datetime | None = None,
) -> tuple[Ticket, bool]:
    """Store one ticket; return it and whether it was created (False: already stored).

    Without ``number`` the server numbers it now (online, :func:`issue_online`). With
    ``number`` it is a ticket the kiosk issued offline from one of its leases, for the
    local day of ``issued_at``; it joins the queue at its issue time.
    """
    now = now or utcnow()
    if req.number is None:
        result = issue_online(session, settings, [(site, kiosk, req)], now=now)[0]
        if isinstance(result, QueueError):
            raise result
        return result
    tid = str(req.id)
    stored_site = session.execute(
        sa.select(Ticket.site_id).where(Ticket.id == tid)).scalar_one_or_none()
    if stored_site is not None:
        existing = get_existing(session, kiosk, tid)
        assert existing is not None
        return existing, False
    service = find_service(session, site, req.service)
    issued_at = to_utc_naive(req.issued_at) if req.issued_at else now
    if issued_at > now + CLOCK_SKEW:
        raise Invalid("issued_at is in the future; check the kiosk's clock")
    day = local_day(site, issued_at)
    seq = parse_number(settings, service, req.number)
    lease = session.scalar(
        sa.select(Lease.id).where(
            Lease.kiosk_id == kiosk.id, Lease.service_id == service.id, Lease.day == day,
            Lease.first_seq <= seq, Lease.last_seq >= seq,
        ).limit(1)
    )
    if lease is None:
        raise QueueError(
            f"number {format_number(settings, service, seq)} of {day} is not in a lease "
            "of this kiosk", 409)
    taken = session.scalar(
        sa.select(Ticket.id).where(Ticket.number_service_id == service.id,
                                   Ticket.day == day, Ticket.seq == seq)
    )
    if taken is not None:
        raise QueueError(
            f"number {format_number(settings, service, seq)} of {day} is already used "
            "by another ticket", 409)
    values = dict(
        id=tid, site_id=site.id, service_id=service.id, number_service_id=service.id,
        day=day, seq=seq, number=format_number(settings, service, seq),
        priority=bool(req.priority), citizen_id=req.citizen_id, kiosk_id=kiosk.id,
        offline=True, status=WAITING, issued_at=issued_at, queue_at=issued_at,
        received_at=now, recalls=0,
    )
    session.execute(sa.insert(Ticket.__table__), values)
    session.execute(_INSERT_EVENTS, _issued_event(values, "offline"))
    queue_changed(session, service.id, day, +1)
    return NewTicket(**values), True


@dataclass
class UploadResult:
    """The outcome of one ticket of a batch upload."""

    result: str  # "created", "existing" or "rejected"
    status: int
    ticket: Ticket | None = None
    error: str | None = None



def upload_tickets(
    session: Session,
    settings: QueueServerSettings,
    site: Site | SiteRef,
    kiosk: Kiosk | KioskRef,
    reqs: list[TicketRequest],
    *,
    now: dt.datetime | None = None,
) -> list[UploadResult]:
    """Store a batch of tickets (idempotent by id), one result per request, in order.

    Offline tickets (with a number) are checked in bulk: a few queries for the stored ids,
    the kiosk's leases and the numbers already used, then one multi-row insert. Tickets
    without a number are numbered one by one, like online issuing. The caller retries the
    batch one ticket at a time if a concurrent upload makes the bulk insert conflict.
    """
    now = now or utcnow()
    ids = [str(r.id) for r in reqs]
    stored = stored_tickets(session, ids)
    results: list[UploadResult | None] = [None] * len(reqs)
    pending: list[tuple[int, TicketRequest, ServiceRef, dt.datetime, dt.date, int]] = []
    seen_ids: dict[str, int] = {}
    for i, req in enumerate(reqs):
        tid = ids[i]
        if tid in stored:
            t = stored[tid]
            results[i] = (UploadResult("existing", 200, t) if t.site_id == site.id else
                          UploadResult("rejected", 409, error="this ticket id is already "
                                       "used at another site"))
            continue
        if tid in seen_ids:
            results[i] = UploadResult("rejected", 409, error="the same id appears twice in "
                                      "this batch")
            continue
        seen_ids[tid] = i
        try:
            if req.number is None:
                with session.begin_nested():
                    ticket, created = issue_ticket(session, settings, site, kiosk, req,
                                                   now=now)
                results[i] = UploadResult("created" if created else "existing",
                                          201 if created else 200, ticket)
                continue
            service = find_service(session, site, req.service)
            issued_at = to_utc_naive(req.issued_at) if req.issued_at else now
            if issued_at > now + CLOCK_SKEW:
                raise Invalid("issued_at is in the future; check the kiosk's clock")
            seq = parse_number(settings, service, req.number)
            pending.append((i, req, service, issued_at, local_day(site, issued_at), seq))
        except QueueError as exc:
            results[i] = UploadResult("rejected", exc.status, error=exc.message)
    if pending:
        groups = {(p[2].id, p[4]) for p in pending}
        leases: dict[tuple[int, dt.date], list[tuple[int, int]]] = {}
        taken: set[tuple[int, dt.date, int]] = set()
        for service_id, day in groups:
            seqs = [p[5] for p in pending if p[2].id == service_id and p[4] == day]
            leases[(service_id, day)] = [tuple(r) for r in session.execute(
                sa.select(Lease.first_seq, Lease.last_seq).where(
                    Lease.kiosk_id == kiosk.id, Lease.service_id == service_id,
                    Lease.day == day))]
            taken.update((service_id, day, s) for s in session.scalars(
                sa.select(Ticket.seq).where(
                    Ticket.number_service_id == service_id, Ticket.day == day,
                    Ticket.seq >= min(seqs), Ticket.seq <= max(seqs))))
        rows = []
        for i, req, service, issued_at, day, seq in pending:
            number = format_number(settings, service, seq)
            if not any(a <= seq <= b for a, b in leases[(service.id, day)]):
                results[i] = UploadResult("rejected", 409, error=f"number {number} of {day} "
                                          "is not in a lease of this kiosk")
                continue
            if (service.id, day, seq) in taken:
                results[i] = UploadResult("rejected", 409, error=f"number {number} of {day} "
                                          "is already used by another ticket")
                continue
            taken.add((service.id, day, seq))
            values = dict(
                id=ids[i], site_id=site.id, service_id=service.id,
                number_service_id=service.id, day=day, seq=seq, number=number,
                priority=bool(req.priority), citizen_id=req.citizen_id, kiosk_id=kiosk.id,
                offline=True, status=WAITING, issued_at=issued_at, queue_at=issued_at,
                received_at=now, recalls=0,
            )
            rows.append(values)
            results[i] = UploadResult("created", 201, NewTicket(**values))
        for chunk in _chunks(rows):
            session.execute(sa.insert(Ticket), chunk)
            session.execute(_INSERT_EVENTS, [_issued_event(row, "offline") for row in chunk])
        joined = collections.Counter((row["service_id"], row["day"]) for row in rows)
        bump_sequences(session, {key: (0, n) for key, n in joined.items()})
    return [r for r in results if r is not None]


def lease_numbers(
    session: Session, settings: QueueServerSettings, site: Site, kiosk: Kiosk,
    service_code: str, size: int | None, *, now: dt.datetime | None = None,
) -> tuple[Lease, Service]:
    """Reserve a block of today's numbers of a service for the kiosk's offline use."""
    size = size or settings.lease_block_size
    if size < 1 or size > settings.max_lease_size:
        raise Invalid(f"size must be between 1 and {settings.max_lease_size}")
    service = find_service(session, site, service_code)
    day = local_day(site, now)
    last = reserve_numbers(session, service.id, day, size)
    lease = Lease(site_id=site.id, service_id=service.id, kiosk_id=kiosk.id, day=day,
                  first_seq=last - size + 1, last_seq=last, created_at=now or utcnow())
    session.add(lease)
    session.flush()
    return lease, service


def citizen_open_tickets(session: Session, site: Site, citizen_id: str) -> list[Ticket]:
    return list(session.scalars(
        sa.select(Ticket).where(
            Ticket.site_id == site.id, Ticket.day == local_day(site),
            Ticket.citizen_id == citizen_id, Ticket.status.in_(OPEN_STATUSES),
        ).order_by(Ticket.queue_at)
    ))


def cancel_ticket(session: Session, site: Site, kiosk: Kiosk, ticket_id: str) -> Ticket:
    ticket = session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None or ticket.site_id != site.id:
        raise NotFound("no such ticket at this site")
    if ticket.status == CANCELLED:
        return ticket
    if ticket.status != WAITING:
        raise QueueError(f"ticket {ticket.number} is {ticket.status} and cannot be cancelled")
    now = utcnow()
    ticket.status = CANCELLED
    ticket.cancelled_at = now
    queue_changed(session, ticket.service_id, ticket.day, -1)
    add_event(session, ticket, "cancelled", now, kiosk_id=kiosk.id)
    return ticket


# --------------------------------------------------------------------------- counters


def audit(session: Session, user: User | None, action: str, *, site_id: int | None = None,
          ticket: Ticket | None = None, counter: Counter | None = None,
          detail: str = "") -> None:
    session.add(AuditLog(
        at=utcnow(), user_id=user.id if user else None,
        site_id=site_id or (counter.site_id if counter else None),
        action=action, ticket_id=ticket.id if ticket else None,
        counter_id=counter.id if counter else None, detail=detail,
    ))


def get_counter(session: Session, user: User, counter_id: int, *, lock: bool = False
                ) -> Counter:
    counter = session.get(Counter, counter_id, with_for_update=lock or None)
    if counter is None or (user.site_id is not None and counter.site_id != user.site_id):
        raise NotFound("no such counter at your site")
    return counter


def current_ticket(session: Session, counter: Counter) -> Ticket | None:
    return session.scalar(
        sa.select(Ticket).where(Ticket.counter_id == counter.id,
                                Ticket.status.in_(ACTIVE_AT_COUNTER))
        .order_by(Ticket.called_at.desc()).limit(1)
    )


def counter_queue(session: Session, counter: Counter, limit: int = 50) -> list[Ticket]:
    """Waiting tickets of the counter's services, in the order call next takes them
    (ignoring the priority interleave)."""
    site = session.get(Site, counter.site_id)
    assert site is not None
    ids = [s.id for s in counter.services if s.active]
    if not ids:
        return []
    return list(session.scalars(
        sa.select(Ticket).where(
            Ticket.site_id == site.id, Ticket.day == local_day(site),
            Ticket.service_id.in_(ids), Ticket.status == WAITING,
        ).order_by(Ticket.priority.desc(), Ticket.queue_at, Ticket.seq).limit(limit)
    ))


def _oldest_waiting(session: Session, site: Site, service_ids: list[int], priority: bool
                    ) -> Ticket | None:
    stmt = (
        sa.select(Ticket).where(
            Ticket.site_id == site.id, Ticket.day == local_day(site),
            Ticket.service_id.in_(service_ids), Ticket.status == WAITING,
            Ticket.priority.is_(priority),
        ).order_by(Ticket.queue_at, Ticket.seq).limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Ticket)
    return session.scalar(stmt)


def _finish_current(session: Session, counter: Counter, user: User, now: dt.datetime) -> None:
    current = current_ticket(session, counter)
    if current is None:
        return
    if current.status == CALLED:
        raise QueueError(
            f"ticket {current.number} is still called at this counter: start it, recall it, "
            "mark it no-show or transfer it first")
    current.status = DONE
    current.done_at = now
    add_event(session, current, "done", now, counter_id=counter.id, staff_id=user.id)
    audit(session, user, "complete", ticket=current, counter=counter)


def _call(session: Session, ticket: Ticket, counter: Counter, user: User, now: dt.datetime,
          action: str) -> Ticket:
    if ticket.status == WAITING:
        queue_changed(session, ticket.service_id, ticket.day, -1)
    ticket.status = CALLED
    ticket.counter_id = counter.id
    ticket.staff_id = user.id
    ticket.called_at = now
    ticket.recalls = 0
    counter.is_open = True
    add_event(session, ticket, "called", now, counter_id=counter.id, staff_id=user.id)
    audit(session, user, action, ticket=ticket, counter=counter)
    session.flush()
    return ticket


def call_next(session: Session, settings: QueueServerSettings, user: User, counter_id: int
              ) -> Ticket | None:
    """Call the next ticket to the counter (finishing the one being served).

    The oldest waiting ticket among the counter's services, priority tickets first but
    at most ``priority_ratio`` of them in a row while normal tickets wait. None when no
    one waits.
    """
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    _finish_current(session, counter, user, now)
    site = session.get(Site, counter.site_id)
    assert site is not None
    ids = [s.id for s in counter.services if s.active]
    if not ids:
        raise QueueError("this counter serves no service")
    prio = _oldest_waiting(session, site, ids, True)
    normal = None
    if prio is None or counter.priority_streak >= settings.priority_ratio:
        normal = _oldest_waiting(session, site, ids, False)
    if prio is not None and (normal is None or counter.priority_streak < settings.priority_ratio):
        ticket = prio
        counter.priority_streak += 1
    else:
        ticket = normal
        if ticket is not None:
            counter.priority_streak = 0
    counter.is_open = True
    if ticket is None:
        return None
    return _call(session, ticket, counter, user, now, "call_next")


def call_number(session: Session, user: User, counter_id: int, number: str) -> Ticket:
    """Call a specific waiting (or no-show) ticket of today by its printed number."""
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    site = session.get(Site, counter.site_id)
    assert site is not None
    number = number.strip().upper()
    candidates = list(session.scalars(
        sa.select(Ticket).where(Ticket.site_id == site.id, Ticket.day == local_day(site),
                                Ticket.number == number)
        .with_for_update()
    ))
    ticket = next((t for t in candidates if t.status in (WAITING, NO_SHOW)), None)
    if ticket is None:
        if candidates:
            raise QueueError(f"ticket {number} is {candidates[0].status} and cannot be called")
        raise NotFound(f"no ticket {number} today")
    _finish_current(session, counter, user, now)
    return _call(session, ticket, counter, user, now, "call_number")


def _require_current(session: Session, counter: Counter, statuses: tuple[str, ...]) -> Ticket:
    ticket = current_ticket(session, counter)
    if ticket is None:
        raise QueueError("no ticket at this counter")
    if ticket.status not in statuses:
        raise QueueError(f"ticket {ticket.number} is {ticket.status}")
    return ticket


def recall(session: Session, settings: QueueServerSettings, user: User, counter_id: int
           ) -> Ticket:
    """Announce the called ticket again; past ``max_recalls`` it becomes a no-show."""
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (CALLED,))
    if ticket.recalls >= settings.max_recalls:
        return _no_show(session, ticket, counter, user, now, "auto no-show after recalls")
    ticket.recalls += 1
    add_event(session, ticket, "recalled", now, counter_id=counter.id, staff_id=user.id,
              detail=str(ticket.recalls))
    audit(session, user, "recall", ticket=ticket, counter=counter)
    return ticket


def _no_show(session: Session, ticket: Ticket, counter: Counter, user: User,
             now: dt.datetime, detail: str = "") -> Ticket:
    ticket.status = NO_SHOW
    ticket.no_show_at = now
    add_event(session, ticket, "no_show", now, counter_id=counter.id, staff_id=user.id,
              detail=detail)
    audit(session, user, "no_show", ticket=ticket, counter=counter, detail=detail)
    return ticket


def no_show(session: Session, user: User, counter_id: int) -> Ticket:
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (CALLED,))
    return _no_show(session, ticket, counter, user, utcnow())


def start(session: Session, user: User, counter_id: int) -> Ticket:
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (CALLED,))
    ticket.status = SERVING
    ticket.serving_at = now
    ticket.staff_id = user.id
    add_event(session, ticket, "serving", now, counter_id=counter.id, staff_id=user.id)
    audit(session, user, "start", ticket=ticket, counter=counter)
    return ticket


def complete(session: Session, user: User, counter_id: int) -> Ticket:
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (CALLED, SERVING))
    if ticket.serving_at is None:
        ticket.serving_at = ticket.called_at or now
    ticket.status = DONE
    ticket.done_at = now
    add_event(session, ticket, "done", now, counter_id=counter.id, staff_id=user.id)
    audit(session, user, "complete", ticket=ticket, counter=counter)
    return ticket


def transfer(session: Session, user: User, counter_id: int, service_code: str) -> Ticket:
    """Send the counter's ticket to another service's queue, keeping its issue time."""
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (CALLED, SERVING))
    site = session.get(Site, counter.site_id)
    assert site is not None
    target = find_service(session, site, service_code)
    if target.id == ticket.service_id:
        raise Invalid("the ticket is already in that service")
    ticket.transferred_from_id = ticket.service_id
    ticket.service_id = target.id
    ticket.status = WAITING
    queue_changed(session, target.id, ticket.day, +1)
    ticket.counter_id = None
    ticket.called_at = None
    ticket.serving_at = None
    ticket.recalls = 0
    add_event(session, ticket, "transferred", now, counter_id=counter.id, staff_id=user.id,
              detail=f"to {target.code}")
    audit(session, user, "transfer", ticket=ticket, counter=counter, detail=target.code)
    return ticket


def set_counter_open(session: Session, user: User, counter_id: int, is_open: bool) -> Counter:
    counter = get_counter(session, user, counter_id, lock=True)
    counter.is_open = is_open
    audit(session, user, "open_counter" if is_open else "close_counter", counter=counter)
    return counter


# --------------------------------------------------------------------------- board


def board_state(session: Session, settings: QueueServerSettings, site: Site) -> dict:
    """What the display board shows: calls per counter, the last calls, waiting counts."""
    day = local_day(site)
    start, _ = day_bounds_utc(site, day)
    services = list(session.scalars(
        sa.select(Service).where(Service.site_id == site.id, Service.active.is_(True))
        .order_by(Service.sort_order)
    ))
    waiting = waiting_counts(session, site, day)
    counters = {c.id: c for c in session.scalars(
        sa.select(Counter).where(Counter.site_id == site.id))}
    by_id = {s.id: s for s in services}
    last_id = session.scalar(
        sa.select(sa.func.max(TicketEvent.id)).where(TicketEvent.site_id == site.id)) or 0
    rows = session.execute(
        sa.select(TicketEvent.id, TicketEvent.kind, TicketEvent.at, TicketEvent.counter_id,
                  Ticket.number, Ticket.service_id)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.site_id == site.id, TicketEvent.kind.in_(("called", "recalled")),
               TicketEvent.at >= start)
        .order_by(TicketEvent.id.desc()).limit(settings.board_recent_calls)
    ).all()
    recent = []
    for eid, kind, at, counter_id, number, service_id in rows:
        c = counters.get(counter_id)
        recent.append({
            "event_id": eid, "kind": kind, "at": at.replace(tzinfo=dt.UTC).isoformat(),
            "number": number, "counter": c.number if c else None,
            "counter_name": c.name if c else "", "service": by_id[service_id].code
            if service_id in by_id else "",
        })
    active = session.execute(
        sa.select(Ticket.number, Ticket.status, Ticket.counter_id, Ticket.service_id,
                  Ticket.called_at)
        .where(Ticket.site_id == site.id, Ticket.day == day,
               Ticket.status.in_(ACTIVE_AT_COUNTER))
    ).all()
    at_counter = []
    for number, status, counter_id, service_id, _called in active:
        c = counters.get(counter_id)
        if c is None:
            continue
        at_counter.append({"counter": c.number, "counter_name": c.name, "number": number,
                           "status": status,
                           "service": by_id[service_id].code if service_id in by_id else ""})
    at_counter.sort(key=lambda r: r["counter"])
    return {
        "site": site.code,
        "site_name": site.name,
        "day": day.isoformat(),
        "last_event_id": last_id,
        "serving": at_counter,
        "recent_calls": recent,
        "services": [
            {"code": s.code, "prefix": s.prefix, "name_vi": s.name_vi, "name_en": s.name_en,
             "waiting": waiting.get(s.id, 0)}
            for s in services
        ],
    }


def last_event_id(session: Session, site_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.max(TicketEvent.id)).where(TicketEvent.site_id == site_id)) or 0
