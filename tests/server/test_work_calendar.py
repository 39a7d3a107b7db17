"""The site's working calendar (working weekdays, closed days, make-up working days):
issuing refuses with reason 'closed' and says why and when it opens again, the board's
closed state says when it reopens, the catalogue carries the calendar for kiosks, the
catalogue file sets it; migration 0010 keeps existing sites working Monday to Friday
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi import FastAPI
from qs_helpers import LiveServer, add_kiosk, auth, make_app, new_id

from server.catalogue import CatalogueError, read_catalogue, set_calendar
from server.cli import cli
from server.domain.board import site_hours
from server.domain.issuing import issue_ticket
from server.domain.records import TicketRequest
from server.errors import QueueError
from server.models import Kiosk, Service, Site, SiteDay
from ticketing.workdays import DayNote, WorkCalendar

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def utc(local: dt.datetime) -> dt.datetime:
    """A local Ho Chi Minh City time as the naive UTC the server's clocks take."""
    return local.replace(tzinfo=HCM).astimezone(dt.UTC).replace(tzinfo=None)


SUNDAY = dt.datetime(2026, 12, 6, 10, 0)       # Chủ Nhật 06/12/2026
TET = dt.datetime(2027, 2, 8, 9, 0)            # a Monday within the Tết break
MAKEUP_SATURDAY = dt.datetime(2027, 1, 9, 9, 0)
CALENDAR = WorkCalendar(  # a ward that also works Saturday mornings
    working_days=frozenset({1, 2, 3, 4, 5, 6}), saturday_closes_at="11:30",
    closed_days=tuple(DayNote(dt.date(2027, 2, d), "Nghỉ Tết Nguyên đán") for d in range(4, 11)),
    open_days=(DayNote(dt.date(2027, 1, 9), "Làm bù"),))


def take(app: FastAPI, service: str, now: dt.datetime) -> str:
    """A number of ``service`` issued through the domain at local time ``now``."""
    state = app.state.qs
    with state.db.session() as s:
        site = s.scalar(sa.select(Site))
        kiosk = s.scalar(sa.select(Kiosk)) or Kiosk(site_id=site.id, name="k",
                                                    token_hash="x" * 64)
        s.add(kiosk)
        s.flush()
        t, _ = issue_ticket(s, state.settings, site, kiosk,
                            TicketRequest(id=uuid.uuid4(), service=service), now=utc(now))
        return t.number


def refusal(app: FastAPI, service: str, now: dt.datetime) -> QueueError:
    with pytest.raises(QueueError) as caught:
        take(app, service, now)
    assert caught.value.reason == "closed"
    return caught.value


def test_sunday_holiday_and_make_up_saturday(db_url: str, tmp_path: Path) -> None:
    app = make_app(db_url, tmp_path, enforce_open_hours=True)
    with app.state.qs.db.session() as s:
        set_calendar(s, s.scalar(sa.select(Site)), CALENDAR)
    # a Sunday: not a working day, opens again Monday at 07:30
    sunday = refusal(app, "HT", SUNDAY)
    assert str(sunday) == ("the centre is closed today: Sunday is not a working day; it "
                           "opens again Monday 07/12/2026 07:30")
    # Tết: the note, and the first working day after the break
    tet = refusal(app, "HT", TET)
    assert "Nghỉ Tết Nguyên đán" in str(tet) and "Thursday 11/02/2027 07:30" in str(tet)
    # a make-up Saturday works full hours; a plain Saturday closes at 11:30
    assert take(app, "HT", MAKEUP_SATURDAY.replace(hour=16)) == "A001"
    assert take(app, "HT", dt.datetime(2027, 1, 16, 11, 0)) == "A001"
    late = refusal(app, "HT", dt.datetime(2027, 1, 16, 12, 0))
    assert "open 07:30-11:30" in str(late) and "Monday 18/01/2027 07:30" in str(late)
    # a plain weekday still follows the service's hours
    assert take(app, "HT", dt.datetime(2026, 12, 7, 7, 30)) == "A001"

    with app.state.qs.db.read_session() as s:
        site = s.scalar(sa.select(Site))
        services = list(s.scalars(sa.select(Service).where(Service.active.is_(True))))
        board = site_hours(services, site, utc(SUNDAY))
        assert board["open"] is False and board["opens_at"] is None
        assert board["reopens"] == "2026-12-07T07:30"
        assert board["reopens_text"] == ("Mở cửa lại: Thứ Hai 07/12, 07:30 / Opens again: "
                                         "Monday 07/12, 07:30")
        tet_board = site_hours(services, site, utc(TET))
        assert tet_board["closed_note"] == "Nghỉ Tết Nguyên đán"
        assert tet_board["reopens"] == "2027-02-11T07:30"
        saturday = site_hours(services, site, utc(dt.datetime(2027, 1, 16, 8)))
        assert saturday["open"] is True and saturday["closes_at"] == "11:30"
    app.state.qs.db.dispose()


