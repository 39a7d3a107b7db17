"""The FastAPI application factory of the central queue server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
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
from swagger_ui_bundle import swagger_ui_path

from appliance import watchdog
from config import Settings
from config.server import QueueServerSettings
from config.voice import VoiceSettings
from server.announcements import Announcer
from server.batching import Batcher
from server.bootstrap import prepare_database
from server.day_closer import DayCloser
from server.errors import QueueError
from server.hotpath import TicketFastPath
from server.kiosk_issuing import store_online
from server.middleware import RequestGuard, SameOriginGuard, SecurityHeaders
from server.routes import (
    admin,
    admin_registry,
    console,
    kiosk_api,
    kiosk_health,
    pages,
    public,
    registry_api,
    staff_api,
    ticket_page,
    webhook_log,
)
from server.routes.pages import error_page, html_error, wants_html
from server.security import SECRET_FILE, Signer, load_secret
from server.state import API_VERSION, ServerState
from server.webhooks import TicketLink, Webhooks

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).parent
DEFAULT_DATA_DIR = Path("./var")


async def _ping_watchdog(interval_s: float) -> None:
    while True:
        watchdog.watchdog()
        await asyncio.sleep(interval_s)


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


def create_app(
    settings_or_db_url: QueueServerSettings | Settings | str | None = None,
    *,
    data_dir: str | Path | None = None,
    seed: bool = True,
    serving: bool = False,
    voice: VoiceSettings | None = None,
) -> FastAPI:
    """Build the server for a settings object or a database URL.

    The database is migrated (Alembic) and, if it has no services, the default site and
    catalogue are loaded, so the app is usable at once. ``serving``: this process is the
    server (``queue-server serve``), tuned at start-up by :func:`tune_for_serving`.
    ``voice``: the spoken calls' settings (default: those of a ``Settings`` passed first,
    else the shipped defaults).
    """
    if voice is None:
        voice = (settings_or_db_url.voice if isinstance(settings_or_db_url, Settings)
                 else VoiceSettings())
    settings = resolve_settings(settings_or_db_url)
    root = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    db = prepare_database(settings, root, seed=seed)
    secret_file = Path(settings.secret_key_file or SECRET_FILE)
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
    state.announcer = Announcer(voice, root)
    state.webhooks = Webhooks(settings, db, root,
                              TicketLink(settings.public_url, signer.survey_token))

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pinger: asyncio.Task[None] | None = None
        if serving:  # the `queue-server serve` process, not a test or another program
            tune_for_serving()
            watchdog.ready("queue server ready")
            interval = watchdog.watchdog_interval()
            if interval is not None:  # a stuck event loop stops the pings: systemd restarts
                pinger = asyncio.create_task(_ping_watchdog(interval))
        state.webhooks.wake()  # notifications left pending by the last run
        day_closer = DayCloser(settings, db)
        day_closer.start()  # closes out a queue left open from an earlier day
        yield
        day_closer.stop()
        if pinger is not None:
            pinger.cancel()
        state.issuer.close()  # stores what is queued before the process exits
        state.webhooks.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # served by server/routes/pages.py from local files (no CDN)
        redoc_url=None,
        title="Queue server",
        version=API_VERSION,
        description="Central queue server of the one-stop centres: kiosks issue tickets, "
        "counters call them, the display board shows them. See docs/server-api.md.",
    )
    app.state.qs = state

    @app.exception_handler(QueueError)
    async def _queue_error(request: Request, exc: QueueError) -> Any:
        if wants_html(request):
            return error_page(request, exc.status, exc.message)
        return JSONResponse({"detail": exc.message, "reason": exc.reason},
                            status_code=exc.status)

    @app.exception_handler(OperationalError)
    async def _database_down(request: Request, exc: OperationalError) -> Any:
        log.warning("queue database unavailable: %s", str(exc.orig or exc).splitlines()[0])
        if wants_html(request):
            return error_page(request, 503, "Không kết nối được cơ sở dữ liệu, chưa lưu gì; "
                              "hãy thử lại sau giây lát. / The queue database cannot be "
                              "reached, nothing was stored; try again in a moment.",
                              headers={"Retry-After": "5"})
        return JSONResponse(
            {"detail": "the queue database cannot be reached, so nothing was stored; try "
             "again in a moment (kiosks keep issuing from their leased numbers)"},
            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        message = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)
        if wants_html(request):
            return error_page(request, 422, "Dữ liệu gửi lên không hợp lệ / The request is not "
                              f"valid: {message or 'invalid request'}")
        return JSONResponse({"detail": message or "invalid request", "errors": errors},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if wants_html(request):
            return html_error(request, exc)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    app.include_router(kiosk_api.router)
    app.include_router(kiosk_health.router)
    app.include_router(staff_api.router)
    app.include_router(public.router)
    app.include_router(ticket_page.router)
    app.include_router(webhook_log.router)
    app.include_router(registry_api.router)
    app.include_router(pages.router)
    app.include_router(console.router)
    app.include_router(admin.router)
    app.include_router(admin_registry.router)
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    app.mount("/swagger-ui", StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    app.add_middleware(SameOriginGuard, public_url=settings.public_url)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestGuard, limit=settings.max_request_bytes)
    app.add_middleware(TicketFastPath)  # outermost: see server/hotpath.py
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: reads the settings the
    ``queue-server serve`` command put into the environment."""
    raw = os.environ.get("QUEUE_SERVER_SETTINGS_JSON")
    settings = QueueServerSettings.model_validate_json(raw) if raw else QueueServerSettings()
    raw_voice = os.environ.get("QUEUE_SERVER_VOICE_JSON")
    voice = VoiceSettings.model_validate_json(raw_voice) if raw_voice else None
    return create_app(settings, data_dir=os.environ.get("QUEUE_SERVER_DATA_DIR") or None,
                      seed=False, serving=True, voice=voice)
