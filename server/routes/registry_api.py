"""The citizen registry API of ``/api/v1/registry``: kiosks push enrolments and pull
changes (bearer token); admins search, view, export, erase and record a consent's
withdrawal (session cookie, admin role). See docs/registry.md."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import HTTPException
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from server.auth import authenticate, kiosk_token, require_role
from server.domain import citizens as reg
from server.models import ROLE_ADMIN, AppSecret, User
from server.registry_key import FINGERPRINT, open_sealer, registry_id
from server.schemas import COMMON, ERRORS, Problem
from server.state import ServerState, state_of
from ticketing.sealing import InvalidTag, KeyFileError, Sealer

router = APIRouter(prefix="/api/v1/registry", responses=COMMON)
#: Answers of the registry's routes: the kiosk and staff errors, plus a registry key that
#: is not the registry's (503) and a missing admin role (403).
REG_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"model": Problem, "description": "This needs the admin role"},
    500: {"model": Problem, "description": "A stored template does not open"},
    503: {"model": Problem, "description": "The registry key is not the registry's"},
}
Admin = Annotated[User, Depends(require_role(ROLE_ADMIN))]
CitizenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_sealer_lock = threading.Lock()


class EnrolmentBody(BaseModel):
    """A citizen enrolled at a kiosk (or by staff), idempotent by ``client_uuid``."""

    client_uuid: str = Field(pattern=r"^[0-9a-fA-F-]{32,36}$")
    full_name: str = Field(min_length=1, max_length=200)
    id_number: str = Field(pattern=r"^\d{12}$")
    date_of_birth: dt.date | None = None
    priority_group: str = Field("none", max_length=16)
    display_name: str | None = Field(None, max_length=200)
    sex: str | None = Field(None, pattern=r"^(male|female)$",
                            description="From the ID card; left out when not known")
    templates: list[str] = Field(min_length=1, max_length=20,
                                 description="base64 of 128 little-endian float32 each")
    consent_by: str = Field(min_length=1, max_length=100)
    consent_text_version: str = Field(min_length=1, max_length=20)
    channel: str = Field("kiosk", pattern=r"^(kiosk|import|staff)$")


class EnrolmentsIn(BaseModel):
    enrolments: list[EnrolmentBody] = Field(min_length=1, max_length=100)


class Sighting(BaseModel):
    """A kiosk recognised (and greeted) this citizen at this time."""

    citizen_id: int = Field(ge=1, le=2**31 - 1)
    at: dt.datetime


class SeenIn(BaseModel):
    seen: list[Sighting] = Field(min_length=1, max_length=5000)


class ReplaceIn(BaseModel):
    """A citizen's new face samples: they replace every template the citizen had."""

    templates: list[str] = Field(min_length=1, max_length=20,
                                 description="base64 of 128 little-endian float32 each")


def limits_of(request: Request) -> reg.Limits:
    settings = state_of(request).settings
    return reg.Limits(settings.registry_duplicate_distance,
                      settings.registry_same_person_distance)


def sealer_of(request: Request, s: Session) -> Sealer:
    """The registry's sealer (opened once per process); 503 with the reason when the key
    is not the registry's."""
    state: ServerState = state_of(request)
    app_state = request.app.state
    stored = s.get(AppSecret, FINGERPRINT)  # changes when `keys rotate` ran meanwhile
    with _sealer_lock:
        sealer = getattr(app_state, "registry_sealer", None)
        if sealer is None or (stored is not None and stored.value != sealer.fingerprint):
            try:
                sealer = open_sealer(s, state.settings, state.data_dir)
            except KeyFileError as exc:
                raise HTTPException(503, f"citizen registry unavailable: {exc}") from None
            app_state.registry_sealer = sealer
    return sealer


def _fail(exc: reg.RegistryError) -> HTTPException:
    return HTTPException(exc.status, str(exc))


def _broken_template() -> HTTPException:
    return HTTPException(500, "a stored face template does not open with the registry key "
                         "(corrupt or sealed with another key); see the server log")


