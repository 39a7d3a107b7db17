"""The citizen registry of a site: enrolment (with the duplicate check over the whole site),
the change feed kiosks pull, erasure, consent withdrawal, export and the registry's audit.

Plain functions on a SQLAlchemy session. Templates travel as base64 of 128 little-endian
float32 (512 bytes) and are stored sealed (``ticketing.sealing``). Every change of a site's
registry first locks the site's row, so the change feed's ``seq`` order is commit order
and two enrolments of one face at two kiosks cannot both pass the duplicate check.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.models import (
    RegistryAudit,
    RegistryChange,
    RegistryCitizen,
    RegistryConsent,
    RegistryEnrolment,
    RegistryTemplate,
    Site,
    utcnow,
)
from ticketing.sealing import TEMPLATE_BYTES, InvalidTag, Sealer

ID_NUMBER = re.compile(r"^\d{12}$")
PRIORITY_GROUPS = ("none", "elderly", "disabled", "pregnant", "merit", "child")
SEXES = ("male", "female")  # from the ID card; None: not recorded (never guessed)
UPSERT, DELETE = "upsert", "delete"


class RegistryError(Exception):
    """A request the registry refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def mask_id_number(id_number: str) -> str:
    """``079061012345`` → ``********2345`` (what staff screens and kiosks see)."""
    return "*" * (len(id_number) - 4) + id_number[-4:]


def decode_template(text: str) -> np.ndarray:
    """base64 of 512 bytes → float32 (128,); raises ``RegistryError`` for anything else."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RegistryError("a template is not valid base64") from None
    if len(raw) != TEMPLATE_BYTES:
        raise RegistryError(f"a template must be {TEMPLATE_BYTES} bytes, got {len(raw)}")
    vec = np.frombuffer(raw, dtype="<f4")
    if not np.all(np.isfinite(vec)) or not 0.1 < float(np.linalg.norm(vec)) < 10.0:
        raise RegistryError("a template holds no usable face vector (NaN or out of range)")
    return vec.astype(np.float32)


def encode_template(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def audit_citizen(s: Session, site_id: int | None, citizen_id: int | None, actor: str,
                  action: str, detail: str = "") -> None:
    """Record a read or change of a citizen's data (never the id number or a template)."""
    s.add(RegistryAudit(at=utcnow(), site_id=site_id, citizen_id=citizen_id,
                        actor=actor[:100], action=action[:32], detail=detail))


def lock_site(s: Session, site_id: int) -> None:
    """Serialise registry writes of a site (PostgreSQL row lock; SQLite writes already hold
    the database's write lock from ``BEGIN IMMEDIATE``)."""
    if s.get_bind().dialect.name != "sqlite":
        s.execute(sa.select(Site.id).where(Site.id == site_id).with_for_update())


def record_change(s: Session, site_id: int, citizen_id: int, kind: str) -> None:
    """Append to the change feed, dropping the citizen's older entries (the feed keeps one
    entry per citizen: the latest state, or the erasure)."""
    s.execute(sa.delete(RegistryChange).where(RegistryChange.site_id == site_id,
                                              RegistryChange.citizen_id == citizen_id))
    s.add(RegistryChange(site_id=site_id, citizen_id=citizen_id, kind=kind, at=utcnow()))


# ---- the site's templates in memory, for the duplicate check ------------------------------


@dataclass
class _Matrix:
    seq: int
    citizen_ids: np.ndarray  # (N,) int64
    vectors: np.ndarray  # (N, 128) float32


