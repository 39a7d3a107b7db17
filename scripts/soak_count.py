"""The soak's counting (scripts/soak.py): what was issued, printed, uploaded, lost or
duplicated, read back from where it really is — the kiosks' SQLite files, the server's
PostgreSQL schema, the bytes each fake printer received and the citizens' event logs.

Printed tickets are decoded from the ESC/POS bytes (GS v 0 raster images, one job per
``ESC @``) and identified by rendering every kiosk ticket again with the kiosk's own
printer code and comparing the pixels (with and without the survey QR, which the server
adds after upload). A printed image that matches no kiosk ticket is a printed ticket the
kiosk does not know: lost.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ESC_INIT = b"\x1b@"
GS_V_0 = b"\x1dv0"


@dataclass
class KioskFigures:
    """One kiosk's numbers at the end of the soak."""

    name: str
    issued: int = 0
    printed_recorded: int = 0
    print_jobs: int = 0
    print_jobs_matched: int = 0
    print_jobs_unknown: int = 0
    print_jobs_undecodable: int = 0
    tickets_printed_at_printer: int = 0
    printed_not_recorded: int = 0
    recorded_not_printed: int = 0
    reprints_at_printer: int = 0
    outbox_pending: int = 0
    outbox_refused: int = 0
    uploaded: int = 0
    not_on_server: list[str] = field(default_factory=list)
    number_differs_on_server: list[str] = field(default_factory=list)
    shown_not_in_db: list[str] = field(default_factory=list)
    citizens_served: int = 0
    reprints_shown: int = 0
    print_failed_shown: int = 0
    longest_without_number_s: float = 0.0
    wait_median_s: float = 0.0
    wait_p95_s: float = 0.0


def _jobs(data: bytes) -> list[list[tuple[int, int, bytes]]]:
    """The raster blocks of ``data`` grouped into print jobs (a job starts at ESC @).

    Each block is ``(width_bytes, height, body)``; a truncated block (a connection cut
    mid-ticket) ends its job and is reported as an empty block list marker ``[]``.
    """
    jobs: list[list[tuple[int, int, bytes]]] = []
    current: list[tuple[int, int, bytes]] | None = None
    pos = 0
    while True:
        start = data.find(GS_V_0, pos)
        if start < 0:
            break
        if current is None or ESC_INIT in data[pos:start]:
            if current:
                jobs.append(current)
            current = []
        header = data[start + 3:start + 8]
        if len(header) < 5:
            jobs.append([])
            current = None
            break
        width_bytes = header[1] | header[2] << 8
        height = header[3] | header[4] << 8
        size = width_bytes * height
        body = data[start + 8:start + 8 + size]
        if len(body) < size:
            jobs.append([])
            current = None
            break
        current.append((width_bytes, height, bytes(body)))
        pos = start + 8 + size
    if current:
        jobs.append(current)
    return jobs


def _job_digest(blocks: list[tuple[int, int, bytes]]) -> str:
    """A digest of the printed picture (the blocks' bits stacked)."""
    h = hashlib.sha256()
    for width_bytes, _height, body in blocks:
        h.update(width_bytes.to_bytes(2, "little"))
        h.update(body)
    return h.hexdigest()


def _rendered_digests(data_dir: Path, rows: list[Any]) -> dict[str, str]:
    """``{digest of the printed picture: ticket id}`` for every way a kiosk ticket can be
    printed: with and without its survey QR (the QR comes with the server's answer)."""
    from config import Settings
    from kiosk.adapters.sync import load_catalogue
    from kiosk.model import services_from_settings
    from printer.encode import encode_image
    from printer.service import TicketPrinter
    from printer.ticket import Ticket as TicketLayout

    settings = Settings()
    services = {s.code: s for s in (load_catalogue(data_dir) or
                                    services_from_settings(settings.kiosk))}
    printer = TicketPrinter(settings.printer, data_dir, url="file:///dev/null")
    out: dict[str, str] = {}
    for row in rows:
        svc = services.get(row.service)
        name = svc.name("vi") if svc else row.service
        counters = [c.strip() for c in (row.counters or "").split(",") if c.strip()]
        for survey in {None, row.survey_url}:
            layout = TicketLayout(
                centre_name=settings.kiosk.centre_name, service_name=name, number=row.number,
                issued_at=row.issued_at.astimezone(),
                people_ahead=row.people_ahead, counters=counters, greeting_name=None,
                priority=bool(row.priority), survey_url=survey, language="vi")
            data = encode_image(printer.render(layout), printer.profile,
                                feed_lines=settings.printer.feed_lines, cut=settings.printer.cut)
            for blocks in _jobs(data):
                out[_job_digest(blocks)] = row.id
    return out


