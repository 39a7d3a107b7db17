"""The hot path of ``POST /api/v1/tickets``: well-formed requests skip FastAPI's routing.

Issuing a ticket is the request every kiosk makes all day. Measured under load, FastAPI's
per-request machinery (routing, dependency solving, the exit stack) cost more CPU than
storing the ticket. This ASGI middleware serves the common case directly: a JSON body
within the size limit, a bearer token, no offline ``number``. It parses and answers with
the same pydantic models as the FastAPI route and stores through the same
:func:`server.kiosk_issuing.store_online` batcher.

Anything else — a missing token, a body that does not validate, an offline ticket, or any
refusal or error while storing — is handed to the FastAPI route unchanged (the body is
replayed), so every error answer and the OpenAPI schema come from one place. A refused
request is therefore tried twice; it is idempotent by the ticket id and refusals are rare.
"""

from __future__ import annotations

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.schemas import TicketIn

PATH = "/api/v1/tickets"
MAX_BODY = 16_384  # a ticket is about 200 bytes; larger bodies take the ordinary route


class TicketFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH):
            await self.app(scope, receive, send)
            return
        token = None
        length = -1
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, credentials = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and credentials.strip():
                    token = credentials.strip()
            elif name == b"content-length":
                length = int(value) if value.isdigit() else -1
        if token is None or not 0 < length <= MAX_BODY:
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive, length)
        if more is None:  # the client went away
            return
        replay = _replaying(body, more, receive)
        try:
            ticket = TicketIn.model_validate_json(body)
        except ValidationError:
            ticket = None
        if ticket is None or ticket.number is not None:
            await self.app(scope, replay, send)
            return
        state = scope["app"].state.qs
        try:
            out, created = await state.issuer.run((token, ticket, state.base_for_scope(scope)))
        except Exception:  # the FastAPI route answers it, with its handlers
            await self.app(scope, replay, send)
            return
        payload = out.model_dump_json().encode()
        await send({"type": "http.response.start", "status": 201 if created else 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})


async def _read_body(receive: Receive, length: int) -> tuple[bytes, bool | None]:
    """Up to ``length`` bytes of the body; ``more`` is None if the client disconnected and
    True if the client sent more than it announced (the ordinary route will refuse it)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > length:
            return b"".join(chunks), True


def _replaying(body: bytes, more: bool | None, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then the rest of the stream."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": bool(more)}
        return await receive()

    return replay