class SiteTemplates:
    """Every opened template of each site, kept in step with the change feed (read under
    the site lock before every enrolment, so it is never stale when it matters)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sites: dict[tuple[str, int, str], _Matrix] = {}

    def current(self, s: Session, sealer: Sealer, site_id: int) -> _Matrix:
        key = (str(s.get_bind().url), site_id, sealer.fingerprint)
        with self._lock:
            m = self._sites.get(key) or _Matrix(
                0, np.empty(0, np.int64), np.empty((0, 128), np.float32))
            changes = s.execute(
                sa.select(RegistryChange.seq, RegistryChange.citizen_id)
                .where(RegistryChange.site_id == site_id, RegistryChange.seq > m.seq)
                .order_by(RegistryChange.seq)
            ).all()
            if changes:
                touched = {c for _, c in changes}
                keep = ~np.isin(m.citizen_ids, list(touched))
                cids, vecs = _open_templates(s, sealer, sorted(touched))
                m = _Matrix(int(changes[-1][0]),
                            np.concatenate([m.citizen_ids[keep], cids]),
                            np.concatenate([m.vectors[keep], vecs]))
                self._sites[key] = m
            return m


def _open_templates(s: Session, sealer: Sealer,
                    citizen_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    cids: list[int] = []
    vecs: list[bytes] = []
    for start in range(0, len(citizen_ids), 5000):
        part = citizen_ids[start:start + 5000]
        for cid, blob in s.execute(sa.select(RegistryTemplate.citizen_id, RegistryTemplate.sealed)
                                   .where(RegistryTemplate.citizen_id.in_(part))):
            cids.append(cid)
            vecs.append(sealer.open_template_bytes(blob, cid))
    matrix = np.frombuffer(b"".join(vecs), dtype="<f4").reshape(-1, 128).astype(np.float32)
    return np.asarray(cids, dtype=np.int64), matrix


SITE_TEMPLATES = SiteTemplates()


def _nearest(m: _Matrix, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distances (N,) from ``query`` to every template, and the citizen of each."""
    if len(m.citizen_ids) == 0:
        return np.empty(0, np.float32), m.citizen_ids
    d = np.linalg.norm(m.vectors - query[None, :], axis=1)
    return d, m.citizen_ids


# ---- enrolment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentIn:
    """An enrolment as a kiosk or the staff console sends it (already validated by the
    API schema for sizes)."""

    client_uuid: str
    full_name: str
    id_number: str
    templates: list[str]  # base64, see decode_template
    consent_by: str
    consent_text_version: str
    channel: str = "kiosk"
    date_of_birth: dt.date | None = None
    priority_group: str = "none"
    display_name: str | None = None
    sex: str | None = None


@dataclass(frozen=True)
class Limits:
    duplicate_distance: float
    same_person_distance: float


def enrol(s: Session, sealer: Sealer, site_id: int, kiosk_id: int | None, body: EnrolmentIn,
          limits: Limits) -> dict[str, Any]:
    """Enrol (or add faces to) a citizen of the site; idempotent by ``client_uuid``.

    Returns ``{"result": "created"|"added"|"refused", "citizen_id", "templates", "reason"}``;
    a refusal is stored too, so a retry gets the same answer. Raises ``RegistryError`` for
    malformed input (nothing stored).
    """
    lock_site(s, site_id)
    done = s.get(RegistryEnrolment, body.client_uuid)
    if done is not None:
        if done.site_id != site_id:
            raise RegistryError("this enrolment id was used by a kiosk of another site", 409)
        return dict(done.result)
    if not ID_NUMBER.match(body.id_number):
        raise RegistryError("id number must be 12 digits")
    if body.priority_group not in PRIORITY_GROUPS:
        raise RegistryError(f"priority group must be one of {', '.join(PRIORITY_GROUPS)}")
    if body.sex is not None and body.sex not in SEXES:
        raise RegistryError("sex must be male, female or left out")
    vectors = _vectors(body.templates)
    digest = sealer.id_number_digest(body.id_number)
    existing = s.scalar(sa.select(RegistryCitizen).where(
        RegistryCitizen.site_id == site_id, RegistryCitizen.id_number_digest == digest))
    matrix = SITE_TEMPLATES.current(s, sealer, site_id)
    result = _check_faces(vectors, matrix, existing.id if existing else None, limits)
    actor = body.consent_by
    if result is not None:
        audit_citizen(s, site_id, existing.id if existing else None, actor, "enrol_refused",
                      result)
        answer = {"result": "refused", "citizen_id": None, "templates": 0, "reason": result}
    else:
        now = utcnow()
        citizen = existing
        if citizen is None:
            citizen = RegistryCitizen(
                site_id=site_id, full_name=body.full_name, display_name=body.display_name,
                id_number_digest=digest, id_number_sealed=sealer.seal_text(body.id_number),
                id_number_masked=mask_id_number(body.id_number),
                date_of_birth=body.date_of_birth, priority_group=body.priority_group,
                sex=body.sex, created_at=now, updated_at=now, last_seen_at=now)
            s.add(citizen)
            s.flush()
        else:
            citizen.full_name = body.full_name
            citizen.display_name = body.display_name or citizen.display_name
            citizen.date_of_birth = body.date_of_birth or citizen.date_of_birth
            citizen.sex = body.sex or citizen.sex
            if body.priority_group != "none":
                citizen.priority_group = body.priority_group
            citizen.updated_at = citizen.last_seen_at = now
        _store_templates(s, sealer, citizen.id, vectors, now)
        s.add(RegistryConsent(citizen_id=citizen.id, text_version=body.consent_text_version,
                              given_at=now, channel=body.channel, staff=actor,
                              kiosk_id=kiosk_id))
        record_change(s, site_id, citizen.id, UPSERT)
        verb = "added" if existing else "created"
        audit_citizen(s, site_id, citizen.id, actor, "enrol" if not existing else "add_faces",
                      f"{len(vectors)} template(s) via {body.channel}"
                      + (f" (kiosk {kiosk_id})" if kiosk_id else ""))
        answer = {"result": verb, "citizen_id": citizen.id, "templates": len(vectors),
                  "reason": None}
    s.add(RegistryEnrolment(client_uuid=body.client_uuid, site_id=site_id, kiosk_id=kiosk_id,
                            citizen_id=answer["citizen_id"], result=answer, at=utcnow()))
    return answer


