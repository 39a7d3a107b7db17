"""The queue server's tables (SQLAlchemy 2). Times are stored as naive UTC.

The schema itself is created by the Alembic migrations in ``server/migrations``; a test
checks that these models and the migrations agree.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ticketing.status import TicketStatus
from ticketing.workdays import DayNote, WorkCalendar


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
    #: days a registry citizen may go unseen before the retention job erases them;
    #: None: the server's ``registry_retention_days``, 0: off for this site
    registry_retention_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    #: the ISO weekdays the centre works, as digits ("12345": Monday to Friday)
    working_days: Mapped[str] = mapped_column(sa.String(7), default="12345",
                                              server_default="12345")
    #: on a working Saturday, services close at this time ("HH:MM"; None: their full hours)
    saturday_closes_at: Mapped[str | None] = mapped_column(sa.String(5), nullable=True)
    #: closed days and make-up working days (docs/hours.md)
    days: Mapped[list[SiteDay]] = relationship(order_by="SiteDay.day", lazy="selectin",
                                               cascade="all, delete-orphan")

    @property
    def calendar(self) -> WorkCalendar:
        """The site's working calendar (``ticketing.workdays``)."""
        return WorkCalendar(
            frozenset(int(c) for c in self.working_days if c.isdigit()),
            self.saturday_closes_at,
            tuple(DayNote(d.day, d.note) for d in self.days if not d.open),
            tuple(DayNote(d.day, d.note) for d in self.days if d.open))

    def set_working_week(self, days: frozenset[int], saturday_closes_at: str | None) -> None:
        """Store the working weekdays (ISO, as ``"12345"``) and the Saturday closing time."""
        self.working_days = "".join(str(d) for d in sorted(days))
        self.saturday_closes_at = saturday_closes_at


class SiteDay(Base):
    """A dated exception to a site's working week: a closed day (public holiday, Tết, a
    move; ``open`` False) or a make-up working day (``open`` True), with a short note."""

    __tablename__ = "site_days"
    __table_args__ = (sa.UniqueConstraint("site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"),
                                         index=True)
    day: Mapped[dt.date] = mapped_column(sa.Date)
    open: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    note: Mapped[str] = mapped_column(sa.String(200), default="")


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
    version: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)


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


class WithdrawnTicket(Base):
    """A ticket id a kiosk gave up waiting for (its online request timed out and the citizen
    got a leased number under another id): the withdrawal's record and, when the id was not
    stored yet, a tombstone that refuses the late request (docs/server-api.md)."""

    __tablename__ = "withdrawn_tickets"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    kiosk_id: Mapped[int] = mapped_column(sa.ForeignKey("kiosks.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(32))
    #: what the withdrawal found: unknown (not stored: the id is reserved), cancelled,
    #: already_cancelled, or the status of a ticket already past waiting (called...)
    outcome: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


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
    """A citizen's rating of one finished visit (at most one per ticket), linked to the
    counter and staff member of that visit."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[str] = mapped_column(sa.ForeignKey("tickets.id"), unique=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id"))
    # Who served the visit rated (None for ratings stored before revision 0004).
    counter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counters.id"), nullable=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    rating: Mapped[int] = mapped_column(sa.Integer)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    # The five criteria of the Ministry of Home Affairs' satisfaction index (SIPAS), each
    # 1..5; None on ratings given with the single-question survey (/s/...). ``rating`` is
    # then their rounded mean, so older reports keep one figure per ticket.
    score_access: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    score_procedure: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    score_official: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    score_result: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    score_feedback: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)


class WebhookDelivery(Base):
    """One notification to the centre's webhook (a ticket near the front, or called):
    the body sent, how many tries, and how the last one went; staff read this log."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    ticket_id: Mapped[str] = mapped_column(sa.ForeignKey("tickets.id"))
    event: Mapped[str] = mapped_column(sa.String(16))  # "near" or "called"
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # delivered/failed
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow,
                                                         index=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, nullable=True)


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


class StaffSession(Base):
    """A staff log-in held on the server: the cookie carries a random token, only its
    SHA-256 is stored. Logging out, a password change and disabling the user delete it."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, index=True)
    address: Mapped[str] = mapped_column(sa.String(64), default="")


class LoginFailure(Base):
    """Failed log-ins per user name (``u:NAME``) and per client address (``a:ADDR``), for
    throttling: ``failures`` within the window, and until when further tries are refused."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, nullable=True)


# ---- The citizen registry of a site (issue 10; see docs/registry.md) ----------------------


class RegistryCitizen(Base):
    """An enrolled citizen of a site. The id number only as keyed hash, ciphertext and
    masked form (sealed with the registry key, which is never in the database)."""

    __tablename__ = "registry_citizens"
    __table_args__ = (sa.UniqueConstraint("site_id", "id_number_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    display_name: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    id_number_digest: Mapped[str] = mapped_column(sa.String(64))
    id_number_sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    id_number_masked: Mapped[str] = mapped_column(sa.String(16))
    date_of_birth: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    priority_group: Mapped[str] = mapped_column(sa.String(16), default="none")
    #: "male", "female" (from the ID card at enrolment) or None: never guessed
    sex: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)


class RegistryTemplate(Base):
    """A face template (128 float32) sealed with AES-GCM, bound to its citizen."""

    __tablename__ = "registry_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registry_citizens.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    quality: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


class RegistryConsent(Base):
    """A consent to face enrolment: which text, when, how, who took it; its withdrawal."""

    __tablename__ = "registry_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registry_citizens.id", ondelete="CASCADE"), index=True)
    text_version: Mapped[str] = mapped_column(sa.String(20))
    given_at: Mapped[dt.datetime] = mapped_column(sa.DateTime)
    channel: Mapped[str] = mapped_column(sa.String(16))  # kiosk, import, staff
    staff: Mapped[str] = mapped_column(sa.String(100))
    kiosk_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)


class RegistryChange(Base):
    """The site's change feed that kiosks pull: one row per change of a citizen (their
    row, templates or erasure). Written under a lock on the site row, so ``seq`` order is
    commit order."""

    __tablename__ = "registry_changes"
    # SQLite would reuse the highest seq after its row is dropped; kiosks' cursors need
    # seqs that only grow.
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # upsert, delete
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


class RegistryEnrolment(Base):
    """An enrolment pushed by a kiosk, by its client UUID: a retry gets the same answer."""

    __tablename__ = "registry_enrolments"

    client_uuid: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    kiosk_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    citizen_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    result: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow)


class RegistryAudit(Base):
    """Every read of a citizen's data and every change (kept after erasure: no name, no id
    number, only the citizen's number in the registry)."""

    __tablename__ = "registry_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)
    site_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    citizen_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(32))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
