"""The citizen registry (the kiosk's replica): citizens, their face templates, and the
audit log of who touched face data.

Face templates are stored sealed (``kiosk.crypto``); id numbers only as a keyed hash, a
ciphertext and a masked form. Every enrolment, deletion and viewing is written to
``audit_events`` in the same transaction as the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, sessionmaker

# The version lives with its text in kiosk.consent; re-exported for the registry's callers.
from kiosk.consent import CONSENT_TEXT_VERSION as CONSENT_TEXT_VERSION
from kiosk.crypto import FaceCipher
from kiosk.db import Base
from kiosk.id_card import mask_id_number
from kiosk.priority import PriorityGroup
from recognition.index import TemplateIndex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Citizen(Base):
    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    id_number_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    id_number_sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    id_number_masked: Mapped[str] = mapped_column(sa.String(16))
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    priority_group: Mapped[str] = mapped_column(sa.String(16), default=PriorityGroup.NONE)
    #: "male", "female" (the ID card's field at enrolment) or None: never guessed
    sex: Mapped[str | None] = mapped_column(sa.String(8))
    consent_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    consent_by: Mapped[str] = mapped_column(sa.String(100))
    consent_text_version: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    templates: Mapped[list[FaceTemplate]] = relationship(
        back_populates="citizen", cascade="all, delete-orphan", passive_deletes=True
    )


class FaceTemplate(Base):
    __tablename__ = "face_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        sa.ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    embedding_sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    quality: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    citizen: Mapped[Citizen] = relationship(back_populates="templates")


class LocalChange(Base):
    """A citizen whose templates changed in this database, in order: written by replica
    pulls and by the registry's own enrolments and erasures, so the recognition process
    (``kiosk.replica.ReplicaFollower``) picks up every change without a restart."""

    __tablename__ = "registry_local_changes"

    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[int] = mapped_column(sa.Integer)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(40))
    citizen_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    detail: Mapped[str] = mapped_column(sa.String(500), default="")


@dataclass(frozen=True)
class CitizenRecord:
    """A citizen as shown to an admin or the kiosk flow: never the full id number."""

    id: int
    full_name: str
    display_name: str | None
    id_number_masked: str
    date_of_birth: date | None
    priority_group: str
    consent_at: datetime
    consent_by: str
    templates: int
    consent_text_version: str = ""
    sex: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "citizen_id": self.id,
            "name": self.full_name,
            "display_name": self.display_name,
            "id_number": self.id_number_masked,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "priority_group": self.priority_group,
            "sex": self.sex,
            "consent_at": self.consent_at.isoformat(),
            "consent_by": self.consent_by,
            "templates": self.templates,
        }


@dataclass(frozen=True)
class NewTemplate:
    """A template about to be stored: the vector float32 (128,) and its quality figures."""

    vector: np.ndarray
    quality: dict[str, float]


class RegistryStore:
    """Citizens and templates in the kiosk database; keeps a ``TemplateIndex`` in step."""

    def __init__(self, engine: sa.Engine, cipher: FaceCipher) -> None:
        self.engine = engine
        self.cipher = cipher
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def _info(self, session: Any, c: Citizen) -> CitizenRecord:
        count = session.scalar(
            sa.select(sa.func.count(FaceTemplate.id)).where(FaceTemplate.citizen_id == c.id)
        )
        return CitizenRecord(
            id=c.id, full_name=c.full_name, display_name=c.display_name,
            id_number_masked=c.id_number_masked, date_of_birth=c.date_of_birth,
            priority_group=c.priority_group, consent_at=c.consent_at, consent_by=c.consent_by,
            templates=int(count or 0), consent_text_version=c.consent_text_version,
            sex=c.sex,
        )

    def find_by_id_number(self, id_number: str) -> CitizenRecord | None:
        """The citizen with this id number, if enrolled."""
        digest = self.cipher.id_number_digest(id_number)
        with self._sessions() as s:
            c = s.scalar(sa.select(Citizen).where(Citizen.id_number_digest == digest))
            return self._info(s, c) if c else None

    def enrol(
        self,
        *,
        full_name: str,
        id_number: str,
        templates: list[NewTemplate],
        consent_by: str,
        date_of_birth: date | None = None,
        priority_group: PriorityGroup = PriorityGroup.NONE,
        display_name: str | None = None,
        consent_text_version: str = CONSENT_TEXT_VERSION,
        index: TemplateIndex | None = None,
        sex: str | None = None,
    ) -> tuple[CitizenRecord, bool, list[int]]:
        """Store a citizen (or add samples to the one with this id number) and templates,
        in one transaction with its audit event; then add them to ``index``.

        Returns (citizen, created, new template ids). ``id_number`` must already be valid.
        """
        if not templates:
            raise ValueError("no face template to store")
        digest = self.cipher.id_number_digest(id_number)
        now = utcnow()
        with self._sessions.begin() as s:
            c = s.scalar(sa.select(Citizen).where(Citizen.id_number_digest == digest))
            created = c is None
            if c is None:
                c = Citizen(
                    full_name=full_name, display_name=display_name,
                    id_number_digest=digest,
                    id_number_sealed=self.cipher.seal_text(id_number),
                    id_number_masked=mask_id_number(id_number),
                    date_of_birth=date_of_birth, priority_group=str(priority_group),
                    sex=sex, consent_at=now, consent_by=consent_by,
                    consent_text_version=consent_text_version,
                )
                s.add(c)
                s.flush()
            else:
                c.full_name = full_name
                c.display_name = display_name or c.display_name
                c.date_of_birth = date_of_birth or c.date_of_birth
                c.sex = sex or c.sex
                if priority_group != PriorityGroup.NONE:
                    c.priority_group = str(priority_group)
                c.consent_at, c.consent_by = now, consent_by
                c.consent_text_version = consent_text_version
            rows = [
                FaceTemplate(
                    citizen_id=c.id,
                    embedding_sealed=self.cipher.seal_template(t.vector, c.id),
                    quality=t.quality,
                )
                for t in templates
            ]
            s.add_all(rows)
            s.flush()
            s.add(AuditEvent(
                actor=consent_by, action="enrol" if created else "add_samples",
                citizen_id=c.id, detail=f"{len(rows)} template(s); consent {consent_text_version}",
            ))
            s.add(LocalChange(citizen_id=c.id))
            info = self._info(s, c)
            ids = [r.id for r in rows]
        if index is not None:
            index.add(ids, [info.id] * len(ids), np.stack([t.vector for t in templates]))
        return info, created, ids

    def get(self, citizen_id: int, *, actor: str | None = None) -> CitizenRecord | None:
        """One citizen; when ``actor`` is given the viewing is audited."""
        with self._sessions.begin() as s:
            c = s.get(Citizen, citizen_id)
            if c is None:
                return None
            if actor:
                s.add(AuditEvent(actor=actor, action="view", citizen_id=c.id))
            return self._info(s, c)

    def list(self, search: str | None = None, limit: int = 1000) -> list[CitizenRecord]:
        """Citizens by id, optionally whose name contains ``search`` (case-insensitive)."""
        with self._sessions() as s:
            q = sa.select(Citizen).order_by(Citizen.id).limit(limit)
            if search:
                q = q.where(Citizen.full_name.ilike(f"%{search}%"))
            counts = dict(
                s.execute(
                    sa.select(FaceTemplate.citizen_id, sa.func.count()).group_by(
                        FaceTemplate.citizen_id
                    )
                ).all()
            )
            return [
                CitizenRecord(
                    id=c.id, full_name=c.full_name, display_name=c.display_name,
                    id_number_masked=c.id_number_masked, date_of_birth=c.date_of_birth,
                    priority_group=c.priority_group, consent_at=c.consent_at,
                    consent_by=c.consent_by, templates=int(counts.get(c.id, 0)),
                    consent_text_version=c.consent_text_version, sex=c.sex,
                )
                for c in s.scalars(q)
            ]

    def delete(
        self, citizen_id: int, *, actor: str, index: TemplateIndex | None = None,
        action: str = "delete",
    ) -> int | None:
        """Delete a citizen and every template; return how many templates went, or
        ``None`` when there was no such citizen. Audited as ``action`` ('delete', or
        'withdraw_consent' when the citizen withdrew their consent)."""
        with self._sessions.begin() as s:
            c = s.get(Citizen, citizen_id)
            if c is None:
                return None
            n = s.execute(
                sa.delete(FaceTemplate).where(FaceTemplate.citizen_id == citizen_id)
            ).rowcount
            s.delete(c)
            s.add(LocalChange(citizen_id=citizen_id))
            s.add(AuditEvent(
                actor=actor, action=action, citizen_id=citizen_id,
                detail=f"{n} template(s) deleted",
            ))
        if index is not None:
            index.remove_citizen(citizen_id)
        return int(n)

    def audit_log(self, citizen_id: int | None = None) -> list[AuditEvent]:
        """Audit events, oldest first (for one citizen when given)."""
        with self._sessions() as s:
            q = sa.select(AuditEvent).order_by(AuditEvent.id)
            if citizen_id is not None:
                q = q.where(AuditEvent.citizen_id == citizen_id)
            return list(s.scalars(q))

    def load_index(self, index: TemplateIndex, batch: int = 50_000) -> int:
        """Fill ``index`` with every stored template; return how many were loaded."""
        index.clear()
        total = 0
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(
                sa.select(
                    FaceTemplate.id, FaceTemplate.citizen_id, FaceTemplate.embedding_sealed
                ).order_by(FaceTemplate.id)
            )
            for part in result.partitions(batch):
                tids = [r[0] for r in part]
                cids = [r[1] for r in part]
                opened = self.cipher.open_template
                vecs = np.stack([opened(r[2], r[1]) for r in part])
                index.add(tids, cids, vecs)
                total += len(part)
        return total
