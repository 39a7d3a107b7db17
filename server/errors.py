"""The errors the queue's rules raise; the app answers each with its HTTP status.

``reason`` is a short stable code a client can act on without reading the message (for
example ``"bad_number"``: an uploaded offline number that does not read back under the
server's number pattern, refused for good).
"""

from __future__ import annotations


class QueueError(Exception):
    """A request the queue refuses; ``status`` is the HTTP status to answer with."""

    status = 409
    reason = "refused"

    def __init__(self, message: str, status: int | None = None, *,
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if reason is not None:
            self.reason = reason


class NotFound(QueueError):
    status = 404
    reason = "not_found"


class Invalid(QueueError):
    status = 422
    reason = "invalid"
