"""Citizens' ratings with the five criteria of the Ministry of Home Affairs' satisfaction
index (SIPAS), and their summary per service and per counter."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.models import Counter, Service, Site, SurveyResponse, Ticket, utcnow
from ticketing.status import TicketStatus

# (form field / column suffix, Vietnamese label, English label)
CRITERIA: list[tuple[str, str, str]] = [
    ("access", "Tiếp cận dịch vụ", "Access to the service"),
    ("procedure", "Thủ tục hành chính", "The procedure"),
    ("official", "Công chức giải quyết", "The official who served you"),
    ("result", "Kết quả giải quyết", "The result"),
    ("feedback", "Tiếp nhận, xử lý góp ý, phản ánh", "Handling of feedback"),
]
SCALE = ["Rất không hài lòng / Very dissatisfied", "Không hài lòng / Dissatisfied",
         "Bình thường / Neutral", "Hài lòng / Satisfied", "Rất hài lòng / Very satisfied"]


class RatingRefused(Exception):
    """The ticket cannot be rated (not served yet, or already rated); one-line message."""


def rate_ticket(session: Session, ticket: Ticket, scores: dict[str, int], comment: str
                ) -> SurveyResponse:
    """Store the five criteria (each 1..5, keys of :data:`CRITERIA`) and a comment for a
    served ticket; ``rating`` is their rounded mean. Raises :class:`RatingRefused`."""
    if ticket.status != TicketStatus.DONE:
        raise RatingRefused("Bạn có thể đánh giá sau khi được phục vụ xong. / You can rate "
                            "the service once it is done.")
    if session.scalar(sa.select(SurveyResponse.id).where(
            SurveyResponse.ticket_id == ticket.id)):
        raise RatingRefused("Phiếu này đã được đánh giá. / This ticket was already rated.")
    if set(scores) != {key for key, _, _ in CRITERIA} or not all(
            1 <= v <= 5 for v in scores.values()):
        raise RatingRefused("Hãy chọn 1 đến 5 cho mỗi tiêu chí. / Choose 1 to 5 for each "
                            "criterion.")
    response = SurveyResponse(
        ticket_id=ticket.id, site_id=ticket.site_id, service_id=ticket.service_id,
        rating=round(sum(scores.values()) / len(scores)), comment=comment.strip()[:1000],
        created_at=utcnow(), **{f"score_{k}": v for k, v in scores.items()})
    session.add(response)
    session.flush()
    return response


def _summary(rows: list[tuple]) -> dict:
    out: dict = {"count": len(rows)}
    for i, (key, _, _) in enumerate(CRITERIA):
        values = [r[i] for r in rows if r[i] is not None]
        out[key] = round(sum(values) / len(values), 2) if values else None
    overall = [r[len(CRITERIA)] for r in rows]
    out["overall"] = round(sum(overall) / len(overall), 2) if overall else None
    return out


def criteria_report(session: Session, site: Site, start: dt.date, end: dt.date
                    ) -> dict[str, list[dict]]:
    """Mean of each criterion (1..5) and of the overall rating, with the number of
    ratings, per service and per counter (the counter that served the ticket), for the
    tickets of days ``start``..``end`` inclusive: ``{"services": [...], "counters": [...]}``.
    Single-question ratings count in ``overall`` only."""
    cols = [getattr(SurveyResponse, f"score_{k}") for k, _, _ in CRITERIA]
    rows = session.execute(
        sa.select(*cols, SurveyResponse.rating, Ticket.service_id, Ticket.counter_id)
        .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
        .where(Ticket.site_id == site.id, Ticket.day >= start, Ticket.day <= end)
    ).all()
    services = {s.id: s for s in session.scalars(sa.select(Service).where(
        Service.site_id == site.id))}
    counters = {c.id: c for c in session.scalars(sa.select(Counter).where(
        Counter.site_id == site.id))}
    n = len(CRITERIA) + 1
    by_service: dict[int, list[tuple]] = {}
    by_counter: dict[int, list[tuple]] = {}
    for row in rows:
        by_service.setdefault(row[n], []).append(tuple(row[:n]))
        if row[n + 1] is not None:
            by_counter.setdefault(row[n + 1], []).append(tuple(row[:n]))
    return {
        "services": [
            {"service": services[sid].code if sid in services else str(sid),
             "name_vi": services[sid].name_vi if sid in services else "", **_summary(r)}
            for sid, r in sorted(by_service.items(), key=lambda kv: services[kv[0]].sort_order
                                 if kv[0] in services else 0)],
        "counters": [
            {"counter": counters[cid].number if cid in counters else cid,
             "name": counters[cid].name if cid in counters else "", **_summary(r)}
            for cid, r in sorted(by_counter.items(), key=lambda kv: counters[kv[0]].number
                                 if kv[0] in counters else 0)],
    }
