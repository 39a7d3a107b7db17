"""Plain, cached copies of what issuing needs of sites, services and kiosks, and the
small time-limited cache that holds them (keeps the hot path off the database)."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.errors import Invalid, NotFound
from server.models import Service, Site
from ticketing.workdays import WorkCalendar


@dataclass(frozen=True)
class ServiceRef:
    """What issuing needs of a service, cached for a few seconds per process."""

    id: int
    site_id: int
    code: str
    prefix: str
    name_vi: str
    name_en: str
    opens_at: str
    closes_at: str
    daily_cap: int | None
    sort_order: int


@dataclass(frozen=True)
class SiteRef:
    id: int
    code: str
    name: str
    timezone: str
    #: the site's working calendar (weekdays, closed days), as cached with the rest
    calendar: WorkCalendar = WorkCalendar()


@dataclass(frozen=True)
class KioskRef:
    id: int
    site_id: int
    name: str


CACHE_SECONDS = 10.0


class TTLCache:
    """A small thread-safe cache whose entries live ``ttl`` seconds. It keeps the hot path
    of issuing (kiosk token, service, counters) off the database; changes made elsewhere
    (a disabled kiosk, a new catalogue) reach a running server within ``ttl``."""

    def __init__(self, ttl: float = CACHE_SECONDS, size: int = 10000) -> None:
        self.ttl = ttl
        self.size = size
        self._data: dict[object, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: object) -> object | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is None or hit[0] < time.monotonic():
                return None
            return hit[1]

    def put(self, key: object, value: object) -> None:
        # Each entry lives between 3/4 and all of ttl: entries filled together (every kiosk
        # on a server's first minute) do not all expire in the same instant and send their
        # queries in one burst.
        ttl = self.ttl * (0.75 + 0.25 * random.random())
        with self._lock:
            if len(self._data) >= self.size:
                self._data.clear()
            self._data[key] = (time.monotonic() + ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_services = TTLCache()



def bind_key(session: Session) -> object:
    """What the caches key a database by: its engine, by identity (hashing its URL renders
    the URL as text, which costs more than the query a cache saves)."""
    return session.get_bind()


def service_ref(service: Service) -> ServiceRef:
    """The plain, cacheable copy of a service row."""
    return ServiceRef(service.id, service.site_id, service.code, service.prefix,
                      service.name_vi, service.name_en, service.opens_at, service.closes_at,
                      service.daily_cap, service.sort_order)


def find_service(session: Session, site: Site | SiteRef, code: str) -> ServiceRef:
    """The active service ``code`` of the site (cached for a few seconds)."""
    key = (bind_key(session), "code", site.id, code)
    hit = _services.get(key)
    if isinstance(hit, ServiceRef):
        return hit
    service = session.scalar(
        sa.select(Service).where(Service.site_id == site.id, Service.code == code,
                                 Service.active.is_(True))
    )
    if service is None:
        raise Invalid(f"unknown service {code!r} at site {site.code}")
    ref = service_ref(service)
    _services.put(key, ref)
    return ref


def service_by_id(session: Session, service_id: int) -> ServiceRef:
    """The service with this id, active or not (cached for a few seconds)."""
    key = (bind_key(session), "id", service_id)
    hit = _services.get(key)
    if isinstance(hit, ServiceRef):
        return hit
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound(f"no service {service_id}")
    ref = service_ref(service)
    _services.put(key, ref)
    return ref


