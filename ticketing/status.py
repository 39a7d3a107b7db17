"""The words for where a ticket is in its life, shared by the kiosk and the server.

``waiting`` -> ``called`` -> ``serving`` -> ``done``; or ``no_show`` (called and never
came) or ``cancelled`` (withdrawn at the kiosk). A transfer puts a ticket back to
``waiting`` in another service.
"""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


#: Statuses in which the citizen still holds the ticket (it counts as "open").
OPEN_STATUSES: frozenset[TicketStatus] = frozenset(
    {TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING}
)
#: Statuses a ticket never leaves.
FINAL_STATUSES: frozenset[TicketStatus] = frozenset(
    {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED}
)
ALL_STATUSES: tuple[str, ...] = tuple(s.value for s in TicketStatus)
