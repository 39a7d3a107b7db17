"""The queue server's tables (SQLAlchemy 2). Times are stored as naive UTC.

The schema itself is created by the Alembic migrations in ``server/migrations``; a test
checks that these models and the migrations agree.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ticketing.status import TicketStatus


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def utcnow() -> dt.datetime:
    """Now, as naive UTC (what every column stores)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# Staff roles, from least to most rights.
ROLE_STAFF, ROLE_MANAGER, ROLE_ADMIN = "staff", "manager", "admin"
ROLES = (ROLE_STAFF, ROLE_MANAGER, ROLE_ADMIN)


class Site(Base):
    """A one-stop centre."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


counter_services = sa.Table(
    "counter_services",
    Base.metadata,
    sa.Column("counter_id", sa.ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("service_id", sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Service(Base):
    """A kind of procedure citizens queue for (lĩnh vực), with its own numbering."""

    __tablename__ = "services"
    __table_args__ = (sa.UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32))
    prefix: Mapped[str] = mapped_column(sa.String(4))
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    opens_at: Mapped[str] = mapped_column(sa.String(5), default="07:30")
    closes_at: Mapped[str] = mapped_column(sa.String(5), default="17:00")
    daily_cap: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(sa.Integer, default=0)

    counters: Mapped[list[Counter]] = relationship(
        secondary=counter_services, back_populates="services", order_by="Counter.number"
    )


class Counter(Base):
    """A desk (quầy) where staff serve one or more services."""

    __tablename__ = "counters"
    __table_args__ = (sa.UniqueConstraint("site_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(100))
    is_open: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Priority tickets called in a row here (for the priority ratio).
    priority_streak: Mapped[int] = mapped_column(sa.Integer, default=0)

    services: Mapped[list[Service]] = relationship(
        secondary=counter_services, back_populates="counters", order_by="Service.sort_order"
    )


class Kiosk(Base):
    """A number-taking kiosk; authenticates with a bearer token stored as its SHA-256."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


class KioskHealth(Base):
    """The last health report of a kiosk (printer, camera, alerts for staff), one row per
    kiosk, replaced by each report."""

    __tablename__ = "kiosk_health"

    kiosk_id: Mapped[int] = mapped_column(sa.ForeignKey("kiosks.id"), primary_key=True)
    reported_at: Mapped[dt.datetime] = mapped_column(sa.DateTime)
    printer: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    camera: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    alerts: Mapped[str] = mapped_column(sa.Text, default="")


class User(Base):
    """A staff member: counter staff, manager or admin (argon2 password hash)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16))
    # None: every site (admins of a city).
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id"), nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


class DailySequence(Base):
    """Per service and local day: the last number handed out (online or leased) and how
    many tickets wait in that queue now (see :func:`server.domain.numbering.bump_sequences`)."""

    __tablename__ = "daily_sequences"

    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.Integer, default=0)
    waiting: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")


class Lease(Base):
    """A block of numbers [first_seq, last_seq] a kiosk may issue offline on ``day``."""

    __tablename__ = "leases"
    __table_args__ = (sa.Index(None, "service_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    kiosk_id: Mapped[int] = mapped_column(sa.ForeignKey("kiosks.id"), index=True)
    day: Mapped[dt.date] = mapped_column(sa.Date)
    first_seq: Mapped[int] = mapped_column(sa.Integer)
    last_seq: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


class Ticket(Base):
    """A queue ticket. ``id`` is the UUID the kiosk chose (the idempotency key).

    ``number_service_id`` is the service that numbered it (unique with day and seq);
    ``service_id`` is the queue it is in now (differs after a transfer).
    """

    __tablename__ = "tickets"
    __table_args__ = (
        sa.UniqueConstraint("number_service_id", "day", "seq"),
        sa.Index(None, "site_id", "day", "service_id", "status", "queue_at"),
        sa.Index(None, "site_id", "day", "citizen_id"),
        sa.Index(None, "counter_id", "status"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    number_service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    day: Mapped[dt.date] = mapped_column(sa.Date)
    seq: Mapped[int] = mapped_column(sa.Integer)
    number: Mapped[str] = mapped_column(sa.String(16))
    priority: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    citizen_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosks.id"), nullable=True)
    offline: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=TicketStatus.WAITING.value)
    issued_at: Mapped[dt.datetime] = mapped_column(sa.DateTime)
    # Place in the queue: the issue time (kept across transfers).
    queue_at: Mapped[dt.datetime] = mapped_column(sa.DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    called_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, nullable=True)
    serving_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, nullable=True)
    no_show_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, nullable=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, nullable=True)
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counters.id"), nullable=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    recalls: Mapped[int] = mapped_column(sa.Integer, default=0)
    transferred_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("services.id"), nullable=True
    )

    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])


class TicketEvent(Base):
    """One step of a ticket's timeline; also what the display board follows."""

    __tablename__ = "ticket_events"
    __table_args__ = (sa.Index(None, "site_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[str] = mapped_column(sa.ForeignKey("tickets.id"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("services.id"), nullable=True)
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counters.id"), nullable=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosks.id"), nullable=True)
    detail: Mapped[str] = mapped_column(sa.String(200), default="")

    ticket: Mapped[Ticket] = relationship()


class SurveyResponse(Base):
    """A citizen's rating of one served ticket (at most one per ticket)."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[str] = mapped_column(sa.ForeignKey("tickets.id"), unique=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    rating: Mapped[int] = mapped_column(sa.Integer)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


class AuditLog(Base):
    """Who did what: every staff action and administrative change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id"), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    ticket_id: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    counter_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    detail: Mapped[str] = mapped_column(sa.Text, default="")


class AppSecret(Base):
    """Secrets generated on first start and shared by every server process."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
