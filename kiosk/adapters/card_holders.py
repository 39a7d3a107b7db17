"""Who holds the chip ID card read at the kiosk, and their tickets of today.

The citizen who does not want their face used holds their card's QR code up to the camera
(kiosk/adapters/card_scan.py). This module turns the card into what the flow needs
(``kiosk.flow.CardRead``): the registry citizen when they are enrolled, the person key put on
their tickets (a keyed hash of the id number, ``Sealer.card_ref``), the given name and sex
from the card, the masked number, and today's tickets of that person. No face data is read,
compared or stored on this path, and the full number is never logged nor kept (see
docs/privacy.md).

Where the keyed hash comes from (docs/kiosk-app.md, "ID card instead of the face"):
- a standalone kiosk: its own key (``face.key``); a registered citizen is found with the
  registry's ``id_number_digest`` (same key);
- a kiosk with a queue server: the server (``POST /api/v1/registry/card``) hashes the number
  under the centre's registry key, so the same card gives the same key at every kiosk of the
  centre and the server's ticket list enforces one waiting ticket across them; when the
  server cannot be reached, the kiosk's own key stands in (the rule then holds on this kiosk).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from kiosk.adapters.server_client import QueueClient, ServerError
from kiosk.adapters.sync import server_open_tickets
from kiosk.id_card import IdCardData, mask_id_number
from kiosk.model import (
    CitizenInfo,
    IssuedTicket,
    given_name,
    is_card_key,
    sex_from_id_number,
    sex_from_text,
)
from kiosk.registry import RegistryStore
from kiosk.tickets import TicketStore
from ticketing.sealing import Sealer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardHolder:
    """The person behind a card read: never the full id number.

    ``citizen`` is the registry citizen (None: not enrolled, erased or consent withdrawn);
    ``card_key`` the person key on their tickets (``k-`` + 32 hex digits); ``name`` the given
    name on the card, ``sex`` "male"/"female"/None and ``date_of_birth`` from the card;
    ``masked`` the number as shown (``079*******34``); ``tickets`` their tickets of today
    (waiting or not).
    """

    card_key: str
    citizen: CitizenInfo | None
    name: str
    sex: str | None
    date_of_birth: date | None
    masked: str
    tickets: tuple[IssuedTicket, ...] = ()


class CardHolders:
    """``holders(card) -> CardHolder``: the look-up, in a worker thread (it may ask the
    server). Never raises for a server that is down or a registry that cannot be read."""

    def __init__(self, store: TicketStore, sealer: Sealer,
                 registry: RegistryStore | None = None,
                 citizen_lookup: Callable[[int], CitizenInfo | None] | None = None,
                 client: QueueClient | None = None, timeout_s: float | None = None) -> None:
        """``client``: the queue server (None: standalone); ``timeout_s``: how long the
        citizen waits for its answer before this kiosk's own key is used."""
        self.store = store
        self.sealer = sealer
        self.registry = registry
        self.citizen_lookup = citizen_lookup
        self.client = client
        self.timeout_s = timeout_s

    def __call__(self, card: IdCardData) -> CardHolder:
        sex = sex_from_text(card.sex) or sex_from_id_number(card.id_number)
        found = self._online(card.id_number) if self.client is not None else None
        if found is None:
            card_key, citizen_id = self._local(card.id_number)
            online = False
        else:
            card_key, citizen_id = found
            online = True
        citizen = self._citizen(citizen_id)
        if citizen is not None and citizen.sex is None:
            citizen = replace(citizen, sex=sex)
        tickets = self._today(citizen, card_key, online)
        return CardHolder(card_key, citizen, given_name(card.full_name), sex,
                          card.date_of_birth, mask_id_number(card.id_number), tuple(tickets))

    def _online(self, id_number: str) -> tuple[str, int | None] | None:
        """(card key, registry citizen id) from the server; None when it cannot answer."""
        assert self.client is not None
        try:
            answer = self.client.card_holder(id_number, self.timeout_s)
            key, cid = str(answer["person"]), answer.get("citizen_id")
        except (ServerError, KeyError, TypeError) as exc:
            log.warning("ID card looked up on this kiosk only: %s", exc)
            return None
        if not is_card_key(key) or len(key) > 64:
            log.warning("ID card looked up on this kiosk only: the server's person key is "
                        "not one")
            return None
        return key, int(cid) if isinstance(cid, int) else None

    def _local(self, id_number: str) -> tuple[str, int | None]:
        """(card key, registry citizen id) with this kiosk's key. On a replica the
        registry holds no hash of the number, so nobody is found there (offline)."""
        citizen_id = None
        if self.registry is not None and self.client is None:
            try:
                record = self.registry.find_by_id_number(id_number)
                citizen_id = record.id if record is not None else None
            except Exception:
                log.exception("the registry cannot be read for an ID card")
        return self.sealer.card_ref(id_number), citizen_id

    def _citizen(self, citizen_id: int | None) -> CitizenInfo | None:
        if citizen_id is None or self.citizen_lookup is None:
            return None
        citizen = self.citizen_lookup(citizen_id)
        if citizen is None:
            log.info("ID card of registry citizen %d, not in this kiosk's replica yet: "
                     "served as a card holder", citizen_id)
        return citizen

    def _today(self, citizen: CitizenInfo | None, card_key: str,
               online: bool) -> list[IssuedTicket]:
        """Today's tickets of the person: asked of the server when it answered, else
        this kiosk's own."""
        cid = citizen.citizen_id if citizen is not None else None
        key = None if citizen is not None else card_key
        if online and self.client is not None:
            try:
                return server_open_tickets(self.client, self.store, cid, key)
            except ServerError as exc:
                log.info("tickets of today from this kiosk only: %s", exc)
        try:
            return self.store.today_for(citizen_id=cid, guest_key=key)
        except Exception:
            log.exception("cannot read today's tickets")
            return []
