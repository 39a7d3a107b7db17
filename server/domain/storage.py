"""Writing tickets and their timeline events: the bulk inserts of the issuing hot path,
the "issued" event, looking up ids already stored or withdrawn, and the ids' advisory
locks that order issuing and withdrawing the same id."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from collections.abc import Iterator
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.domain.refs import KioskRef
from server.errors import QueueError
from server.models import Kiosk, Service, Ticket, TicketEvent, WithdrawnTicket

_T = TypeVar("_T")

def add_event(session: Session, ticket: Ticket, kind: str, at: dt.datetime, *,
              counter_id: int | None = None, staff_id: int | None = None,
              kiosk_id: int | None = None, detail: str = "") -> None:
    """Add a timeline event of ``ticket`` (``at``: naive UTC; ``detail`` cut to 200 characters)."""
    session.add(TicketEvent(
        ticket=ticket, site_id=ticket.site_id, kind=kind, at=at,
        service_id=ticket.service_id, counter_id=counter_id, staff_id=staff_id,
        kiosk_id=kiosk_id, detail=detail[:200],
    ))


def get_existing(session: Session, kiosk: Kiosk | KioskRef, ticket_id: uuid.UUID | str
                 ) -> Ticket | None:
    """The ticket with this id, if stored; a ticket of another site is a conflict."""
    ticket = session.get(Ticket, str(ticket_id))
    if ticket is not None and ticket.site_id != kiosk.site_id:
        raise QueueError("this ticket id is already used at another site", 409,
                         reason="id_elsewhere")
    return ticket


ID_REUSED = "id_reused"


def same_request(session: Session, ticket: Ticket, req: object) -> bool:
    """True if ``req`` (a :class:`~server.domain.records.TicketRequest`) asks for the ticket
    already stored under its id: same service, priority, citizen and (offline) number. A
    kiosk resending a ticket sends the same body; a different body under a used id is a
    bug or an attack and is answered 409, not with the stored ticket."""
    service = session.get(Service, ticket.number_service_id)
    number = getattr(req, "number", None)
    if isinstance(number, int) and not isinstance(number, bool):
        same_number = number == ticket.seq
    else:
        same_number = number is None or not ticket.offline or str(number) == ticket.number
    return (service is not None and service.code == getattr(req, "service", None)
            and bool(getattr(req, "priority", False)) == bool(ticket.priority)
            and getattr(req, "citizen_id", None) == ticket.citizen_id and same_number)


def reused_id() -> QueueError:
    """The refusal of a known ticket id sent with a different body."""
    return QueueError("this ticket id was already used for a different ticket (service, "
                      "priority, citizen or number differ)", 409, reason=ID_REUSED)


def chunks(items: list[_T], size: int = 500) -> Iterator[list[_T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def stored_tickets(session: Session, ids: list[str]) -> dict[str, Ticket]:
    """The tickets among ``ids`` that are stored already, by id."""
    stored: dict[str, Ticket] = {}
    for chunk in chunks(sorted(set(ids))):
        for t in session.scalars(sa.select(Ticket).where(Ticket.id.in_(chunk))):
            stored[t.id] = t
    return stored


def withdrawn_ids(session: Session, ids: list[str]) -> set[str]:
    """The ids among ``ids`` that their kiosk withdrew before the server stored them."""
    found: set[str] = set()
    for chunk in chunks(sorted(set(ids))):
        found |= set(session.scalars(
            sa.select(WithdrawnTicket.id).where(WithdrawnTicket.id.in_(chunk))))
    return found


# PostgreSQL: a withdrawal and the issuing of the same id are ordered by a transaction-scoped
# advisory lock on the id (docs/soak.md, "Ghost tickets"): issuing holds it shared from
# before its first statement that reads or writes tickets, the withdrawal exclusive from
# before it looks for the ticket. Whichever commits first, the other's next statement sees
# its row: the withdrawal cancels the waiting ticket, or the insert skips the withdrawn id.
# Keys: the two-integer form (its own key space, apart from the one-integer schema lock of
# server/db.py), a class number and the id's bucket; ids share ID_LOCK_BUCKETS buckets so
# an issuing transaction holds at most that many locks (PostgreSQL's lock table holds
# max_locks_per_transaction x max_connections, 6,400 by default) whatever its batch size.
# Two ids in one bucket only make a withdrawal and an issue wait a moment for each other.
ID_LOCK_CLASS = 872346002
ID_LOCK_BUCKETS = 1024
_LOCK_IDS_SHARED = sa.text("SELECT count(pg_advisory_xact_lock_shared(:cls, k)) "
                           "FROM unnest(CAST(:keys AS integer[])) AS k")
_LOCK_IDS_EXCLUSIVE = sa.text("SELECT count(pg_advisory_xact_lock(:cls, k)) "
                              "FROM unnest(CAST(:keys AS integer[])) AS k")


def id_lock_key(ticket_id: str) -> int:
    """The second key of ``ticket_id``'s advisory lock: its bucket, 0 to
    ``ID_LOCK_BUCKETS - 1`` (the same in every process)."""
    digest = hashlib.blake2b(ticket_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % ID_LOCK_BUCKETS


def lock_ids(session: Session, ids: list[str], *, exclusive: bool = False) -> None:
    """Hold the advisory locks of ``ids`` until the transaction ends: shared for issuing
    them, ``exclusive`` for withdrawing one. One statement, buckets in ascending order.
    PostgreSQL only: SQLite runs one write transaction at a time already."""
    if not ids or session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({id_lock_key(i) for i in ids})
    session.execute(_LOCK_IDS_EXCLUSIVE if exclusive else _LOCK_IDS_SHARED,
                    {"cls": ID_LOCK_CLASS, "keys": keys})


def issued_event(row: dict, detail: str = "") -> dict:
    """The "issued" timeline event of a ticket row about to be inserted."""
    return dict(ticket_id=row["id"], site_id=row["site_id"], kind="issued",
                at=row["issued_at"], service_id=row["service_id"], kiosk_id=row["kiosk_id"],
                detail=detail)


_tickets = Ticket.__table__
_NEW_TICKET_COLUMNS = ("id", "site_id", "service_id", "number_service_id", "day", "seq",
                       "number", "priority", "citizen_id", "kiosk_id", "offline", "status",
                       "issued_at", "queue_at", "received_at", "recalls")
_TYPED_COLUMNS = ("day", "priority", "offline", "issued_at", "queue_at", "received_at")
INSERT_EVENTS = sa.insert(TicketEvent.__table__)


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
  WHERE NOT EXISTS (SELECT 1 FROM withdrawn_tickets w WHERE w.id = u.id)
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
    """SQLite: a multi-row ``INSERT ... SELECT ... ON CONFLICT (id) DO NOTHING RETURNING
    id`` that skips withdrawn ids, built once per row count (``column1`` of a VALUES list
    is its first column, the id)."""
    columns = ", ".join(_NEW_TICKET_COLUMNS)
    values = ", ".join("(" + ", ".join(f":{c}{i}" for c in _NEW_TICKET_COLUMNS) + ")"
                       for i in range(rows))
    binds = [sa.bindparam(f"{c}{i}", type_=_tickets.c[c].type)
             for i in range(rows) for c in _TYPED_COLUMNS]
    return sa.text(f"INSERT INTO tickets ({columns}) SELECT * FROM (VALUES {values}) "
                   "WHERE column1 NOT IN (SELECT id FROM withdrawn_tickets) "
                   "ON CONFLICT (id) DO NOTHING RETURNING id").bindparams(*binds)


def insert_new_tickets(session: Session, rows: list[dict]) -> set[str]:
    """Insert online tickets (all of one issue time) and their "issued" events; return
    the ids written (an id already stored or withdrawn by its kiosk is skipped, not an
    error)."""
    if session.get_bind().dialect.name == "postgresql":
        params = {c: [row[c] for row in rows] for c in _PG_ARRAYS}
        params["at"] = [row["issued_at"] for row in rows]
        return set(session.scalars(_INSERT_NEW_PG, params))
    written: set[str] = set()
    for chunk in chunks(rows, 50):
        params = {f"{c}{i}": row[c] for i, row in enumerate(chunk) for c in _NEW_TICKET_COLUMNS}
        new = set(session.scalars(_insert_tickets_sqlite(len(chunk)), params))
        written |= new
        if new:
            session.execute(INSERT_EVENTS,
                            [issued_event(row) for row in chunk if row["id"] in new])
    return written

