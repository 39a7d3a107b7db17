"""ASGI middleware of the server's security: body size and NUL guard, same-origin check of
state-changing staff requests, and the security headers of every answer.

Pure ASGI (no ``BaseHTTPMiddleware``), so a request costs a few dictionary look-ups. The
ticket hot path (``server/hotpath.py``) sits outside these; whatever it does not answer
itself comes through them.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = b"qs_session="
LOGIN_PATHS = frozenset({"/login", "/api/v1/auth/login"})

# Pages get script and style from /static only: no inline code can run, whatever a name holds.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")
# /docs is Swagger UI served from this server (no CDN, no inline script); Swagger UI sets
# style attributes from its script, hence 'unsafe-inline' for styles there only. It shows
# no stored data (only the OpenAPI schema).
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; worker-src blob:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'")
DOCS_PATHS = ("/docs",)

# A JSON "\u0000" escape (an odd number of backslashes before u0000).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _answer(status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
            ) -> tuple[Message, Message]:
    body = json.dumps({"detail": detail}).encode()
    start: Message = {"type": "http.response.start", "status": status,
                      "headers": [(b"content-type", b"application/json"),
                                  (b"content-length", str(len(body)).encode()),
                                  *(headers or [])]}
    return start, {"type": "http.response.body", "body": body}


def has_nul(data: bytes, *, json_body: bool = False) -> bool:
    """True if ``data`` carries a NUL character: raw, or as a JSON escape (``json_body``),
    or else percent-encoded (a path, query string or form body)."""
    if b"\x00" in data:
        return True
    if json_body:
        return _JSON_NUL.search(data) is not None
    return b"%00" in data


class RequestGuard:
    """Refuses, before any handler runs: a body over ``limit`` bytes with 413 (announced by
    Content-Length or found while reading a chunked body), and a NUL character anywhere in
    the path, query string or body with 422 (PostgreSQL cannot store NUL in text, and no
    field of ours needs one). The body is read in full (it is bounded) and replayed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        if has_nul(raw_path) or has_nul(scope.get("query_string", b"")) or \
                "\x00" in scope["path"]:
            await self._send(send, *_answer(422, "a NUL character is not allowed in a request"))
            return
        if scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        json_body = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.limit:
                    await self._too_large(send)
                    return
            elif name == b"content-type":
                json_body = b"json" in value.lower()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if has_nul(body, json_body=json_body or body[:1] in (b"{", b"[")):
            await self._send(send, *_answer(422, "a NUL character is not allowed in a request"))
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await self._send(send, *_answer(413, f"request body larger than {self.limit} bytes"))

    @staticmethod
    async def _send(send: Send, start: Message, body: Message) -> None:
        await send(start)
        await send(body)


def _origin_of(value: str) -> str | None:
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


class SameOriginGuard:
    """Cross-site request forgery: a state-changing request (POST, PUT, PATCH, DELETE) that
    carries the staff session cookie, and every log-in, must come from a page of this
    server. Its ``Origin`` header (or, without one, ``Referer``) must name the origin the
    request was sent to (scheme and Host, as uvicorn sees them behind a trusted proxy) or
    ``public_url``; otherwise 403. A request with neither header comes from a program, not
    a browser page (browsers send Origin on every cross-site POST); it is let through, and
    the pages' forms still carry a signed token. Kiosks use a bearer token, which a browser
    never adds on its own, so their requests are not checked."""

    def __init__(self, app: ASGIApp, public_url: str | None = None) -> None:
        self.app = app
        self.public = _origin_of(public_url) if public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        origin = referer = host = None
        has_session = False
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1")
            elif name == b"referer":
                referer = value.decode("latin-1")
            elif name == b"host":
                host = value.decode("latin-1")
            elif name == b"cookie" and SESSION_COOKIE in value:
                has_session = True
        if not has_session and scope["path"] not in LOGIN_PATHS:
            await self.app(scope, receive, send)
            return
        claimed = origin if origin is not None else referer
        if claimed is not None:
            own = {f"{scope.get('scheme', 'http')}://{host}".lower()} if host else set()
            if self.public:
                own.add(self.public)
            if claimed == "null" or _origin_of(claimed) not in own:
                start, body = _answer(
                    403, "cross-site request refused: this action must come from a page of "
                    "the queue server (Origin/Referer does not match)")
                await send(start)
                await send(body)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds to every answer: Content-Security-Policy (pages: script and style from /static
    only, no framing), X-Content-Type-Options: nosniff, X-Frame-Options: DENY and
    Referrer-Policy: same-origin (survey links carry a token in the path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.page = [(b"content-security-policy", PAGE_CSP.encode()),
                     (b"x-content-type-options", b"nosniff"),
                     (b"x-frame-options", b"DENY"),
                     (b"referrer-policy", b"same-origin")]
        self.docs = [(b"content-security-policy", DOCS_CSP.encode()), *self.page[1:]]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs if scope["path"].startswith(DOCS_PATHS) else self.page

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
