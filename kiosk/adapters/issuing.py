"""Issuers: ``IssueTicket -> IssuedTicket``, committed in the local store before returning.

- ``StandaloneIssuer``: no server configured; the kiosk numbers tickets itself.
- ``ServerIssuer``: online when the server answers within ``issue_timeout_s``, else from a
  block of numbers leased earlier (written with the pattern the lease carries), else (with
  ``emergency_slot``) from the kiosk's emergency series, so a number is always given. When
  the online request may have reached the server (sent, then no answer in time), its id is
  withdrawn through the outbox, committed with the offline ticket: the server cancels it
  or refuses it when it arrives late, so no number nobody holds waits in the queue.

An issuer raises ``IssueError`` (``str(exc)`` is a message key for the screen) when no
number can be given; any other exception is treated the same way by the app.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from config.sync import SyncSettings
from kiosk.adapters.server_client import QueueClient, ServerError, person_ref
from kiosk.hours import hours_status
from kiosk.model import IssuedTicket, IssueTicket, qr_link
from kiosk.tickets import ONLINE, TicketStore
from ticketing.numbers import NumberError

log = logging.getLogger(__name__)


class IssueError(Exception):
    """No number could be issued; ``str(exc)`` is a message key for the screen."""


class Issuer(Protocol):
    def __call__(self, request: IssueTicket) -> IssuedTicket: ...


class StandaloneIssuer:
    """Numbers tickets in the kiosk's own database (no server configured). With
    ``minutes_per_ticket`` (``kiosk.standalone_minutes_per_ticket``) the people ahead and
    the estimated wait come from the kiosk's own queue replayed (``TicketStore.queue_figures``)."""

    def __init__(self, store: TicketStore, minutes_per_ticket: float | None = None) -> None:
        self.store = store
        self.minutes_per_ticket = minutes_per_ticket

    def __call__(self, request: IssueTicket) -> IssuedTicket:
        try:
            ahead = wait = None
            if self.minutes_per_ticket is not None:
                figures = self.store.queue_figures(self.minutes_per_ticket)
                ahead = figures.waiting.get(request.service)
                wait = figures.wait_min.get(request.service)
            ticket = self.store.issue_standalone(request.service, request.citizen_id,
                                                 request.guest_key, request.priority,
                                                 people_ahead=ahead)
            return replace(ticket, estimated_wait_min=wait)
        except Exception as exc:
            log.exception("standalone issuing failed")
            raise IssueError("issue_failed") from exc


class NoNumberError(Exception):
    """Neither the server nor a leased block could number the ticket."""


class ServerIssuer:
    """Issue online when the server answers quickly, else from a leased block."""

    def __init__(self, client: QueueClient, store: TicketStore, settings: SyncSettings,
                 on_offline: Callable[[], None] | None = None,
                 emergency_slot: int | None = None) -> None:
        self.client = client
        self.store = store
        self.settings = settings
        self.on_offline = on_offline
        #: this kiosk's slot of the emergency series (``ticketing.numbers.emergency_slot``
        #: of its token); None: no emergency numbers (``NoNumberError`` instead)
        self.emergency_slot = emergency_slot

    def __call__(self, request: IssueTicket) -> IssuedTicket:
        ticket_id = str(uuid.uuid4())
        payload = {"id": ticket_id, "service": request.service, "priority": request.priority,
                   "citizen_id": person_ref(request.citizen_id, request.guest_key)}
        try:
            answer = self.client.issue(payload, timeout=self.settings.issue_timeout_s)
        except ServerError as exc:
            if exc.reason == "closed":
                raise IssueError("closed") from None  # the closed screen
            if not exc.unreachable:
                raise  # the server refused (daily cap, closed service): no offline number
            hours = hours_status(self.store.services.values(), datetime.now().astimezone())
            if hours.closed or request.service in hours.closed_services:
                # no number outside opening hours, not even offline
                raise IssueError("closed") from None
            log.warning("issuing offline: %s", exc)
            # The server may have stored the online ticket: withdraw its id, committed
            # with the offline ticket (or alone, when no number can be given).
            withdraw = ticket_id if exc.maybe_done else None
            if self.on_offline:
                self.on_offline()
            ticket = self.store.issue_from_lease(
                request.service, request.citizen_id, request.guest_key, request.priority,
                withdraw=withdraw)
            if ticket is None and self.emergency_slot is not None:
                log.warning("no leased number of %s left: emergency series", request.service)
                try:
                    ticket = self.store.issue_emergency(
                        request.service, self.emergency_slot, request.citizen_id,
                        request.guest_key, request.priority, withdraw=withdraw)
                except NumberError as exc:
                    if withdraw is not None:
                        self.store.add_withdrawal(withdraw)
                    raise NoNumberError(str(exc)) from None
            if ticket is None:
                if withdraw is not None:
                    self.store.add_withdrawal(withdraw)
                raise NoNumberError(
                    f"the queue server is unreachable and no leased number of service "
                    f"{request.service} is left"
                ) from None
            return ticket
        service = self.store.services.get(request.service)
        counters = service.counters_text() if service else ""
        ticket = self.store.record(
            ticket_id, request.service, answer["number"], ONLINE,
            citizen_id=request.citizen_id, guest_key=request.guest_key,
            priority=request.priority, people_ahead=answer.get("people_ahead"),
            counters=counters, survey_url=qr_link(answer),
        )
        self.store.mark_ticket_sent(ticket_id)
        wait = answer.get("estimated_wait_min")
        return replace(ticket, estimated_wait_min=wait if isinstance(wait, int) else None)
