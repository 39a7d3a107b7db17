"""Daily figures per service: counts, waiting and service times, satisfaction; CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.domain.clock import local_day
from server.domain.day_change import CLOSED_OUT, OPEN
from server.models import Counter, Service, Site, SurveyResponse, Ticket, TicketEvent, User
from ticketing.status import TicketStatus

COLUMNS = [
    ("day", "Ngày / Day"),
    ("service", "Mã / Code"),
    ("service_name_vi", "Lĩnh vực"),
    ("service_name_en", "Service"),
    ("issued", "Đã cấp / Issued"),
    ("served", "Đã phục vụ / Served"),
    ("no_show", "Vắng mặt / No-show"),
    ("closed_out", "Vắng mặt khi chốt ngày / No-show at day change"),
    ("left_open", "Để lại ngày sau / Left open (kept)"),
    ("cancelled", "Đã hủy / Cancelled"),
    ("wait_avg_min", "Chờ TB (phút) / Wait avg (min)"),
    ("wait_p90_min", "Chờ p90 (phút) / Wait p90 (min)"),
    ("service_avg_min", "Phục vụ TB (phút) / Service avg (min)"),
    ("service_p90_min", "Phục vụ p90 (phút) / Service p90 (min)"),
    ("rating_avg", "Hài lòng TB (1-5) / Rating avg"),
    ("rating_count", "Lượt đánh giá / Ratings"),
]
#: The columns of the per-counter and per-staff tables (after the name).
GROUP_COLUMNS = [c for c in COLUMNS if c[0] not in ("day", "service", "service_name_vi",
                                                     "service_name_en")]


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
    call; service time is start (or call) to done. ``closed_out``: no-shows marked at the
    day change (included in ``no_show``); ``left_open``: tickets of a past day still open
    (the day change kept them).
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
    closed_out = set(session.scalars(
        sa.select(TicketEvent.ticket_id).join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(Ticket.site_id == site.id, Ticket.day >= start, Ticket.day <= end,
               TicketEvent.kind == CLOSED_OUT)))
    today = local_day(site)
    groups: dict[tuple[dt.date, int], dict] = {}
    for tid, day, sid, status, issued, called, serving, done in tickets:
        g = groups.setdefault((day, sid), {"issued": 0, "served": 0, "no_show": 0,
                                           "cancelled": 0, "waits": [], "services": [],
                                           "ratings": [], "closed_out": 0, "left_open": 0})
        g["issued"] += 1
        if tid in closed_out:
            g["closed_out"] += 1
        elif status in OPEN and day < today:
            g["left_open"] += 1
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
            "closed_out": g["closed_out"],
            "left_open": g["left_open"],
            "cancelled": g["cancelled"],
            "wait_avg_min": _r(_mean(g["waits"])),
            "wait_p90_min": _r(percentile(g["waits"], 90)),
            "service_avg_min": _r(_mean(g["services"])),
            "service_p90_min": _r(percentile(g["services"], 90)),
            "rating_avg": round(_mean(g["ratings"]), 2) if g["ratings"] else None,
            "rating_count": len(g["ratings"]),
        })
    return rows


def report_csv(rows: list[dict], readable: bool = False) -> str:
    """The rows as CSV (UTF-8 with a BOM so spreadsheet programs read Vietnamese); the
    header row holds the field names (for programs), or with ``readable`` the columns'
    bilingual titles ("Đã cấp / Issued", the report page's download)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label if readable else key for key, label in COLUMNS])
    for row in rows:
        writer.writerow([csv_cell(row[key]) for key, _ in COLUMNS])
    return out.getvalue()


class _Group:
    """Figures being gathered for one group of tickets (a counter, a staff member, all)."""

    def __init__(self) -> None:
        self.issued = self.served = self.no_show = self.cancelled = 0
        self.waits: list[float] = []
        self.services: list[float] = []
        self.ratings: list[int] = []

    def add(self, status: str, issued: dt.datetime | None, called: dt.datetime | None,
            serving: dt.datetime | None, done: dt.datetime | None, rating: int | None) -> None:
        self.issued += 1
        if status == TicketStatus.DONE:
            self.served += 1
        elif status == TicketStatus.NO_SHOW:
            self.no_show += 1
        elif status == TicketStatus.CANCELLED:
            self.cancelled += 1
        if called is not None and issued is not None and called >= issued:
            self.waits.append((called - issued).total_seconds() / 60)
        if status == TicketStatus.DONE and done is not None:
            began = serving or called
            if began is not None and done >= began:
                self.services.append((done - began).total_seconds() / 60)
        if rating is not None:
            self.ratings.append(rating)

    def figures(self) -> dict:
        return {
            "issued": self.issued, "served": self.served, "no_show": self.no_show,
            "cancelled": self.cancelled,
            "wait_avg_min": _r(_mean(self.waits)),
            "wait_p90_min": _r(percentile(self.waits, 90)),
            "service_avg_min": _r(_mean(self.services)),
            "service_p90_min": _r(percentile(self.services, 90)),
            "rating_avg": round(_mean(self.ratings), 2) if self.ratings else None,  # type: ignore[arg-type]
            "rating_count": len(self.ratings),
        }


def report_summary(session: Session, site: Site, start: dt.date, end: dt.date) -> dict:
    """What the report page shows beside the daily rows, days ``start``..``end``:

    - ``totals``: the figures of every ticket (one row like :data:`GROUP_COLUMNS`);
    - ``by_counter`` / ``by_staff``: ``{"name", **figures}`` per counter and staff member
      that handled tickets (a ticket counts where it was last called; ratings count where
      the rated visit was served);
    - ``hours``: ``[(local hour 0-23, tickets issued in it)]`` over 07-17h and any busy
      hour outside it;
    - ``comments``: ratings with a comment, newest first (service, counter, staff, rating,
      text, local time).
    """
    tz = ZoneInfo(site.timezone)
    services = {s.id: s for s in session.scalars(
        sa.select(Service).where(Service.site_id == site.id))}
    counters = {c.id: c for c in session.scalars(
        sa.select(Counter).where(Counter.site_id == site.id))}
    tickets = session.execute(
        sa.select(Ticket.id, Ticket.status, Ticket.issued_at, Ticket.called_at,
                  Ticket.serving_at, Ticket.done_at, Ticket.counter_id, Ticket.staff_id)
        .where(Ticket.site_id == site.id, Ticket.day >= start, Ticket.day <= end)
    ).all()
    ratings = session.execute(
        sa.select(SurveyResponse.ticket_id, SurveyResponse.rating, SurveyResponse.comment,
                  SurveyResponse.created_at, SurveyResponse.service_id,
                  SurveyResponse.counter_id, SurveyResponse.staff_id)
        .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
        .where(Ticket.site_id == site.id, Ticket.day >= start, Ticket.day <= end)
    ).all()
    by_ticket = {r.ticket_id: r.rating for r in ratings}
    staff_ids = {t.staff_id for t in tickets if t.staff_id} | {
        r.staff_id for r in ratings if r.staff_id}
    users = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(staff_ids)))
             } if staff_ids else {}
    total = _Group()
    per_counter: dict[int, _Group] = {}
    per_staff: dict[int, _Group] = {}
    hours: dict[int, int] = {}
    for t in tickets:
        args = (t.status, t.issued_at, t.called_at, t.serving_at, t.done_at,
                by_ticket.get(t.id))
        total.add(*args)
        if t.counter_id is not None:
            per_counter.setdefault(t.counter_id, _Group()).add(*args)
        if t.staff_id is not None:
            per_staff.setdefault(t.staff_id, _Group()).add(*args)
        if t.issued_at is not None:
            hour = t.issued_at.replace(tzinfo=dt.UTC).astimezone(tz).hour
            hours[hour] = hours.get(hour, 0) + 1

    def staff_name(uid: int | None) -> str:
        user = users.get(uid) if uid is not None else None
        return (user.full_name or user.username) if user else "—"

    by_counter = [{"name": counters[cid].name if cid in counters else str(cid), **g.figures()}
                  for cid, g in sorted(per_counter.items(), key=lambda kv: (
                      counters[kv[0]].number if kv[0] in counters else kv[0]))]
    by_staff = sorted(({"name": staff_name(uid), **g.figures()}
                       for uid, g in per_staff.items()), key=lambda r: r["name"])
    # The working day (07-17h) at least, so one busy hour does not fill the whole chart.
    span = range(min(7, *hours), max(17, *hours) + 1) if hours else range(0)
    comments = [{
        "service": services[r.service_id].name_vi if r.service_id in services else "",
        "counter": counters[r.counter_id].name if r.counter_id in counters else "—",
        "staff": staff_name(r.staff_id), "rating": r.rating, "comment": r.comment,
        "at": r.created_at.replace(tzinfo=dt.UTC).astimezone(tz).strftime("%d/%m %H:%M"),
    } for r in sorted(ratings, key=lambda r: r.created_at, reverse=True) if r.comment]
    return {"totals": total.figures(), "by_counter": by_counter, "by_staff": by_staff,
            "hours": [(h, hours.get(h, 0)) for h in span], "comments": comments}


