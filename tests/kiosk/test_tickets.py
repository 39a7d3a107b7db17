"""The kiosk's ticket store on real SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from config.kiosk import KioskSettings
from kiosk.db import make_sessionmaker
from kiosk.model import services_from_settings
from kiosk.schema import make_engine
from kiosk.tickets import CALLED, PRINT_FAILED, PRINTED, TicketStore

TZ = timezone(timedelta(hours=7))
SERVICES = services_from_settings(KioskSettings())


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 8, 0, tzinfo=TZ)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kiosk.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[TicketStore]:
    engine = make_engine(db_url)
    yield TicketStore(make_sessionmaker(engine), SERVICES, clock=clock)
    engine.dispose()


def test_standalone_numbers_count_per_service_and_restart_each_day(store: TicketStore,
                                                                   clock: Clock) -> None:
    numbers = [store.issue_standalone("HT").number for _ in range(3)]
    assert numbers == ["A001", "A002", "A003"]
    assert store.issue_standalone("CT").number == "B001"
    clock.now += timedelta(days=1)
    assert store.issue_standalone("HT").number == "A001"


def test_unknown_service_is_a_clear_error(store: TicketStore) -> None:
    with pytest.raises(ValueError, match="unknown service 'XX'"):
        store.issue_standalone("XX")


def test_ticket_and_outbox_entry_are_committed_together(store: TicketStore) -> None:
    t = store.issue_standalone("HT", citizen_id=7, priority=True)
    assert store.get(t.id) == t
    pending = store.pending_outbox()
    assert len(pending) == 1
    entry_id, kind, payload = pending[0]
    assert kind == "ticket" and payload["id"] == t.id and payload["number"] == "A001"
    assert payload["priority"] is True and payload["citizen_id"] == 7
    store.mark_sent(entry_id)
    assert store.pending_outbox() == []


def test_outbox_retry_waits_until_its_time(store: TicketStore, clock: Clock) -> None:
    store.issue_standalone("HT")
    (entry_id, _, _), = store.pending_outbox()
    store.mark_failed(entry_id, "server down", clock.now + timedelta(seconds=30))
    assert store.pending_outbox() == []
    clock.now += timedelta(seconds=31)
    assert [e[0] for e in store.pending_outbox()] == [entry_id]


def test_concurrent_standalone_issuing_never_repeats_a_number(db_url: str,
                                                             clock: Clock) -> None:
    engine = make_engine(db_url)
    store = TicketStore(make_sessionmaker(engine), SERVICES, clock=clock)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(10):
                n = store.issue_standalone("KD").number
                with lock:
                    numbers.append(n)
        except BaseException as exc:  # any failure in the thread is reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []
    assert sorted(numbers) == [f"E{i:03d}" for i in range(1, 61)]


def test_tickets_survive_a_restart(tmp_path: Path, clock: Clock) -> None:
    url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    engine = make_engine(url)
    t = TicketStore(make_sessionmaker(engine), SERVICES, clock=clock).issue_standalone("HT", 7)
    engine.dispose()  # the process dies here, before printing
    engine = make_engine(url)
    again = TicketStore(make_sessionmaker(engine), SERVICES, clock=clock)
    assert [u.id for u in again.unprinted_today()] == [t.id]
    assert again.issue_standalone("HT").number == "A002"
    engine.dispose()


def test_print_state_is_recorded(store: TicketStore) -> None:
    t = store.issue_standalone("HT")
    store.mark_printed(t.id, False, "paper_out")
    assert store.print_state(t.id) == PRINT_FAILED
    assert [u.id for u in store.unprinted_today()] == [t.id]
    store.mark_printed(t.id, True)
    assert store.print_state(t.id) == PRINTED and store.unprinted_today() == []


def test_todays_tickets_of_a_person(store: TicketStore, clock: Clock) -> None:
    a = store.issue_standalone("HT", citizen_id=7)
    store.issue_standalone("HT", citizen_id=8)
    g = store.issue_standalone("DD", guest_key="guest-1")
    b = store.issue_standalone("DD", citizen_id=7)
    store.set_status(b.id, CALLED)
    mine = store.today_for(citizen_id=7)
    assert [t.number for t in mine] == [a.number, b.number]
    assert [t.waiting for t in mine] == [True, False]
    assert [t.id for t in store.today_for(guest_key="guest-1")] == [g.id]
    clock.now += timedelta(days=1)
    assert store.today_for(citizen_id=7) == []
    with pytest.raises(ValueError):
        store.set_status(a.id, "lost")


def test_issued_at_keeps_the_local_time(store: TicketStore, clock: Clock) -> None:
    t = store.issue_standalone("HT")
    assert store.get(t.id).issued_at == clock.now


def test_leased_block_is_used_in_order_then_runs_out(store: TicketStore) -> None:
    assert store.issue_from_lease("HT") is None
    store.add_lease("HT", 41, 42, lease_id="L1")
    store.add_lease("HT", 90, 90, lease_id="L2")
    got = [store.issue_from_lease("HT", citizen_id=7) for _ in range(4)]
    assert [t.number if t else None for t in got] == ["A041", "A042", "A090", None]
    assert len(store.pending_outbox()) == 3
    with pytest.raises(ValueError):
        store.add_lease("HT", 5, 4)


def test_recording_an_online_ticket_is_idempotent(store: TicketStore) -> None:
    a = store.record("0b6c8a7e-0000-4000-8000-000000000001", "HT", "A120", "online",
                     people_ahead=4, counters="1, 2")
    b = store.record("0b6c8a7e-0000-4000-8000-000000000001", "HT", "A120", "online")
    assert a == b and a.people_ahead == 4 and a.counters == "1, 2"
    assert len(store.pending_outbox()) == 1


def test_leased_numbers_are_written_with_the_pattern_of_their_lease(store: TicketStore) -> None:
    from ticketing.numbers import NumberError

    store.add_lease("CT", 7, 7, lease_id="L1", number_pattern="{service}-{seq:04d}")
    store.add_lease("CT", 30, 30, lease_id="L2")  # a lease with no pattern: the default
    got = [store.issue_from_lease("CT") for _ in range(2)]
    assert [t.number for t in got if t] == ["CT-0007", "B030"]
    with pytest.raises(NumberError):
        store.add_lease("CT", 1, 5, number_pattern="{letter}{seq}")
    assert store.leased_remaining("CT") == 0  # the bad lease was not stored


def test_an_older_database_gets_the_columns_added_since(db_url: str, clock: Clock) -> None:
    import sqlalchemy as sa

    engine = make_engine(db_url)
    with engine.begin() as conn:  # as a kiosk.db made before these columns existed
        conn.execute(sa.text("ALTER TABLE kiosk_outbox DROP COLUMN refused_at"))
        conn.execute(sa.text("ALTER TABLE kiosk_number_leases DROP COLUMN number_pattern"))
        conn.execute(sa.text("DROP TABLE alembic_version"))  # it had no migrations either
    engine.dispose()
    engine = make_engine(db_url)
    try:
        store = TicketStore(make_sessionmaker(engine), SERVICES, clock=clock)
        store.add_lease("HT", 1, 1, number_pattern="{service}{seq:03d}")
        ticket = store.issue_from_lease("HT")
        assert ticket is not None and ticket.number == "HT001"
        entry_id = store.pending_outbox()[0][0]
        store.mark_refused(entry_id, "refused by the server")
        assert [r.number for r in store.refused_uploads()] == ["HT001"]
        assert store.pending_outbox() == [] and store.outbox_backlog() == 0
    finally:
        engine.dispose()


def test_standalone_tickets_know_the_people_ahead_and_the_waiting_counts(tmp_path) -> None:
    """Issue 12: people waiting on the tiles and ahead on the ticket, from the kiosk's own
    queue when there is no server."""
    from kiosk.db import make_sessionmaker
    from kiosk.model import Service
    from kiosk.schema import make_engine
    from kiosk.tickets import DONE, TicketStore

    store = TicketStore(make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'k.db'}")),
                        [Service("HT", "A", "Hộ tịch", "Civil status"),
                         Service("CT", "B", "Chứng thực", "Certification")])
    first = store.issue_standalone("HT")
    second = store.issue_standalone("HT")
    store.issue_standalone("CT")
    assert (first.people_ahead, second.people_ahead) == (0, 1)
    assert store.waiting_counts() == {"HT": 2, "CT": 1}
    store.set_status(first.id, DONE)
    assert store.waiting_counts()["HT"] == 1
    assert store.issue_standalone("HT").people_ahead == 1