@router.post("/enrolments", tags=["kiosk"], responses=REG_ERRORS)
def push_enrolments(body: EnrolmentsIn, request: Request,
                    token: Annotated[str, Depends(kiosk_token)]) -> dict[str, Any]:
    """Enrolments made at a kiosk. Each gets its own result (``created``, ``added``,
    ``refused`` with a reason, or ``error``); a retry with the same ``client_uuid`` gets
    the first answer again."""
    state = state_of(request)
    limits = limits_of(request)
    results: list[dict[str, Any]] = []
    for e in body.enrolments:
        item = reg.EnrolmentIn(
            client_uuid=e.client_uuid.lower(), full_name=e.full_name, id_number=e.id_number,
            templates=e.templates, consent_by=e.consent_by,
            consent_text_version=e.consent_text_version, channel=e.channel,
            date_of_birth=e.date_of_birth, priority_group=e.priority_group,
            display_name=e.display_name, sex=e.sex)
        try:
            with state.db.session() as s:
                kiosk, site = authenticate(s, token)
                sealer = sealer_of(request, s)
                answer = reg.enrol(s, sealer, site.id, kiosk.id, item, limits)
        except reg.RegistryError as exc:
            answer = {"result": "error", "citizen_id": None, "templates": 0,
                      "reason": str(exc), "status_code": exc.status}
        except InvalidTag:
            raise _broken_template() from None
        results.append({"client_uuid": item.client_uuid, **answer})
    return {"results": results}


@router.get("/changes", tags=["kiosk"], responses=REG_ERRORS)
def pull_changes(request: Request, token: Annotated[str, Depends(kiosk_token)],
                 cursor: Annotated[int, Query(ge=0)] = 0,
                 limit: Annotated[int | None, Query(ge=1, le=20000)] = None) -> dict[str, Any]:
    """The site's registry changes after ``cursor``: citizens new or changed (with their
    templates) and deleted. Call again with the returned cursor while ``more``."""
    unknown = set(request.query_params) - {"cursor", "limit"}
    if unknown:  # a misspelt cursor would silently pull the whole registry again
        raise HTTPException(422, "unknown query parameter(s): "
                            + ", ".join(sorted(unknown))[:200] + " (cursor, limit)")
    state = state_of(request)
    page = min(limit or state.settings.registry_pull_page, state.settings.registry_pull_page)
    with state.db.session() as s:
        _, site = authenticate(s, token)
        sealer = sealer_of(request, s)
        server = registry_id(s)
        try:
            answer = reg.pull(s, sealer, site.id, cursor, page)
        except InvalidTag:
            raise _broken_template() from None
    return {"registry_id": server, "site": site.code, **answer}


class CardIn(BaseModel):
    """A chip ID card held up at a kiosk: its 12-digit number only."""

    id_number: str = Field(pattern=r"^\d{12}$")


@router.post("/card", tags=["kiosk"], responses=REG_ERRORS)
def card_holder(body: CardIn, request: Request,
                token: Annotated[str, Depends(kiosk_token)]) -> dict[str, Any]:
    """Who holds this ID card at the kiosk's site: ``citizen_id`` of the registry (null
    when not enrolled, erased or consent withdrawn) and ``person``, the key the kiosk puts
    on the card holder's tickets (a keyed hash of the number under the registry key: the
    same at every kiosk of the centre, so one waiting ticket per person holds across them).
    No face data is involved; the number is neither stored nor logged."""
    state = state_of(request)
    with state.db.session() as s:
        _, site = authenticate(s, token)
        sealer = sealer_of(request, s)
        try:
            citizen_id = reg.card_holder(s, sealer, site.id, body.id_number)
        except reg.RegistryError as exc:
            raise _fail(exc) from None
    return {"citizen_id": citizen_id, "person": sealer.card_ref(body.id_number)}


