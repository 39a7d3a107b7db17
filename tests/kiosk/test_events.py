"""The events log (issue 12): a real flow's steps as JSON lines without personal data, and
the summary script's funnel, time to ticket and abandon points."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from config.kiosk import KioskSettings
from kiosk import flow as f
from kiosk import model
from kiosk.events import EventLog

ROOT = Path(__file__).resolve().parents[2]
S = KioskSettings(face_lost_s=2, unknown_confirm_s=0, greeting_timeout_s=30)
LAN = f.CitizenInfo(7, "Nguyễn Thị Lan", date(1990, 5, 1), None)


def drive(log: EventLog, events: list[f.Event], m: f.CitizenFlow) -> None:
    for e in events:
        before = m.state
        effects = m.handle(e)
        log.flow_event(e, before, m.state, effects)


def test_visits_are_logged_without_personal_data_and_summarised(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "events.jsonl"
    log = EventLog(path)
    m = f.CitizenFlow(S, model.services_from_settings(S), today=lambda: date(2026, 11, 27))
    ticket = f.IssuedTicket("id-1", "HT", "A001", False, datetime(2026, 11, 27, 9), 7)
    # 1: recognised, takes a number, printed, leaves.
    drive(log, [f.FaceSeen(0, "too_far"), f.Identified(1, LAN), f.Continue(2),
                f.PickService(3, "HT"), f.TicketIssued(4, ticket),
                f.PrintFinished(5, "id-1", True), f.Done(6)], m)
    # 2: a guest who walks away on the services screen.
    drive(log, [f.Unknown(10), f.ContinueAsGuest(11), f.Tick(14)], m)
    # 3: without face, waits on the services screen until it times out.
    drive(log, [f.TakeNumberWithoutFace(20), f.Tick(70)], m)
    text = path.read_text(encoding="utf-8")
    for private in ("Lan", "Nguyễn", "A001", "id-1", '"7"', "citizen"):
        assert private not in text, private
    lines = [json.loads(x) for x in text.splitlines()]
    assert all(set(x) <= {"t", "visit", "step", "service", "source", "reason"} for x in lines)
    assert [x["step"] for x in lines[:6]] == [
        "face_seen", "recognised", "service_chosen", "ticket_issued", "printed", "idle"]
    assert lines[2]["service"] == "HT"
    steps = [x["step"] for x in lines]
    assert steps.count("idle") == 3 and steps.count("ticket_issued") == 1
    assert len({x["visit"] for x in lines if x["step"] != "idle"}) == 3

    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "events_summary.py"),
                          str(path), "--json"], capture_output=True, text=True, check=True)
    summary = json.loads(out.stdout)
    assert summary["visits"] == 3 and summary["tickets"] == 1
    assert summary["funnel"]["recognised"] == 1 and summary["funnel"]["guest"] == 1
    assert summary["funnel"]["no_face"] == 1 and summary["funnel"]["printed"] == 1
    assert summary["abandon"] == {"timed_out:choose_service": 2}
    assert summary["time_to_ticket_s"]["median"] is not None


def test_a_withdrawal_noted_by_sync_belongs_to_no_visit(tmp_path: Path) -> None:
    """The sync thread notes the server's answer to a withdrawn id (issue 17) in the middle
    of a citizen's visit: its own line, no visit, and the visit goes on unbroken."""
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    m = f.CitizenFlow(S, model.services_from_settings(S), today=lambda: date(2026, 11, 27))
    drive(log, [f.TakeNumberWithoutFace(0)], m)
    log.note("ticket_withdrawn", reason="called")
    drive(log, [f.PickService(1, "HT")], m)
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["step"] for x in lines] == ["no_face", "ticket_withdrawn", "service_chosen"]
    assert lines[1]["visit"] is None and lines[1]["reason"] == "called"
    assert lines[0]["visit"] == lines[2]["visit"] is not None
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "events_summary.py"),
                          str(path), "--json"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["visits"] == 1


def test_summary_of_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "events_summary.py"),
                          str(tmp_path / "none.jsonl")], capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "cannot read" in out.stderr


def test_the_log_rotates_daily_keeps_its_days_and_the_summary_reads_them_all(
        tmp_path: Path) -> None:
    import os
    from datetime import timedelta

    logs = tmp_path / "logs"
    path = logs / "events.jsonl"
    log = EventLog(path, keep_days=30)
    now = datetime.now().astimezone()
    # a visit written "yesterday", and a rotated file older than the days kept
    log.record("face_seen", now - timedelta(days=1))
    log.record("no_face", now - timedelta(days=1))
    log.record("service_chosen", now - timedelta(days=1), service="HT")
    log.record("ticket_issued", now - timedelta(days=1), service="HT")
    log.record("idle", now - timedelta(days=1))
    yesterday = (now - timedelta(days=1)).timestamp()
    os.utime(path, (yesterday, yesterday))
    ancient = logs / f"events-{(now - timedelta(days=40)).date().isoformat()}.jsonl"
    ancient.write_text("")
    # today's first line rotates yesterday's file out and drops the ancient one
    log.record("face_seen", now)
    log.record("idle", now)
    rotated = logs / f"events-{(now - timedelta(days=1)).date().isoformat()}.jsonl"
    assert rotated.is_file() and len(rotated.read_text().splitlines()) == 5
    assert len(path.read_text().splitlines()) == 2
    assert not ancient.exists()
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "events_summary.py"),
                          str(logs), "--json"], capture_output=True, text=True, check=True)
    summary = json.loads(out.stdout)
    assert summary["visits"] == 2 and summary["tickets"] == 1