def test_the_kiosk_api_refuses_today_and_publishes_the_calendar(sqlite_url: str,
                                                                 tmp_path: Path) -> None:
    """Over real HTTP with the real clock: today made a holiday, then not a working day,
    then a make-up day; the catalogue carries the calendar from today on."""
    now = dt.datetime.now(HCM)
    if now.strftime("%H:%M") >= "23:58":
        pytest.skip("too close to midnight")
    today = now.date()
    app = make_app(sqlite_url, tmp_path, enforce_open_hours=True)
    token = add_kiosk(app)
    with app.state.qs.db.session() as s:
        for svc in s.scalars(sa.select(Service)):
            svc.opens_at, svc.closes_at = "00:00", "23:59"
    server = LiveServer(app).start()
    client = httpx.Client(base_url=server.url, headers=auth(token), timeout=10)

    def set_days(calendar: WorkCalendar) -> None:
        with app.state.qs.db.session() as s:
            set_calendar(s, s.scalar(sa.select(Site)), calendar)
        from server.auth import _kiosks
        _kiosks.clear()  # the token's site is cached for a few seconds

    try:
        every_day = frozenset(range(1, 8))
        set_days(WorkCalendar(every_day, closed_days=(
            DayNote(today - dt.timedelta(days=3), "cũ / past"),
            DayNote(today, "Nghỉ lễ Quốc khánh"))))
        r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"})
        assert r.status_code == 409 and r.json()["reason"] == "closed"
        assert "Nghỉ lễ Quốc khánh" in r.json()["detail"]
        rows = client.get("/api/v1/services").json()
        assert all(row["open_now"] is False for row in rows)
        assert rows[0]["calendar"] == {
            "working_days": [1, 2, 3, 4, 5, 6, 7], "saturday_closes_at": None,
            "closed_days": [{"date": today.isoformat(), "note": "Nghỉ lễ Quốc khánh"}],
            "open_days": []}
        board = httpx.get(f"{server.url}/board/HCC/state.json").json()["hours"]
        tomorrow = today + dt.timedelta(days=1)
        assert board["open"] is False and board["reopens"] == f"{tomorrow.isoformat()}T00:00"
        assert board["closed_note"] == "Nghỉ lễ Quốc khánh"
        html = httpx.get(f"{server.url}/board/HCC").text
        assert "Nghỉ lễ Quốc khánh" in html and f"{tomorrow:%d/%m}, 00:00" in html

        set_days(WorkCalendar(every_day - {today.isoweekday()}))
        r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"})
        assert r.status_code == 409 and "is not a working day" in r.json()["detail"]

        set_days(WorkCalendar(every_day - {today.isoweekday()},
                              open_days=(DayNote(today, "Làm bù"),)))
        r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"})
        assert r.status_code == 201, r.text
    finally:
        client.close()
        server.stop()
        app.state.qs.db.dispose()


