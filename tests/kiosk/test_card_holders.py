"""Who holds the ID card, seen from two kiosks of one centre and a real queue-server process
on loopback: the same card gives the same person key at both (the server's registry key),
so a ticket taken at one kiosk is the card holder's waiting ticket at the other, and it
reaches the server under that key when uploaded after an outage; with the server down the
kiosk's own key stands in, and nothing fails."""

from __future__ import annotations

from pathlib import Path

from kiosk.adapters.card_holders import CardHolders
from kiosk.adapters.issuing import ServerIssuer
from kiosk.adapters.server_client import QueueClient
from kiosk.adapters.sync import SyncWorker
from kiosk.crypto import FaceCipher
from kiosk.db import make_sessionmaker
from kiosk.id_card import parse_id_card_qr
from kiosk.model import IssueTicket
from kiosk.schema import make_engine
from kiosk.tickets import TicketStore
from tests.kiosk.test_sync import SERVICES, settings
from tests.support.fake_printer import closed_port
from tests.support.id_cards import CARD
from tests.support.queue_server import QueueServerProcess

AN = parse_id_card_qr(CARD)


def kiosk(tmp_path: Path, name: str, url: str, token: str | None) -> tuple[TicketStore,
                                                                            CardHolders]:
    engine = make_engine(f"sqlite:///{tmp_path / name}.db")
    store = TicketStore(make_sessionmaker(engine), list(SERVICES))
    client = QueueClient(url, token, timeout_s=3.0)
    sealer = FaceCipher(bytes([len(name)]) * 32)  # each kiosk its own key
    return store, CardHolders(store, sealer, client=client, timeout_s=2.0)


def test_one_card_one_person_across_the_centres_kiosks(server: QueueServerProcess,
                                                       tmp_path: Path) -> None:
    token_a, token_b = server.add_kiosk("a"), server.add_kiosk("b")
    store_a, holders_a = kiosk(tmp_path, "a", server.url, token_a)
    store_b, holders_b = kiosk(tmp_path, "bb", server.url, token_b)
    at_a = holders_a(AN)
    assert at_a.citizen is None and (at_a.name, at_a.sex) == ("An", "male")
    assert at_a.masked == "079*******34" and at_a.tickets == ()
    assert holders_b(AN).card_key == at_a.card_key  # the centre's key, not the kiosk's

    issue = ServerIssuer(QueueClient(server.url, token_a), store_a, settings())
    ticket = issue(IssueTicket("HT", None, at_a.card_key, False))
    at_b = holders_b(AN)
    assert [t.id for t in at_b.tickets] == [ticket.id] and at_b.tickets[0].waiting
    # Kiosk B keeps it, so the citizen can have it reprinted there.
    assert [t.id for t in store_b.today_for(guest_key=at_a.card_key)] == [ticket.id]


def test_server_down_the_kiosks_own_key_and_the_ticket_reaches_the_server_later(
        server: QueueServerProcess, tmp_path: Path) -> None:
    token = server.add_kiosk("a")
    store, down = kiosk(tmp_path, "a", f"http://127.0.0.1:{closed_port()}", token)
    local = down(AN)  # no answer: this kiosk's own key, nothing raised
    assert local.card_key.startswith("k-") and local.citizen is None
    assert local.card_key == down.sealer.card_ref(AN.id_number)
    # Issued offline from a number leased earlier: uploaded later under the card
    # holder's key.
    worker = SyncWorker(QueueClient(server.url, token), store, settings(), tmp_path)
    assert worker.step()  # leases
    ticket = store.issue_from_lease("HT", None, local.card_key)
    assert ticket is not None
    assert worker.step() and store.outbox_backlog() == 0
    online = QueueClient(server.url, token).citizen_today(local.card_key)
    assert [t["id"] for t in online["tickets"]] == [ticket.id]