def _events(path: Path) -> list[dict[str, Any]]:
    out = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass  # a line cut by kill -9
    return out


def citizen_waits(events: list[dict[str, Any]], kills: list[float]) -> tuple[list[float], float]:
    """Each served citizen's wait (first 'want' to 'got', carried across kiosk restarts)
    and the longest time a citizen could not get a number: that, or from a kill -9 to the
    next number shown (a citizen arriving just as the kiosk died)."""
    timeline = sorted([(e["t"], e["ev"]) for e in events if e["ev"] in ("want", "got")] +
                      [(t, "kill") for t in kills])
    waits: list[float] = []
    longest = 0.0
    waiting_since: float | None = None
    for t, ev in timeline:
        if ev in ("want", "kill"):
            if waiting_since is None:
                waiting_since = t
        elif ev == "got" and waiting_since is not None:
            waits.append(t - waiting_since)
            longest = max(longest, t - waiting_since)
            waiting_since = None
    return waits, longest


def count(kiosks: list[dict[str, Any]], server_url: str) -> dict[str, Any]:
    """All figures. ``kiosks``: ``{"name", "data_dir", "printer_bytes", "events",
    "kills"}`` each; ``server_url``: the server's database URL."""
    engine = sa.create_engine(server_url)
    with engine.connect() as conn:
        server = {r.id: r for r in conn.execute(sa.text(
            "select t.id, t.number, t.day, t.number_service_id, t.seq, t.status, "
            "k.name as kiosk from tickets t left join kiosks k on k.id = t.kiosk_id"))}
        withdrawn = Counter(o for (o,) in conn.execute(sa.text(
            "select outcome from withdrawn_tickets")))
    engine.dispose()
    figures: list[KioskFigures] = []
    all_kiosk_numbers: Counter[tuple[Any, str, str]] = Counter()
    all_ids: set[str] = set()
    for k in kiosks:
        f = KioskFigures(k["name"])
        rows, outbox = _kiosk_rows(Path(k["data_dir"]))
        f.issued = len(rows)
        ids = {r.id for r in rows}
        all_ids |= ids
        for r in rows:
            all_kiosk_numbers[(r.day, r.service, r.number)] += 1
        f.printed_recorded = sum(1 for r in rows if r.print_state == "printed")
        f.outbox_pending = sum(1 for o in outbox if o.sent_at is None and o.refused_at is None)
        f.outbox_refused = sum(1 for o in outbox if o.refused_at is not None)
        for r in rows:
            s = server.get(r.id)
            if s is None:
                f.not_on_server.append(r.number)
            else:
                f.uploaded += 1
                if s.number != r.number:
                    f.number_differs_on_server.append(f"{r.number}->{s.number}")
        # printed bytes
        digests = _rendered_digests(Path(k["data_dir"]), rows)
        jobs = _jobs(k["printer_bytes"])
        f.print_jobs = len(jobs)
        printed_ids: Counter[str] = Counter()
        for blocks in jobs:
            if not blocks:
                f.print_jobs_undecodable += 1
                continue
            tid = digests.get(_job_digest(blocks))
            if tid is None:
                f.print_jobs_unknown += 1
            else:
                f.print_jobs_matched += 1
                printed_ids[tid] += 1
        f.tickets_printed_at_printer = len(printed_ids)
        f.reprints_at_printer = sum(printed_ids.values()) - len(printed_ids)
        recorded = {r.id for r in rows if r.print_state == "printed"}
        f.printed_not_recorded = len(set(printed_ids) - recorded)
        f.recorded_not_printed = len(recorded - set(printed_ids))
        # citizens
        events = _events(Path(k["events"]))
        got = [e for e in events if e["ev"] == "got"]
        f.citizens_served = len(got)
        f.reprints_shown = sum(1 for e in got if e.get("reprint"))
        f.print_failed_shown = sum(1 for e in got if e.get("print_failed"))
        f.shown_not_in_db = sorted({e["number"] for e in got if e["id"] not in ids})
        waits, longest = citizen_waits(events, k["kills"])
        f.longest_without_number_s = round(longest, 1)
        if waits:
            f.wait_median_s = round(statistics.median(waits), 2)
            f.wait_p95_s = round(sorted(waits)[int(0.95 * (len(waits) - 1))], 2)
        figures.append(f)
    dup_kiosk = sorted(f"{d} {s} {n} x{c}" for (d, s, n), c in all_kiosk_numbers.items()
                       if c > 1)
    seqs: Counter[tuple[Any, Any, Any]] = Counter(
        (s.day, s.number_service_id, s.seq) for s in server.values())
    nums: Counter[tuple[Any, Any, str]] = Counter(
        (s.day, s.number_service_id, s.number) for s in server.values())
    dup_server = sorted({f"{d} {svc} {n}" for (d, svc, n), c in nums.items() if c > 1} |
                        {f"{d} {svc} seq {q}" for (d, svc, q), c in seqs.items() if c > 1})
    printed_unknown = sum(f.print_jobs_unknown for f in figures)
    lost_tickets = sum(len(f.not_on_server) + len(f.shown_not_in_db) for f in figures)
    return {
        "kiosks": [f.__dict__ for f in figures],
        "server_tickets": len(server),
        "issued": sum(f.issued for f in figures),
        "uploaded": sum(f.uploaded for f in figures),
        "printed_tickets": sum(f.tickets_printed_at_printer for f in figures),
        "print_jobs": sum(f.print_jobs for f in figures),
        "lost": lost_tickets + printed_unknown,
        "lost_detail": {
            "kiosk_ticket_not_on_server": sum(len(f.not_on_server) for f in figures),
            "number_shown_not_in_kiosk_db": sum(len(f.shown_not_in_db) for f in figures),
            "printed_ticket_unknown_to_kiosk": printed_unknown,
        },
        "duplicated": len(dup_kiosk) + len(dup_server),
        "duplicated_detail": {"kiosks": dup_kiosk[:20], "server": dup_server[:20]},
        # on the server, in no kiosk: numbers nobody holds (the ids of online requests the
        # kiosks gave up waiting for); cancelled when the kiosk withdrew them
        "server_only_tickets": sorted(f"{s.kiosk} {s.number} {s.status}"
                                      for s in server.values() if s.id not in all_ids),
        # ghosts (must be 0): of those, the ones not cancelled — staff would call them in vain
        "ghosts": sum(1 for s in server.values()
                      if s.id not in all_ids and s.status != "cancelled"),
        # the kiosks' withdrawals as the server answered them (unknown: it had not stored
        # the id yet and refuses it when it comes; cancelled; called...: too late)
        "withdrawn": dict(sorted(withdrawn.items())),
        "number_differs_on_server": sum(len(f.number_differs_on_server) for f in figures),
        "longest_without_number_s": max((f.longest_without_number_s for f in figures),
                                        default=0.0),
    }


