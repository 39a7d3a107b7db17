"""The FastAPI application factory of the central queue server."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config import Settings
from config.server import QueueServerSettings
from server.batching import Batcher
from server.bootstrap import prepare_database
from server.errors import QueueError
from server.hotpath import TicketFastPath
from server.kiosk_issuing import store_online
from server.routes import kiosk_api, kiosk_health, pages, staff_api
from server.routes.pages import html_error
from server.security import Signer, load_secret
from server.state import API_VERSION, ServerState

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).parent
DEFAULT_DATA_DIR = Path("./var")


def tune_for_serving() -> None:
    """Settings of the serving process that keep issuing latency low (docs/server.md, "How
    issuing is fast"): the writer thread gets the interpreter back within 1 ms of a database
    reply instead of up to 5 ms, and the objects built at start-up are left out of the
    garbage collector's full passes, which otherwise pause every request now and then."""
    sys.setswitchinterval(0.001)
    gc.collect()
    gc.freeze()


def resolve_settings(
    settings_or_db_url: QueueServerSettings | Settings | str | None,
) -> QueueServerSettings:
    if settings_or_db_url is None:
        return QueueServerSettings()
    if isinstance(settings_or_db_url, Settings):
        return settings_or_db_url.server
    if isinstance(settings_or_db_url, QueueServerSettings):
        return settings_or_db_url
    return QueueServerSettings(database_url=str(settings_or_db_url))


class _TooLarge(Exception):
    """The body grew past the limit while it was read."""


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before they are parsed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    break
                if length > self.limit:
                    await self._refuse(send)
                    return
                # The HTTP server reads exactly this many bytes: nothing more to watch.
                await self.app(scope, receive, send)
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"request body larger than {self.limit} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def create_app(
    settings_or_db_url: QueueServerSettings | Settings | str | None = None,
    *,
    data_dir: str | Path | None = None,
    seed: bool = True,
    serving: bool = False,
) -> FastAPI:
    """Build the server for a settings object or a database URL.

    The database is migrated (Alembic) and, if it has no services, the default site and
    catalogue are loaded, so the app is usable at once. ``serving``: this process is the
    server (``queue-server serve``), tuned at start-up by :func:`tune_for_serving`.
    """
    settings = resolve_settings(settings_or_db_url)
    root = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    db = prepare_database(settings, root, seed=seed)
    secret_file = None
    if settings.secret_key_file:
        secret_file = Path(settings.secret_key_file)
        if not secret_file.is_absolute():
            secret_file = root / secret_file
    with db.session() as s:
        secret = load_secret(s, secret_file)
    signer = Signer(secret, int(settings.session_hours * 3600))
    templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    state = ServerState(settings=settings, db=db, signer=signer, templates=templates,
                        data_dir=root)
    state.issuer = Batcher(lambda items: store_online(state, items),  # type: ignore[arg-type]
                           max_batch=settings.issue_batch_max, name="ticket-issuer")

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if serving:  # the `queue-server serve` process, not a test or another program
            tune_for_serving()
        yield
        state.issuer.close()  # stores what is queued before the process exits

    app = FastAPI(
        lifespan=lifespan,
        title="Queue server",
        version=API_VERSION,
        description="Central queue server of the one-stop centres: kiosks issue tickets, "
        "counters call them, the display board shows them. See docs/server-api.md.",
    )
    app.state.qs = state

    @app.exception_handler(QueueError)
    async def _queue_error(request: Request, exc: QueueError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status)

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("queue database unavailable: %s", str(exc.orig or exc).splitlines()[0])
        return JSONResponse(
            {"detail": "the queue database cannot be reached, so nothing was stored; try "
             "again in a moment (kiosks keep issuing from their leased numbers)"},
            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        message = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)
        return JSONResponse({"detail": message or "invalid request", "errors": errors},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if exc.status_code in (401, 403, 404) and request.url.path.startswith(
            ("/console", "/reports", "/s/", "/board", "/login")
        ) and "text/html" in request.headers.get("accept", ""):
            return html_error(request, exc)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    app.include_router(kiosk_api.router)
    app.include_router(kiosk_health.router)
    app.include_router(staff_api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    app.add_middleware(BodySizeLimit, limit=settings.max_request_bytes)
    app.add_middleware(TicketFastPath)  # outermost: see server/hotpath.py
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: reads the settings the
    ``queue-server serve`` command put into the environment."""
    raw = os.environ.get("QUEUE_SERVER_SETTINGS_JSON")
    settings = QueueServerSettings.model_validate_json(raw) if raw else QueueServerSettings()
    return create_app(settings, data_dir=os.environ.get("QUEUE_SERVER_DATA_DIR") or None,
                      seed=False, serving=True)