def _vectors(templates: list[str]) -> list[np.ndarray]:
    if not templates:
        raise RegistryError("no face template")
    return [decode_template(t) for t in templates]


def _store_templates(s: Session, sealer: Sealer, citizen_id: int, vectors: list[np.ndarray],
                     now: dt.datetime) -> None:
    s.add_all([RegistryTemplate(citizen_id=citizen_id, created_at=now, quality={},
                                sealed=sealer.seal_template_bytes(v.astype("<f4").tobytes(),
                                                                  citizen_id))
               for v in vectors])


def _check_faces(vectors: list[np.ndarray], matrix: _Matrix, own: int | None,
                 limits: Limits, same_person: bool = True) -> str | None:
    """Why these faces cannot be stored (None: they can). ``same_person=False`` (replacing
    a citizen's face) skips the check against the citizen's own templates."""
    for n, vec in enumerate(vectors, 1):
        d, cids = _nearest(matrix, vec)
        if d.size:
            others = cids != (own if own is not None else -1)
            if others.any():
                i = int(np.argmin(np.where(others, d, np.inf)))
                if d[i] <= limits.duplicate_distance:
                    return (f"face {n}: this face is already enrolled as another citizen "
                            f"(citizen {int(cids[i])}); nothing stored")
            if same_person and own is not None and (~others).any():
                if float(d[~others].min()) > limits.same_person_distance:
                    return (f"face {n} does not match the face enrolled with this id number: "
                            "nothing stored (replacing a citizen's face is an admin action)")
    return None


# ---- the change feed ---------------------------------------------------------------------


def citizen_json(c: RegistryCitizen) -> dict[str, Any]:
    """What kiosks and staff see of a citizen (id number masked)."""
    return {
        "citizen_id": c.id, "name": c.full_name, "display_name": c.display_name,
        "id_number": c.id_number_masked,
        "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
        "priority_group": c.priority_group, "sex": c.sex,
        "created_at": c.created_at.isoformat(), "updated_at": c.updated_at.isoformat(),
        "last_seen_at": c.last_seen_at.isoformat(),
    }


