"""Kiosk health reports: a kiosk says what needs staff (printer out of paper, no camera...);
the console's index page shows the last report of every kiosk of the site, one line each.

``POST /api/v1/kiosk/health`` (kiosk token) replaces the kiosk's last report.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from server.auth import authenticate, kiosk_token
from server.models import Kiosk, KioskHealth, utcnow
from server.schemas import COMMON, ERRORS

router = APIRouter(prefix="/api/v1", responses=COMMON)

#: a kiosk that has not reported for this long is shown as silent
SILENT_AFTER = dt.timedelta(minutes=10)


class KioskHealthIn(BaseModel):
    """What a kiosk reports: device states (short codes) and lines for staff."""

    printer: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="Printer problem code ('paper_out', 'offline'...); null: it prints.")
    camera: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="Camera state when not running ('no camera', 'reconnecting').")
    alerts: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=10, description="Lines for staff, newest last.")
    version: Annotated[str, Field(max_length=40, pattern=r"^[0-9A-Za-z.+\-]*$")] | None = Field(
        None, description="The kiosk software's version (`kiosk --version`).")


def store_health(session: Session, kiosk_id: int, report: KioskHealthIn,
                 now: dt.datetime | None = None) -> None:
    """Replace the last report of ``kiosk_id``."""
    row = session.get(KioskHealth, kiosk_id)
    if row is None:
        row = KioskHealth(kiosk_id=kiosk_id)
        session.add(row)
    row.reported_at = now or utcnow()
    row.printer = report.printer
    row.camera = report.camera
    row.alerts = "\n".join(report.alerts)
    if report.version:
        row.version = report.version


def health_lines(session: Session, site_id: int | None,
                 now: dt.datetime | None = None) -> list[dict[str, object]]:
    """One entry per active kiosk (of ``site_id``, or all): name, last report time (UTC),
    problems (list of short texts), ``ok`` and ``silent`` (no report for 10 min or never)."""
    now = now or utcnow()
    stmt = (sa.select(Kiosk, KioskHealth).outerjoin(KioskHealth, KioskHealth.kiosk_id == Kiosk.id)
            .where(Kiosk.active.is_(True)).order_by(Kiosk.site_id, Kiosk.name))
    if site_id is not None:
        stmt = stmt.where(Kiosk.site_id == site_id)
    lines = []
    for kiosk, health in session.execute(stmt):
        problems: list[str] = []
        if health is not None:
            if health.printer:
                problems.append(f"printer: {health.printer}")
            if health.camera:
                problems.append(f"camera: {health.camera}")
            problems += [a for a in health.alerts.split("\n") if a]
        silent = health is None or now - health.reported_at > SILENT_AFTER
        lines.append({"id": kiosk.id, "name": kiosk.name,
                      "reported_at": health.reported_at if health else None,
                      "version": health.version if health else None,
                      "problems": problems, "ok": not problems and not silent,
                      "silent": silent})
    return lines


@router.post("/kiosk/health", status_code=204, tags=["kiosk"], responses=ERRORS)
async def report_health(body: KioskHealthIn, request: Request,
                        token: Annotated[str, Depends(kiosk_token)]) -> Response:
    """Store the kiosk's health report (replaces its previous one)."""
    state = request.app.state.qs

    def store() -> None:
        with state.db.session() as s:
            kiosk, _site = authenticate(s, token)
            store_health(s, kiosk.id, body)

    await run_in_threadpool(store)
    return Response(status_code=204)
