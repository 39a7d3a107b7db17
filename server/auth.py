"""Who is asking: kiosks by bearer token (cached), staff by signed session cookie, and the
role a staff endpoint needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.exceptions import HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from server.domain.refs import KioskRef, SiteRef, TTLCache, bind_key
from server.models import ROLE_MANAGER, ROLE_STAFF, ROLES, Site, User
from server.security import kiosk_for_token
from server.sessions import session_user
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
              SiteRef(site.id, site.code, site.name, site.timezone, site.calendar))
    _kiosks.put(key, result)
    return result


def session_user_of(request: Request) -> User | None:
    """The logged-in staff member of the request's session cookie (detached), if any: the
    session is held on the server, so a logged-out, expired or disabled one gives None."""
    with state_of(request).db.read_session() as s:
        return session_user(s, request.cookies.get(SESSION_COOKIE))


def current_user(request: Request) -> User:
    """The logged-in staff member of the session cookie (detached); 401 otherwise."""
    user = session_user_of(request)
    if user is None:
        raise HTTPException(401, "log in first")
    return user


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, and Secure when the request came over
    HTTPS (directly, or through a proxy uvicorn trusts: see docs/security.md)."""
    response.set_cookie(SESSION_COOKIE, token,
                        max_age=int(state_of(request).settings.session_hours * 3600),
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")


def client_address(request: Request) -> str:
    """The client's address as uvicorn reports it (a trusted proxy's X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"


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