def pull(s: Session, sealer: Sealer, site_id: int, cursor: int,
         limit: int) -> dict[str, Any]:
    """The changes of a site's registry after ``cursor``, oldest first, at most ``limit``
    citizens: ``{"cursor", "more", "changes": [...]}``. An upsert carries the citizen and
    all their templates (base64, see ``decode_template``); a delete only the citizen id."""
    rows = s.execute(
        sa.select(RegistryChange.seq, RegistryChange.citizen_id, RegistryChange.kind)
        .where(RegistryChange.site_id == site_id, RegistryChange.seq > cursor)
        .order_by(RegistryChange.seq).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [cid for _, cid, kind in rows if kind == UPSERT]
    citizens: dict[int, RegistryCitizen] = {}
    templates: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(ids), 5000):
        part = ids[start:start + 5000]
        citizens.update({c.id: c for c in s.scalars(
            sa.select(RegistryCitizen).where(RegistryCitizen.id.in_(part)))})
        for tid, cid, blob in s.execute(
                sa.select(RegistryTemplate.id, RegistryTemplate.citizen_id,
                          RegistryTemplate.sealed)
                .where(RegistryTemplate.citizen_id.in_(part)).order_by(RegistryTemplate.id)):
            raw = sealer.open_template_bytes(blob, cid)
            templates.setdefault(cid, []).append({"id": tid, "vector": encode_template(raw)})
    changes: list[dict[str, Any]] = []
    for _seq, cid, kind in rows:
        c = citizens.get(cid)
        if kind == UPSERT and c is not None:
            changes.append({"kind": UPSERT, "citizen_id": cid, "citizen": citizen_json(c),
                            "templates": templates.get(cid, [])})
        else:
            changes.append({"kind": DELETE, "citizen_id": cid})
    return {"cursor": int(rows[-1][0]) if rows else cursor, "more": more, "changes": changes}


def card_holder(s: Session, sealer: Sealer, site_id: int, id_number: str) -> int | None:
    """The registry citizen of the site holding this chip ID card (found by the keyed hash
    of the number), or None: not enrolled, erased, or consent withdrawn (which erases).
    The number is only hashed: neither stored, logged nor audited."""
    if not ID_NUMBER.match(id_number):
        raise RegistryError("id number must be 12 digits")
    return s.scalar(sa.select(RegistryCitizen.id).where(
        RegistryCitizen.site_id == site_id,
        RegistryCitizen.id_number_digest == sealer.id_number_digest(id_number)))


# ---- staff actions -----------------------------------------------------------------------


def get_citizen(s: Session, site_id: int | None, citizen_id: int) -> RegistryCitizen:
    c = s.get(RegistryCitizen, citizen_id)
    if c is None or (site_id is not None and c.site_id != site_id):
        raise RegistryError(f"no citizen {citizen_id}", 404)
    return c


