"""Daily figures per service: counts, waiting and service times, satisfaction; CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.models import Service, Site, SurveyResponse, Ticket
from ticketing.status import TicketStatus

COLUMNS = [
    ("day", "Ngày / Day"),
    ("service", "Mã / Code"),
    ("service_name_vi", "Lĩnh vực"),
    ("service_name_en", "Service"),
    ("issued", "Issued"),
    ("served", "Served"),
    ("no_show", "No-show"),
    ("cancelled", "Cancelled"),
    ("wait_avg_min", "Wait avg (min)"),
    ("wait_p90_min", "Wait p90 (min)"),
    ("service_avg_min", "Service avg (min)"),
    ("service_p90_min", "Service p90 (min)"),
    ("rating_avg", "Rating avg"),
    ("rating_count", "Ratings"),
]


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (``pct`` in 0-100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _r(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def report_rows(session: Session, site: Site, start: dt.date, end: dt.date) -> list[dict]:
    """One row per (day, service that had tickets), days ``start``..``end`` inclusive.

    Tickets count under the service that numbered them. Waiting time is issue to first
    call; service time is start (or call) to done.
    """
    services = {s.id: s for s in session.scalars(
        sa.select(Service).where(Service.site_id == site.id))}
    tickets = session.execute(
        sa.select(Ticket.id, Ticket.day, Ticket.number_service_id, Ticket.status,
                  Ticket.issued_at, Ticket.called_at, Ticket.serving_at, Ticket.done_at)
        .where(Ticket.site_id == site.id, Ticket.day >= start, Ticket.day <= end)
    ).all()
    ratings = dict(session.execute(
        sa.select(SurveyResponse.ticket_id, SurveyResponse.rating)
        .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
        .where(Ticket.site_id == site.id, Ticket.day >= start, Ticket.day <= end)
    ).all())
    groups: dict[tuple[dt.date, int], dict] = {}
    for tid, day, sid, status, issued, called, serving, done in tickets:
        g = groups.setdefault((day, sid), {"issued": 0, "served": 0, "no_show": 0,
                                           "cancelled": 0, "waits": [], "services": [],
                                           "ratings": []})
        g["issued"] += 1
        if status == TicketStatus.DONE:
            g["served"] += 1
        elif status == TicketStatus.NO_SHOW:
            g["no_show"] += 1
        elif status == TicketStatus.CANCELLED:
            g["cancelled"] += 1
        if called is not None and issued is not None and called >= issued:
            g["waits"].append((called - issued).total_seconds() / 60)
        if status == TicketStatus.DONE and done is not None:
            began = serving or called
            if began is not None and done >= began:
                g["services"].append((done - began).total_seconds() / 60)
        if tid in ratings:
            g["ratings"].append(ratings[tid])
    rows = []
    for (day, sid), g in sorted(groups.items(), key=lambda kv: (
            kv[0][0], services[kv[0][1]].sort_order if kv[0][1] in services else 0)):
        svc = services.get(sid)
        rows.append({
            "day": day.isoformat(),
            "service": svc.code if svc else str(sid),
            "service_name_vi": svc.name_vi if svc else "",
            "service_name_en": svc.name_en if svc else "",
            "issued": g["issued"],
            "served": g["served"],
            "no_show": g["no_show"],
            "cancelled": g["cancelled"],
            "wait_avg_min": _r(_mean(g["waits"])),
            "wait_p90_min": _r(percentile(g["waits"], 90)),
            "service_avg_min": _r(_mean(g["services"])),
            "service_p90_min": _r(percentile(g["services"], 90)),
            "rating_avg": round(_mean(g["ratings"]), 2) if g["ratings"] else None,
            "rating_count": len(g["ratings"]),
        })
    return rows


def report_csv(rows: list[dict]) -> str:
    """The rows as CSV (UTF-8 with a BOM so spreadsheet programs read Vietnamese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([key for key, _ in COLUMNS])
    for row in rows:
        writer.writerow([csv_cell(row[key]) for key, _ in COLUMNS])
    return out.getvalue()


def csv_cell(value: object) -> object:
    """A value for a spreadsheet cell: text starting with ``= + - @`` (or a tab or carriage
    return) gets a leading apostrophe, so a service name from a catalogue file is shown as
    text and never run as a formula ("CSV injection"). Numbers are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
