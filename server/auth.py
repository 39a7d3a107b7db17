"""Who is asking: kiosks by bearer token (cached), staff by signed session cookie, and the
role a staff endpoint needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from server.domain.refs import KioskRef, SiteRef, TTLCache, bind_key
from server.models import ROLE_MANAGER, ROLE_STAFF, ROLES, Site, User
from server.security import kiosk_for_token
from server.state import state_of

SESSION_COOKIE = "qs_session"

bearer = HTTPBearer(auto_error=False, description="Kiosk token from `queue-server kiosk add`")


async def kiosk_token(
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The bearer token of the request; 401 without one."""
    # async: a plain function would be run in the thread pool, one hop per request.
    if creds is None or not creds.credentials:
        raise HTTPException(401, "kiosk token required: Authorization: Bearer TOKEN",
                            headers={"WWW-Authenticate": "Bearer"})
    return creds.credentials


_kiosks = TTLCache()


def authenticate(session: Session, token: str) -> tuple[KioskRef, SiteRef]:
    """The kiosk of a bearer token and its site (cached for a few seconds per process, so a
    disabled kiosk is refused within that time)."""
    key = (bind_key(session), token)
    hit = _kiosks.get(key)
    if isinstance(hit, tuple):
        return hit
    kiosk = kiosk_for_token(session, token)
    if kiosk is None:
        raise HTTPException(401, "unknown or disabled kiosk token",
                            headers={"WWW-Authenticate": "Bearer"})
    site = session.get(Site, kiosk.site_id)
    assert site is not None
    result = (KioskRef(kiosk.id, kiosk.site_id, kiosk.name),
              SiteRef(site.id, site.code, site.name, site.timezone))
    _kiosks.put(key, result)
    return result


def current_user(request: Request) -> User:
    """The logged-in staff member of the session cookie (detached); 401 otherwise."""
    state = state_of(request)
    uid = state.signer.user_id_from_cookie(request.cookies.get(SESSION_COOKIE))
    if uid is None:
        raise HTTPException(401, "log in first")
    with state.db.read_session() as s:
        user = s.get(User, uid)
        if user is None or not user.active:
            raise HTTPException(401, "log in first")
        s.expunge(user)
        return user


def require_role(minimum: str):  # type: ignore[no-untyped-def]
    """A dependency that gives the current user if their role is at least ``minimum``."""
    rank = ROLES.index(minimum)

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if ROLES.index(user.role) < rank:
            raise HTTPException(403, f"this needs the {minimum} role")
        return user

    return check


Staff = Annotated[User, Depends(require_role(ROLE_STAFF))]
Manager = Annotated[User, Depends(require_role(ROLE_MANAGER))]
