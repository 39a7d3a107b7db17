"""Public, login-free endpoints beside the pages: the board's spoken calls as WAV."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.announcements import AnnouncementUnavailable
from server.models import Counter, Site, Ticket, TicketEvent
from server.state import state_of

router = APIRouter(include_in_schema=False)

CALL_KINDS = ("called", "recalled")


def call_of_event(request: Request, site_code: str, event_id: int) -> tuple[str, int, bool]:
    """(number, counter number, is a recall) of a call event of the site; 404 otherwise."""
    with state_of(request).db.read_session() as s:
        row = s.execute(
            sa.select(Ticket.number, Counter.number, TicketEvent.kind)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .join(Counter, Counter.id == TicketEvent.counter_id)
            .join(Site, Site.id == TicketEvent.site_id)
            .where(TicketEvent.id == event_id, Site.code == site_code,
                   TicketEvent.kind.in_(CALL_KINDS))
        ).first()
    if row is None:
        raise StarletteHTTPException(404, f"no call {event_id} at site {site_code!r}")
    return row[0], row[1], row[2] == "recalled"


@router.get("/board/{site_code}/announce/{event_id}.wav")
async def announce_audio(request: Request, site_code: str, event_id: int) -> Response:
    """The call of event ``event_id`` spoken (WAV, mono 16-bit); "Gọi lại, ..." for a
    recall. Rendered once in a worker thread and cached; 503 with a one-line reason when
    the voice pack cannot speak it (the board then shows a small note to staff)."""
    number, counter, recall = await run_in_threadpool(call_of_event, request, site_code,
                                                      event_id)
    announcer = state_of(request).announcer
    try:
        audio = await run_in_threadpool(announcer.wav, number, counter, recall=recall)
    except AnnouncementUnavailable as exc:
        return Response(str(exc), status_code=503, media_type="text/plain; charset=utf-8",
                        headers={"Retry-After": "30"})
    return Response(audio, media_type="audio/wav",
                    headers={"Cache-Control": "public, max-age=86400"})
