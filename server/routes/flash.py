"""One-shot messages across a POST-redirect-GET: the POST sets a short-lived cookie with
(kind, text), the page that follows shows it once and deletes it."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

from fastapi import Request, Response

FLASH_COOKIE = "qs_flash"
KINDS = ("error", "warn", "info", "token")


def set_flash(response: Response, kind: str, message: str, path: str) -> None:
    """Carry ``message`` (shown escaped) to the next page under ``path`` (60 s at most)."""
    response.set_cookie(FLASH_COOKIE, quote(json.dumps([kind, message], ensure_ascii=False)),
                        max_age=60, path=path, httponly=True, samesite="strict")


def read_flash(request: Request) -> tuple[str, str] | None:
    """The (kind, message) a POST left for this page, if any."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or len(raw) > 3000:
        return None
    try:
        kind, message = json.loads(unquote(raw))
    except (ValueError, TypeError):
        return None
    if kind not in KINDS or not isinstance(message, str):
        return None
    return kind, message[:500]


def clear_flash(request: Request, response: Response, path: str) -> None:
    """Delete the message once shown."""
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path=path)
