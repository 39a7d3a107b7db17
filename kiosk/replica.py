"""The kiosk's registry as a replica of the queue server's (when ``sync.server_url`` is set).

- ``Replica.apply(page)``: one page of the server's change feed (citizens new or changed,
  with their templates; citizens deleted) checked in full, then written in one transaction
  and applied in place to the in-memory index. Anything wrong (a corrupt template, a page
  from another registry or another site, a kiosk that still holds citizens it enrolled
  standalone) raises ``ReplicaError`` before anything changes: the last good replica stays.
- The enrolment outbox: enrolments made at this kiosk wait here, sealed with the kiosk's
  key, until the server has answered them (nothing enrolled offline is lost).
- ``registry_local_changes``: which citizens changed, in order, so that a second process
  on the same database (the recognition child) can follow without reloading everything.

Ids are the server's: a replicated citizen's ``citizens.id`` is its registry id there, and
a template's id its template id. The full id number never reaches the kiosk (the masked
form only). Templates travel as base64 of 128 little-endian float32.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from kiosk.db import Base
from kiosk.registry import AuditEvent, Citizen, FaceTemplate, LocalChange, RegistryStore, utcnow
from recognition.index import TemplateIndex
from recognition.types import EMBEDDING_SIZE

REPLICA_CONSENT = "server"  # consent is recorded at the server, not copied here
SEXES = ("male", "female")
#: A citizen recognised again within this many seconds is not written down again.
SEEN_EVERY_S = 300.0


class ReplicaError(Exception):
    """A page the replica refuses; the last good replica is kept. ``str()`` is one line
    for the staff line and the log."""


class ReplicaState(Base):
    """Which registry this kiosk replicates, and how far it got (one row, id 1)."""

    __tablename__ = "registry_replica"

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_id: Mapped[str] = mapped_column(sa.String(36))
    site: Mapped[str] = mapped_column(sa.String(32))
    server_url: Mapped[str] = mapped_column(sa.String(300))
    cursor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    pulled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Sighting(Base):
    """The last time a citizen was recognised at this kiosk, until the server knows."""

    __tablename__ = "registry_seen"

    citizen_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class EnrolmentOutboxEntry(Base):
    """An enrolment to push to the server; the payload (name, id number, templates) is
    sealed with the kiosk's key. ``result`` is the server's answer once it came."""

    __tablename__ = "registry_outbox"

    client_uuid: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    result: Mapped[str | None] = mapped_column(sa.Text)  # JSON: the server's answer


@dataclass(frozen=True)
class Applied:
    """What one page did: citizens added or changed, citizens deleted, templates loaded."""

    upserted: int
    deleted: int
    templates: int
    cursor: int


def decode_vector(text: str) -> np.ndarray:
    """base64 of 512 bytes → float32 (128,); ``ValueError`` for anything else."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(raw) != EMBEDDING_SIZE * 4:
        raise ValueError(f"{len(raw)} bytes, not {EMBEDDING_SIZE * 4}")
    vec = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(vec)):
        raise ValueError("not a number in the vector")
    return vec


