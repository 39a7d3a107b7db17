"""The day's numbers of each service: taking them atomically, counting who waits, and
reading an uploaded printed number back to its sequence.

Formatting and parsing follow ``ticketing.numbers`` with the server's
``settings.number_pattern`` (the one setting both kiosk and server number with).
"""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.domain.refs import ServiceRef
from server.errors import Invalid
from server.models import Service
from ticketing.numbers import NumberError, format_number, parse_number

#: ``QueueError.reason`` of an uploaded number that does not read back under the pattern.
BAD_NUMBER = "bad_number"


def number_of(settings: QueueServerSettings, service: Service | ServiceRef, seq: int) -> str:
    """The printed number of sequence ``seq`` of ``service`` (e.g. ``"A012"``)."""
    return format_number(settings.number_pattern, service.prefix, seq, service.code)


def seq_of(settings: QueueServerSettings, service: Service | ServiceRef, number: int | str
           ) -> int:
    """The sequence of a ticket number given as an int or as printed (``"A012"``).

    Raises ``Invalid`` (reason ``"bad_number"``) when it does not read back under the
    server's number pattern: a refusal for good, not a temporary failure.
    """
    try:
        return parse_number(settings.number_pattern, service.prefix, service.code, number)
    except NumberError as exc:
        raise Invalid(str(exc), reason=BAD_NUMBER) from None

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
