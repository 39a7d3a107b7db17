"""Leases: blocks of today's numbers reserved for a kiosk's offline use."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.domain.clock import local_day
from server.domain.numbering import reserve_numbers
from server.domain.refs import KioskRef, ServiceRef, SiteRef, find_service
from server.errors import Invalid
from server.models import Kiosk, Lease, Site, utcnow


def lease_numbers(
    session: Session, settings: QueueServerSettings, site: Site | SiteRef,
    kiosk: Kiosk | KioskRef, service_code: str, size: int | None, *,
    now: dt.datetime | None = None,
) -> tuple[Lease, ServiceRef]:
    """Reserve a block of today's numbers of a service for the kiosk's offline use."""
    size = size or settings.lease_block_size
    if size < 1 or size > settings.max_lease_size:
        raise Invalid(f"size must be between 1 and {settings.max_lease_size}")
    service = find_service(session, site, service_code)
    day = local_day(site, now)
    last = reserve_numbers(session, service.id, day, size)
    lease = Lease(site_id=site.id, service_id=service.id, kiosk_id=kiosk.id, day=day,
                  first_seq=last - size + 1, last_seq=last, created_at=now or utcnow())
    session.add(lease)
    session.flush()
    return lease, service

