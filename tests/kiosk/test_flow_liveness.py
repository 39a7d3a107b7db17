"""Liveness in the citizen flow: a matched citizen is greeted only once the face is live;
while the check is pending the citizen is asked to look at the camera; a face refused as
spoof or unsure is an unknown face (a guest), never the matched citizen; with the check
off the flow behaves as before. Results are the recognition process's own ``KioskResult``
turned into events by ``event_from_result``, as the app does."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from config.kiosk import KioskSettings
from kiosk import flow as f
from kiosk import model
from kiosk.adapters.identification import KioskResult
from recognition.types import Match

TODAY = date(2026, 12, 2)
S = KioskSettings(face_lost_s=2, guidance_timeout_s=20, greeting_timeout_s=30,
                  unknown_confirm_s=1.0)
# The greeting shows the given name only (the last word of the full name): "Lan".
LAN = f.CitizenInfo(7, "Chị Lan", date(1990, 5, 1), None)
BOX = (100, 300, 300, 100)
MATCH = Match(citizen_id=7, template_id=70, distance=0.31)


def result(liveness: str | None, match: Match | None = MATCH, guest_key: str | None = None,
           reason: str | None = None) -> KioskResult:
    return KioskResult(faces=1, box=BOX, reason=reason, match=match, guest_key=guest_key,
                       liveness=liveness)


@pytest.fixture
def m() -> f.CitizenFlow:
    return f.CitizenFlow(S, model.services_from_settings(S), today=lambda: TODAY)


def feed(m: f.CitizenFlow, res: KioskResult, now: float) -> list:
    """What the app does with a recognition result: event, citizen filled in, flow."""
    event = f.event_from_result(res, now)
    if isinstance(event, f.Identified):
        event = replace(event, citizen=LAN)
    elif isinstance(event, f.Unknown) and res.guest_key is not None:
        event = replace(event, guest_key=res.guest_key)
    return m.handle(event)


def names(effects: list) -> list[str | None]:
    return [e.name for e in effects if isinstance(e, f.ShowScreen)]


def test_a_live_match_is_greeted_by_name(m: f.CitizenFlow) -> None:
    effects = feed(m, result("live"), 0.0)
    assert m.state == f.IDENTIFIED and names(effects) == ["Lan"]


def test_pending_keeps_asking_to_look_at_the_camera_then_live_greets(
        m: f.CitizenFlow) -> None:
    for i in range(4):
        effects = feed(m, result("pending"), i * 0.1)
        assert m.state == f.GUIDANCE
        assert m.session.guidance == "look_at_camera"
        assert "Lan" not in names(effects)
    feed(m, result("live"), 0.5)
    assert m.state == f.IDENTIFIED and m.session.citizen == LAN


@pytest.mark.parametrize("verdict", ["spoof", "unsure"])
def test_a_refused_face_is_a_guest_never_the_matched_citizen(m: f.CitizenFlow,
                                                             verdict: str) -> None:
    seen: list = []
    t = 0.0
    for _ in range(3):  # pending first, as the tracker does
        seen += feed(m, result("pending"), t)
        t += 0.1
    while t < 3.0 and m.state != f.UNKNOWN:
        seen += feed(m, result(verdict, guest_key="g-00000000000000aa"), t)
        t += 0.1
    assert m.state == f.UNKNOWN
    assert m.session.citizen is None and m.session.guest_key == "g-00000000000000aa"
    assert "Lan" not in names(seen)
    # It can take a number, as a guest: no citizen id on the ticket request.
    m.handle(f.Continue(t))
    effects = m.handle(f.PickService(t + 1, "HT"))
    issue = next(e for e in effects if isinstance(e, model.IssueTicket))
    assert issue.citizen_id is None and issue.guest_key == "g-00000000000000aa"


def test_a_refused_face_waits_for_the_unknown_confirmation(m: f.CitizenFlow) -> None:
    feed(m, result("spoof"), 0.0)
    assert m.state == f.GUIDANCE  # one frame of "unknown" is not yet the guest screen
    feed(m, result("spoof"), 1.0)
    assert m.state == f.UNKNOWN


def test_check_off_greets_as_before(m: f.CitizenFlow) -> None:
    effects = feed(m, result(None), 0.0)
    assert m.state == f.IDENTIFIED and names(effects) == ["Lan"]


def test_unknown_faces_do_not_depend_on_liveness(m: f.CitizenFlow) -> None:
    for verdict in ("pending", "live", "spoof"):
        event = f.event_from_result(result(verdict, match=None, reason="unknown"), 0.0)
        assert isinstance(event, f.Unknown)
    assert isinstance(f.event_from_result(result("pending", match=None, reason="too_far"), 0),
                      f.FaceSeen)
