"""Kiosk tokens and their emergency slots.

A kiosk's slot of the emergency series (``ticketing.numbers.emergency_slot``: 0..98, a
hash of its bearer token) is where it numbers tickets when the server is unreachable and
no leased number is left. Two active kiosks of one site must never share a slot, or they
could print the same emergency number. The server keeps only the SHA-256 of a token, and
the slot is taken from the first 8 bytes of that same digest, so the slots of the stored
kiosks are known without their tokens: a new token is drawn again until its slot is free.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.errors import QueueError
from server.models import Kiosk
from server.security import hash_token, new_token
from ticketing.numbers import EMERGENCY_SLOTS, emergency_slot

#: ``QueueError.reason`` when every emergency slot of a site is taken
NO_SLOT_LEFT = "no_slot_left"


def slot_of_hash(token_hash: str) -> int:
    """The emergency slot of the kiosk whose token has this SHA-256 (hex): the same as
    ``emergency_slot(token)``."""
    return int(token_hash[:16], 16) % EMERGENCY_SLOTS


def used_slots(session: Session, site_id: int, *, except_id: int | None = None
               ) -> dict[int, int]:
    """Emergency slot → kiosk id, of the site's active kiosks (``except_id`` left out)."""
    rows = session.execute(sa.select(Kiosk.id, Kiosk.token_hash).where(
        Kiosk.site_id == site_id, Kiosk.active.is_(True))).all()
    return {slot_of_hash(h): kid for kid, h in rows if kid != except_id}


def draw_kiosk_token(session: Session, site_id: int, site_code: str = "") -> str:
    """A new kiosk token whose emergency slot no active kiosk of the site uses (drawn
    again until it is free); raises :class:`QueueError` when all slots are taken."""
    used = used_slots(session, site_id)
    if len(used) >= EMERGENCY_SLOTS:
        raise QueueError(
            f"site {site_code or site_id} already has {len(used)} active kiosks, one per "
            f"emergency number slot ({EMERGENCY_SLOTS}): disable a kiosk no longer used "
            "before adding one", reason=NO_SLOT_LEFT)
    while True:  # at most 99 taken of 99: a free one comes within a few draws
        token = new_token()
        if emergency_slot(token) not in used:
            return token


def check_slot_free(session: Session, kiosk: Kiosk) -> None:
    """Raise :class:`QueueError` when enabling ``kiosk`` again would share its emergency
    slot with another active kiosk of its site (one added while it was disabled)."""
    other = used_slots(session, kiosk.site_id, except_id=kiosk.id).get(
        slot_of_hash(kiosk.token_hash))
    if other is not None:
        raise QueueError(
            f"kiosk {kiosk.id} cannot be enabled again: its emergency number slot is now "
            f"used by kiosk {other}; add a new kiosk instead", reason=NO_SLOT_LEFT)


def new_kiosk(session: Session, site_id: int, name: str, site_code: str = ""
              ) -> tuple[Kiosk, str]:
    """Add a kiosk to the site with a token in a free emergency slot: (kiosk, token)."""
    token = draw_kiosk_token(session, site_id, site_code)
    kiosk = Kiosk(site_id=site_id, name=name, token_hash=hash_token(token))
    session.add(kiosk)
    session.flush()
    return kiosk, token