def _kiosk_rows(data_dir: Path) -> tuple[list[Any], list[Any]]:
    """The kiosk's tickets and outbox rows, read with the kiosk's own table classes."""
    from sqlalchemy.orm import Session

    from kiosk.tickets import OutboxEntry, TicketRow

    db = sa.create_engine(f"sqlite:///{data_dir / 'kiosk.db'}")
    try:
        with Session(db) as s:
            rows = list(s.scalars(sa.select(TicketRow)))
            outbox = list(s.scalars(sa.select(OutboxEntry)))
            s.expunge_all()
        return rows, outbox
    finally:
        db.dispose()


def memory_growth(samples: list[dict[str, Any]], min_span_s: float = 300.0) -> dict[str, Any]:
    """MB per hour for each process (role and pid), least-squares over its samples after
    its first 2 minutes (start-up allocations are not growth); processes that lived less
    than ``min_span_s`` after that are left out. ``samples``: ``{"t", "role", "pid",
    "rss_mb"}``."""
    series: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    for s in samples:
        series[(s["role"], s["pid"])].append((s["t"], s["rss_mb"]))
    out: dict[str, Any] = {}
    for (role, pid), pts in series.items():
        t0 = pts[0][0]
        pts = [p for p in pts if p[0] - t0 >= 120]
        if len(pts) < 5 or pts[-1][0] - pts[0][0] < min_span_s:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / \
            sum((x - mx) ** 2 for x in xs)
        out.setdefault(role, []).append({
            "pid": pid, "minutes": round((xs[-1] - xs[0]) / 60, 1),
            "first_mb": round(ys[0], 1), "last_mb": round(ys[-1], 1),
            "max_mb": round(max(ys), 1), "mb_per_hour": round(slope * 3600, 1)})
    return out