@router.post("/seen", tags=["kiosk"], responses=REG_ERRORS)
def report_seen(body: SeenIn, request: Request,
                token: Annotated[str, Depends(kiosk_token)]) -> dict[str, Any]:
    """Recognitions at the kiosk (citizen id and when; no face data): each citizen's
    ``last_seen_at`` moves forward, which the retention job reads."""
    state = state_of(request)
    with state.db.session() as s:
        _, site = authenticate(s, token)
        n = reg.mark_seen(s, site.id, [(x.citizen_id, x.at) for x in body.seen])
    return {"received": len(body.seen), "updated": n}


# ---- admin -------------------------------------------------------------------------------


def _site_scope(user: User) -> int | None:
    return user.site_id


@router.get("/citizens", tags=["staff"], responses=REG_ERRORS)
def list_citizens(user: Admin, request: Request,
                  q: Annotated[str | None, Query(max_length=100)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    """Search citizens by name (or the last 4 digits of the id number); ids masked."""
    state = state_of(request)
    with state.db.session() as s:
        rows = reg.search(s, _site_scope(user), q, limit, offset)
        reg.audit_citizen(s, user.site_id, None, user.username, "search",
                          f"{len(rows)} result(s)")
        return rows


@router.get("/citizens/{citizen_id}", tags=["staff"], responses=REG_ERRORS)
def view_citizen(citizen_id: CitizenId, user: Admin, request: Request) -> dict[str, Any]:
    """One citizen, id masked, with consents (the viewing is audited)."""
    state = state_of(request)
    try:
        with state.db.session() as s:
            return reg.show(s, _site_scope(user), citizen_id, user.username)
    except reg.RegistryError as exc:
        raise _fail(exc) from None


@router.get("/citizens/{citizen_id}/export", tags=["staff"], responses=REG_ERRORS)
def export_citizen(citizen_id: CitizenId, user: Admin, request: Request) -> dict[str, Any]:
    """Everything held about one citizen, for the citizen (right of access). Audited."""
    state = state_of(request)
    try:
        with state.db.session() as s:
            return reg.export(s, sealer_of(request, s), _site_scope(user), citizen_id,
                              user.username)
    except reg.RegistryError as exc:
        raise _fail(exc) from None
    except InvalidTag:
        raise _broken_template() from None


@router.delete("/citizens/{citizen_id}", tags=["staff"], responses=REG_ERRORS)
def erase_citizen(citizen_id: CitizenId, user: Admin, request: Request) -> dict[str, Any]:
    """Erase a citizen: record and templates deleted here, and on every kiosk at its next
    pull."""
    state = state_of(request)
    try:
        with state.db.session() as s:
            n = reg.erase(s, _site_scope(user), citizen_id, user.username)
    except reg.RegistryError as exc:
        raise _fail(exc) from None
    return {"citizen_id": citizen_id, "erased": True, "templates_deleted": n}


@router.post("/citizens/{citizen_id}/replace-face", tags=["staff"], responses=REG_ERRORS)
def replace_face(citizen_id: CitizenId, body: ReplaceIn, user: Admin,
                 request: Request) -> dict[str, Any]:
    """Replace a citizen's face templates with new samples (audited as ``replace``); the
    old templates are erased here and on every kiosk at its next pull. 409 when a new face
    is another citizen's."""
    state = state_of(request)
    try:
        with state.db.session() as s:
            answer = reg.replace_faces(s, sealer_of(request, s), _site_scope(user), citizen_id,
                                       body.templates, user.username, limits_of(request))
    except reg.RegistryError as exc:
        raise _fail(exc) from None
    except InvalidTag:
        raise _broken_template() from None
    if answer["result"] == "refused":
        raise HTTPException(409, answer["reason"])
    return answer


@router.post("/citizens/{citizen_id}/withdraw-consent", tags=["staff"], responses=REG_ERRORS)
def withdraw_consent(citizen_id: CitizenId, user: Admin, request: Request) -> dict[str, Any]:
    """The citizen withdrew consent: recorded, then their face data is erased."""
    state = state_of(request)
    try:
        with state.db.session() as s:
            n = reg.withdraw_consent(s, _site_scope(user), citizen_id, user.username)
    except reg.RegistryError as exc:
        raise _fail(exc) from None
    return {"citizen_id": citizen_id, "erased": True, "templates_deleted": n}