def search(s: Session, site_id: int | None, text: str | None = None,
           limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    """Citizens by id, optionally whose name contains ``text`` or whose id number ends with
    it (4 digits); with their template count."""
    q = sa.select(RegistryCitizen).order_by(RegistryCitizen.id).limit(limit).offset(offset)
    if site_id is not None:
        q = q.where(RegistryCitizen.site_id == site_id)
    if text:
        if text.isdigit() and len(text) == 4:
            q = q.where(RegistryCitizen.id_number_masked.endswith(text))
        else:
            q = q.where(RegistryCitizen.full_name.ilike(f"%{text}%"))
    rows = list(s.scalars(q))
    ids = [c.id for c in rows]
    counts = dict(s.execute(
        sa.select(RegistryTemplate.citizen_id, sa.func.count())
        .where(RegistryTemplate.citizen_id.in_(ids))
        .group_by(RegistryTemplate.citizen_id)).all())
    versions = dict(s.execute(  # the latest consent's text version (ids grow)
        sa.select(RegistryConsent.citizen_id, RegistryConsent.text_version)
        .where(RegistryConsent.id.in_(
            sa.select(sa.func.max(RegistryConsent.id)).where(RegistryConsent.citizen_id.in_(ids))
            .group_by(RegistryConsent.citizen_id)))).all())
    return [{**citizen_json(c), "site_id": c.site_id, "templates": int(counts.get(c.id, 0)),
             "consent_text_version": versions.get(c.id)} for c in rows]


def consents_json(s: Session, citizen_id: int) -> list[dict[str, Any]]:
    return [{
        "text_version": r.text_version, "given_at": r.given_at.isoformat(),
        "channel": r.channel, "staff": r.staff, "kiosk_id": r.kiosk_id,
        "withdrawn_at": r.withdrawn_at.isoformat() if r.withdrawn_at else None,
        "withdrawn_by": r.withdrawn_by,
    } for r in s.scalars(sa.select(RegistryConsent).where(
        RegistryConsent.citizen_id == citizen_id).order_by(RegistryConsent.id))]


def show(s: Session, site_id: int | None, citizen_id: int, actor: str) -> dict[str, Any]:
    """One citizen (id masked), consents and template count; the read is audited."""
    c = get_citizen(s, site_id, citizen_id)
    n = s.scalar(sa.select(sa.func.count()).where(RegistryTemplate.citizen_id == c.id))
    audit_citizen(s, c.site_id, c.id, actor, "view")
    return {**citizen_json(c), "templates": int(n or 0), "consents": consents_json(s, c.id)}


def export(s: Session, sealer: Sealer, site_id: int | None, citizen_id: int,
           actor: str) -> dict[str, Any]:
    """Everything held about one citizen, for the data subject (right of access): their
    record with the full id number, consents, templates (as numbers) and the audit trail."""
    c = get_citizen(s, site_id, citizen_id)
    audit_citizen(s, c.site_id, c.id, actor, "export")
    site = s.get(Site, c.site_id)
    templates = []
    for t in s.scalars(sa.select(RegistryTemplate).where(RegistryTemplate.citizen_id == c.id)
                       .order_by(RegistryTemplate.id)):
        vec = np.frombuffer(sealer.open_template_bytes(t.sealed, c.id), dtype="<f4")
        templates.append({"id": t.id, "created_at": t.created_at.isoformat(),
                          "vector": [round(float(x), 6) for x in vec]})
    return {
        "exported_at": utcnow().isoformat(), "site": site.code if site else None,
        "citizen": {**citizen_json(c), "id_number": sealer.open_text(c.id_number_sealed)},
        "consents": consents_json(s, c.id), "face_templates": templates,
        "audit": audit_trail(s, c.id),
    }


def audit_trail(s: Session, citizen_id: int, limit: int | None = None) -> list[dict[str, Any]]:
    """Who read or changed a citizen's data, oldest first (the newest ``limit`` when given)."""
    q = sa.select(RegistryAudit).where(RegistryAudit.citizen_id == citizen_id)
    if limit is not None:
        q = q.order_by(RegistryAudit.id.desc()).limit(limit)
    rows = sorted(s.scalars(q), key=lambda a: a.id)
    return [{"at": a.at.isoformat(), "actor": a.actor, "action": a.action, "detail": a.detail}
            for a in rows]


def erase(s: Session, site_id: int | None, citizen_id: int, actor: str,
          reason: str = "erasure") -> int:
    """Delete a citizen, their templates and consents; every kiosk gets a delete on its
    next pull. Returns how many templates went. Audited (the audit keeps no personal data)."""
    c = get_citizen(s, site_id, citizen_id)
    lock_site(s, c.site_id)
    n = s.execute(sa.delete(RegistryTemplate).where(
        RegistryTemplate.citizen_id == c.id)).rowcount
    s.execute(sa.delete(RegistryConsent).where(RegistryConsent.citizen_id == c.id))
    site, cid = c.site_id, c.id
    s.delete(c)
    record_change(s, site, cid, DELETE)
    audit_citizen(s, site, cid, actor, "erase", f"{n} template(s) deleted ({reason})")
    return int(n or 0)


def withdraw_consent(s: Session, site_id: int | None, citizen_id: int, actor: str) -> int:
    """Consent withdrawn: the withdrawal is recorded in the audit, then the face data is
    erased (face recognition without consent is not allowed). Returns templates deleted."""
    c = get_citizen(s, site_id, citizen_id)
    audit_citizen(s, c.site_id, c.id, actor, "consent_withdrawn")
    return erase(s, site_id, citizen_id, actor, reason="consent withdrawn")


def replace_faces(s: Session, sealer: Sealer, site_id: int | None, citizen_id: int,
                  templates: list[str], actor: str, limits: Limits) -> dict[str, Any]:
    """Replace a citizen's face (an admin action): every template erased and the new ones
    stored in one transaction; every kiosk replaces them at its next pull (the change
    feed's upsert carries the full set). The new faces need not match the old ones, but
    must not be another citizen's (``result: refused`` with the reason, audited, nothing
    changed). Audited as ``replace``. Raises ``RegistryError`` for malformed input."""
    c = get_citizen(s, site_id, citizen_id)
    lock_site(s, c.site_id)
    vectors = _vectors(templates)
    matrix = SITE_TEMPLATES.current(s, sealer, c.site_id)
    refused = _check_faces(vectors, matrix, c.id, limits, same_person=False)
    if refused is not None:  # kept in the audit: the caller answers 409 after commit
        audit_citizen(s, c.site_id, c.id, actor, "replace_refused", refused)
        return {"citizen_id": c.id, "result": "refused", "reason": refused}
    old = s.execute(sa.delete(RegistryTemplate).where(
        RegistryTemplate.citizen_id == c.id)).rowcount
    now = utcnow()
    _store_templates(s, sealer, c.id, vectors, now)
    c.updated_at = now
    record_change(s, c.site_id, c.id, UPSERT)
    audit_citizen(s, c.site_id, c.id, actor, "replace",
                  f"{int(old or 0)} template(s) erased, {len(vectors)} new")
    return {"citizen_id": c.id, "result": "replaced", "templates_erased": int(old or 0),
            "templates": len(vectors)}


def mark_seen(s: Session, site_id: int, seen: list[tuple[int, dt.datetime]]) -> int:
    """Kiosks' recognitions (citizen, when): ``last_seen_at`` moves forward, never back
    and never past now; citizens of other sites or erased meanwhile are skipped. Returns
    how many citizens were updated. Not audited per sighting (no personal data is read)."""
    latest: dict[int, dt.datetime] = {}
    now = utcnow()
    for cid, at in seen:
        at = min(at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at, now)
        latest[cid] = max(at, latest.get(cid, at))
    updated = 0
    ids = sorted(latest)
    for start in range(0, len(ids), 1000):
        for c in s.scalars(sa.select(RegistryCitizen).where(
                RegistryCitizen.id.in_(ids[start:start + 1000]),
                RegistryCitizen.site_id == site_id)):
            if latest[c.id] > c.last_seen_at:
                c.last_seen_at = latest[c.id]
                updated += 1
    return updated


def retention_days(site: Site, default_days: int) -> int:
    """The site's retention (days unseen before erasure; 0: off)."""
    return default_days if site.registry_retention_days is None else site.registry_retention_days


def erase_not_seen(s: Session, days: int, actor: str = "retention",
                   site_id: int | None = None) -> int:
    """Erase every citizen (of one site, when given) not seen for ``days`` days (the
    retention job); returns how many."""
    limit = utcnow() - dt.timedelta(days=days)
    q = sa.select(RegistryCitizen.id).where(RegistryCitizen.last_seen_at < limit)
    if site_id is not None:
        q = q.where(RegistryCitizen.site_id == site_id)
    ids = list(s.scalars(q))
    for cid in ids:
        erase(s, None, cid, actor, reason=f"not seen for {days} days")
    return len(ids)


def run_retention(s: Session, default_days: int, days: int | None = None,
                  actor: str = "retention") -> dict[str, int]:
    """The daily retention job over every site, each with its own setting (``days``
    overrides them all): ``{site code: citizens erased}`` for the sites where it is on."""
    done: dict[str, int] = {}
    for site in s.scalars(sa.select(Site).order_by(Site.id)):
        n_days = days or retention_days(site, default_days)
        if n_days:
            done[site.code] = erase_not_seen(s, n_days, actor, site.id)
    return done


def reseal_all(s: Session, old: Sealer, new: Sealer) -> tuple[int, int]:
    """Re-seal every template and id number (and re-hash id numbers) from ``old`` to
    ``new``; returns (citizens, templates). Raises ``InvalidTag`` if ``old`` is wrong."""
    citizens = templates = 0
    for c in s.scalars(sa.select(RegistryCitizen)):
        number = old.open_text(c.id_number_sealed)
        c.id_number_sealed = new.seal_text(number)
        c.id_number_digest = new.id_number_digest(number)
        citizens += 1
    for t in s.scalars(sa.select(RegistryTemplate)):
        t.sealed = new.seal_template_bytes(old.open_template_bytes(t.sealed, t.citizen_id),
                                           t.citizen_id)
        templates += 1
    return citizens, templates


__all__ = ["InvalidTag", "RegistryError", "enrol", "erase", "export", "pull", "search", "show"]