def test_the_catalogue_file_sets_the_calendar_and_refuses_bad_days(
        db_url: str, tmp_path: Path) -> None:
    from server.db import Database

    Database(db_url).migrate()
    good = tmp_path / "catalogue.toml"
    good.write_text(
        '[[services]]\ncode = "HT"\nprefix = "A"\nname_vi = "Hộ tịch"\nname_en = "Civil"\n'
        '[hours]\nworking_days = "T2-T7"\nsaturday_closes_at = "11:30"\n'
        'closed_days = [{ date = 2027-02-05, note = "Nghỉ Tết" }, { date = "2027-02-08" }]\n'
        'open_days = [{ date = "2027-01-09", note = "Làm bù" }]\n', encoding="utf-8")
    runner = CliRunner()
    args = ["--db", db_url, "--data-dir", str(tmp_path)]
    r = runner.invoke(cli, ["services", "load", str(good), *args])
    assert r.exit_code == 0, r.output
    db = Database(db_url)
    with db.read_session() as s:
        site = s.scalar(sa.select(Site))
        assert site.working_days == "123456" and site.saturday_closes_at == "11:30"
        assert [(d.day.isoformat(), d.open, d.note) for d in site.days] == [
            ("2027-01-09", True, "Làm bù"), ("2027-02-05", False, "Nghỉ Tết"),
            ("2027-02-08", False, "")]
    # loading the same file again (same days) and an old file without [hours] both work
    assert runner.invoke(cli, ["services", "load", str(good), *args]).exit_code == 0
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"services": [{"code": "HT", "prefix": "A", "name_vi": "Hộ tịch",
                                             "name_en": "Civil"}]}), encoding="utf-8")
    assert runner.invoke(cli, ["services", "load", str(old), *args]).exit_code == 0
    with db.read_session() as s:
        assert len(s.scalar(sa.select(Site)).days) == 3  # kept
    db.dispose()
    for hours, says in (('working_days = "mon-fri,xyz"', "unknown weekday 'xyz'"),
                        ('closed_days = [{ date = "05/02/2027" }]', "not a date: '05/02/2027'"),
                        ('working_days = [8]', "unknown weekday '8'"),
                        ('closed_days = [{ date = "2027-01-09" }]\n'
                         'open_days = [{ date = "2027-01-09" }]', "both closed and a make-up")):
        bad = tmp_path / "bad.toml"
        bad.write_text('[[services]]\ncode = "HT"\nprefix = "A"\nname_vi = "x"\nname_en = "x"\n'
                       f"[hours]\n{hours}\n", encoding="utf-8")
        with pytest.raises(CatalogueError) as caught:
            read_catalogue(bad)
        assert says in str(caught.value) and "\n" not in str(caught.value)
        r = runner.invoke(cli, ["services", "load", str(bad), *args])
        assert r.exit_code == 2 and says in r.output


def test_migration_0010_upgrades_a_database_with_data(db_url: str, tmp_path: Path) -> None:
    from alembic import command

    from config.server import QueueServerSettings
    from server.bootstrap import prepare_database
    from server.db import _alembic_config, current_revision

    db = prepare_database(QueueServerSettings(database_url=db_url), tmp_path)
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0009")
    with db.engine.begin() as conn:
        conn.execute(sa.text("insert into sites (code, name, timezone, created_at) values "
                             "('P2', 'Phường 2', 'Asia/Ho_Chi_Minh', '2026-01-01')"))
    assert current_revision(db.engine) == "0009"
    db.migrate()
    with db.session() as s:
        sites = list(s.scalars(sa.select(Site).order_by(Site.id)))
        assert [x.code for x in sites] == ["HCC", "P2"]
        assert all(x.working_days == "12345" and x.saturday_closes_at is None for x in sites)
        assert sites[1].calendar == WorkCalendar()
        s.add(SiteDay(site_id=sites[1].id, day=dt.date(2027, 2, 5), open=False, note="Tết"))
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0009")  # and back down, data and all
    db.migrate()
    db.dispose()
