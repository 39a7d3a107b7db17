"""The audit log: who did what, when (staff actions, log-ins, accounts)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.models import AuditLog, Counter, Ticket, User, utcnow


def audit(session: Session, user: User | None, action: str, *, site_id: int | None = None,
          ticket: Ticket | None = None, counter: Counter | None = None,
          detail: str = "") -> None:
    """Record a staff action (or log-in) in the audit log; ``detail`` is free text."""
    session.add(AuditLog(
        at=utcnow(), user_id=user.id if user else None,
        site_id=site_id or (counter.site_id if counter else None),
        action=action, ticket_id=ticket.id if ticket else None,
        counter_id=counter.id if counter else None, detail=detail,
    ))