def encode_vector(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").reshape(-1).tobytes()).decode()


def _when(text: str | None) -> datetime:
    if not text:
        return utcnow()
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Replica:
    """The registry replica of one kiosk database: pages in, enrolment outbox out."""

    def __init__(self, store: RegistryStore, index: TemplateIndex | None = None) -> None:
        self.store = store
        self.index = index
        self._sessions = sessionmaker(store.engine, expire_on_commit=False)

    # -- the replica

    def state(self) -> ReplicaState | None:
        with self._sessions() as s:
            return s.get(ReplicaState, 1)

    def cursor(self) -> int:
        st = self.state()
        return st.cursor if st else 0

    def check_source(self, registry_id: str, site: str, server_url: str) -> None:
        """Raise ``ReplicaError`` unless pages from this registry and site may be applied."""
        st = self.state()
        if st is not None:
            if st.registry_id != registry_id:
                raise ReplicaError(
                    f"registry not updated: the server at {server_url} holds another registry "
                    f"than the one this kiosk replicates (from {st.server_url}); the last "
                    "replica is kept (clear it with `kiosk sync --reset` if the server was "
                    "replaced on purpose)")
            if st.site != site:
                raise ReplicaError(
                    f"registry not updated: this kiosk's token belongs to site {site!r}, the "
                    f"replica to site {st.site!r}; the last replica is kept")
            return
        with self._sessions() as s:
            local = s.scalar(sa.select(sa.func.count(Citizen.id))) or 0
        if local:
            raise ReplicaError(
                f"registry not updated: this kiosk still holds {local} citizen(s) enrolled "
                "standalone; enrol them through the server (or delete them with `kiosk "
                "people delete`) before it can replicate the centre's registry")

    def apply(self, page: dict[str, Any], server_url: str) -> Applied:
        """Check a whole page of ``GET /api/v1/registry/changes``, then apply it in one
        transaction and to the index. ``ReplicaError`` leaves everything as it was."""
        try:
            registry_id, site = str(page["registry_id"]), str(page["site"])
            cursor = int(page["cursor"])
            changes = list(page["changes"])
        except (KeyError, TypeError, ValueError):
            raise ReplicaError("registry not updated: the server's answer is not a registry "
                               "page; the last replica is kept") from None
        self.check_source(registry_id, site, server_url)
        upserts: list[tuple[dict[str, Any], list[tuple[int, np.ndarray]]]] = []
        deletes: list[int] = []
        for change in changes:
            try:
                cid = int(change["citizen_id"])
                if change["kind"] == "delete":
                    deletes.append(cid)
                    continue
                c = change["citizen"]
                row = {
                    "id": cid, "full_name": str(c["name"])[:200],
                    "display_name": c.get("display_name"),
                    "id_number_digest": f"replica:{cid}",
                    "id_number_masked": str(c["id_number"])[:16],
                    "date_of_birth": date.fromisoformat(c["date_of_birth"])
                    if c.get("date_of_birth") else None,
                    "priority_group": str(c.get("priority_group") or "none")[:16],
                    "sex": c.get("sex") if c.get("sex") in SEXES else None,
                    "consent_at": _when(c.get("created_at")), "consent_by": REPLICA_CONSENT,
                    "consent_text_version": REPLICA_CONSENT,
                    "created_at": _when(c.get("created_at")),
                }
                templates = [(int(t["id"]), decode_vector(t["vector"]))
                             for t in change["templates"]]
            except (KeyError, TypeError, ValueError) as exc:
                who = change.get("citizen_id", "?") if isinstance(change, dict) else "?"
                raise ReplicaError(
                    f"registry not updated: the server sent a corrupt entry for citizen {who} "
                    f"({exc}); the last replica is kept") from None
            upserts.append((row, templates))
        seal = self.store.cipher
        changed = [r["id"] for r, _ in upserts] + deletes
        with self._sessions.begin() as s:
            known = set(s.scalars(sa.select(Citizen.id).where(Citizen.id.in_(changed))))
            if changed:
                s.execute(sa.delete(FaceTemplate).where(FaceTemplate.citizen_id.in_(changed)))
                s.execute(sa.delete(Citizen).where(Citizen.id.in_(changed)))
            if upserts:
                citizens = []
                for row, _ in upserts:
                    citizens.append({**row, "id_number_sealed": seal.seal_text(
                        row["id_number_masked"])})
                s.execute(sa.insert(Citizen), citizens)
                rows = [{"id": tid, "citizen_id": row["id"], "quality": {},
                         "embedding_sealed": seal.seal_template(vec, row["id"]),
                         "created_at": row["created_at"]}
                        for row, templates in upserts for tid, vec in templates]
                if rows:
                    s.execute(sa.insert(FaceTemplate), rows)
            if changed:
                s.execute(sa.insert(LocalChange), [{"citizen_id": c} for c in changed])
            st = s.get(ReplicaState, 1)
            if st is None:
                st = ReplicaState(id=1, registry_id=registry_id, site=site,
                                  server_url=server_url, cursor=0)
                s.add(st)
            st.cursor, st.pulled_at, st.server_url = cursor, utcnow(), server_url
            if deletes:
                s.add(AuditEvent(actor="server", action="replica_delete", citizen_id=None,
                                 detail=f"{len(deletes)} citizen(s) erased at the server"))
        n_templates = sum(len(t) for _, t in upserts)
        if self.index is not None:
            self.index.remove_citizens(known)
            if n_templates:
                self.index.add(
                    [tid for _, ts in upserts for tid, _ in ts],
                    [row["id"] for row, ts in upserts for _ in ts],
                    np.stack([v for _, ts in upserts for _, v in ts]))
        return Applied(len(upserts), len(deletes), n_templates, cursor)

    def reset(self) -> int:
        """Forget the replica (citizens, templates, cursor); returns citizens removed."""
        with self._sessions.begin() as s:
            n = s.scalar(sa.select(sa.func.count(Citizen.id))) or 0
            ids = list(s.scalars(sa.select(Citizen.id)))
            s.execute(sa.delete(FaceTemplate))
            s.execute(sa.delete(Citizen))
            s.execute(sa.delete(ReplicaState))
            s.execute(sa.delete(Sighting))  # another registry's citizen numbers
            if ids:
                s.execute(sa.insert(LocalChange), [{"citizen_id": c} for c in ids])
        if self.index is not None:
            self.index.clear()
        return int(n)

    # -- the enrolment outbox

    def queue_enrolment(self, enrolment: dict[str, Any]) -> str:
        """Keep an enrolment (the body of one ``POST /api/v1/registry/enrolments`` item,
        without ``client_uuid``) until the server answers it; returns its client UUID."""
        client_uuid = str(uuid.uuid4())
        body = {**enrolment, "client_uuid": client_uuid}
        with self._sessions.begin() as s:
            s.add(EnrolmentOutboxEntry(
                client_uuid=client_uuid, created_at=utcnow(),
                sealed=self.store.cipher.seal_text(json.dumps(body, ensure_ascii=False))))
        return client_uuid

    def pending_enrolments(self, limit: int = 50) -> list[dict[str, Any]]:
        """Enrolments not answered yet, oldest first (opened)."""
        with self._sessions() as s:
            rows = s.scalars(sa.select(EnrolmentOutboxEntry)
                             .where(EnrolmentOutboxEntry.answered_at.is_(None))
                             .order_by(EnrolmentOutboxEntry.created_at).limit(limit))
            return [json.loads(self.store.cipher.open_text(r.sealed)) for r in rows]

    def answered(self, client_uuid: str, result: dict[str, Any]) -> None:
        """The server's answer: the sealed payload is dropped (templates and id number
        now live at the server), the answer kept."""
        with self._sessions.begin() as s:
            row = s.get(EnrolmentOutboxEntry, client_uuid)
            if row is not None:
                row.answered_at = utcnow()
                row.result = json.dumps(result, ensure_ascii=False)
                row.sealed = b""
                row.attempts += 1

    def failed(self, client_uuid: str, error: str) -> None:
        with self._sessions.begin() as s:
            row = s.get(EnrolmentOutboxEntry, client_uuid)
            if row is not None:
                row.attempts += 1
                row.last_error = error[:300]

    def answer_of(self, client_uuid: str) -> dict[str, Any] | None:
        with self._sessions() as s:
            row = s.get(EnrolmentOutboxEntry, client_uuid)
            return json.loads(row.result) if row is not None and row.result else None

    # -- recognitions to report (last_seen at the server, for retention)

    def sightings(self, limit: int = 5000) -> list[tuple[int, datetime]]:
        """Citizens recognised here since the server was last told, oldest first."""
        with self._sessions() as s:
            rows = s.execute(sa.select(Sighting.citizen_id, Sighting.seen_at)
                             .order_by(Sighting.seen_at).limit(limit)).all()
        return [(int(c), _aware(at)) for c, at in rows]

    def reported(self, sent: list[tuple[int, datetime]]) -> None:
        """The server has these: drop them, unless the citizen was seen again since."""
        with self._sessions.begin() as s:
            for cid, at in sent:
                row = s.get(Sighting, cid)
                if row is not None and _aware(row.seen_at) <= at:
                    s.delete(row)

    def backlog(self) -> int:
        with self._sessions() as s:
            return int(s.scalar(sa.select(sa.func.count()).select_from(EnrolmentOutboxEntry)
                                .where(EnrolmentOutboxEntry.answered_at.is_(None))) or 0)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class SeenLog:
    """Writes down that a citizen was recognised (and greeted) at this kiosk: at most once
    per ``every_s`` seconds per citizen, the newest time only (no image, no face data).
    The registry sync reports them to the server, which moves ``last_seen_at``."""

    def __init__(self, engine: sa.Engine, every_s: float = SEEN_EVERY_S) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.every_s = every_s
        self._last: dict[int, datetime] = {}

    def note(self, citizen_id: int, at: datetime | None = None) -> bool:
        """Record a recognition; False when one was written down for them moments ago."""
        now = at or utcnow()
        last = self._last.get(citizen_id)
        if last is not None and (now - last).total_seconds() < self.every_s:
            return False
        with self._sessions.begin() as s:
            row = s.get(Sighting, citizen_id)
            if row is None:
                s.add(Sighting(citizen_id=citizen_id, seen_at=now))
            elif _aware(row.seen_at) < now:
                row.seen_at = now
        self._last[citizen_id] = now
        return True


class ReplicaFollower:
    """Keeps an index (in another process on the same database) in step with the
    replica: applies ``registry_local_changes`` since it last looked, citizen by citizen,
    in place."""

    def __init__(self, store: RegistryStore, index: TemplateIndex,
                 seq: int | None = None) -> None:
        """``seq``: the last change already in ``index`` (read with ``last_seq`` before
        the index was loaded); default: now."""
        self.store = store
        self.index = index
        self.seq = last_seq(store.engine) if seq is None else seq

    def refresh(self) -> int:
        """Apply the changes since the last call; returns how many citizens changed."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(LocalChange.seq, LocalChange.citizen_id)
                                .where(LocalChange.seq > self.seq)
                                .order_by(LocalChange.seq)).all()
            if not rows:
                return 0
            cids = sorted({r[1] for r in rows})
            found = conn.execute(
                sa.select(FaceTemplate.id, FaceTemplate.citizen_id, FaceTemplate.embedding_sealed)
                .where(FaceTemplate.citizen_id.in_(cids)).order_by(FaceTemplate.id)).all()
        vecs = [self.store.cipher.open_template(blob, cid) for _tid, cid, blob in found]
        self.index.remove_citizens(cids)
        if found:
            self.index.add([r[0] for r in found], [r[1] for r in found], np.stack(vecs))
        self.seq = int(rows[-1][0])
        return len(cids)


def last_seq(engine: sa.Engine) -> int:
    """The newest entry of ``registry_local_changes`` (0 when none)."""
    with engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.max(LocalChange.seq))) or 0)
