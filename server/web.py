"""Server-rendered pages: login, counter console, display board (SSE), survey, reports."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

router = APIRouter()


def html_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
    return HTMLResponse(f"<p>{exc.detail}</p>", status_code=exc.status_code)