def hour_chart(hours: list[tuple[int, int]], width: int = 720, height: int = 220) -> dict:
    """Geometry of the load-per-hour bar chart, drawn as SVG by the report template.

    ``hours``: ``[(local hour, tickets)]``. Returns the SVG ``width``/``height`` (px), the
    ``bars`` (x, y, w, h in px, the hour and the count) and the y-axis ``ticks``
    (value, y px).
    """
    left, bottom, top = 36, 24, 12
    if not hours:
        return {"width": width, "height": height, "bars": [], "ticks": [], "left": left,
                "base": height - bottom}
    peak = max(n for _, n in hours) or 1
    step = max(1, math.ceil(peak / 4))
    scale = (height - bottom - top) / (step * math.ceil(peak / step))
    slot = (width - left) / len(hours)
    bars = [{"x": round(left + i * slot + slot * 0.15, 1), "w": round(slot * 0.7, 1),
             "y": round(height - bottom - n * scale, 1), "h": round(n * scale, 1),
             "hour": h, "count": n, "mid": round(left + i * slot + slot / 2, 1)}
            for i, (h, n) in enumerate(hours)]
    ticks = [{"value": v, "y": round(height - bottom - v * scale, 1)}
             for v in range(0, step * math.ceil(peak / step) + 1, step)]
    return {"width": width, "height": height, "bars": bars, "ticks": ticks, "left": left,
            "base": height - bottom}


def csv_cell(value: object) -> object:
    """A value for a spreadsheet cell: text starting with ``= + - @`` (or a tab or carriage
    return) gets a leading apostrophe, so a service name from a catalogue file is shown as
    text and never run as a formula ("CSV injection"). Numbers are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
