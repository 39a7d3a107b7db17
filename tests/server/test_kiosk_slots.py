"""Emergency number slots: `queue-server kiosk add` (and the admin page) give a new kiosk a
token whose slot no other active kiosk of the site uses, refuse clearly when none is left,
and `kiosk list` shows each kiosk's slot and marks kiosks that share one."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from server.cli import cli
from server.db import Database
from server.domain.kiosks import check_slot_free, slot_of_hash
from server.errors import QueueError
from server.models import Kiosk, Site
from server.security import hash_token, new_token
from ticketing.numbers import EMERGENCY_SLOTS, emergency_slot


def tokens_by_slot() -> dict[int, str]:
    """One token for every emergency slot (drawn until each slot has one)."""
    found: dict[int, str] = {}
    while len(found) < EMERGENCY_SLOTS:
        token = new_token()
        found.setdefault(emergency_slot(token), token)
    return found


def add_kiosks(db_url: str, tokens: list[str], *, active: bool = True) -> None:
    db = Database(db_url)
    with db.session() as s:
        site = s.scalars(sa.select(Site).order_by(Site.id)).first()
        assert site is not None
        for i, token in enumerate(tokens):
            s.add(Kiosk(site_id=site.id, name=f"k{i}", token_hash=hash_token(token),
                        active=active))
    db.dispose()


def kiosk_add(db_url: str, name: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["kiosk", "add", name, "--db", db_url])
    return r.exit_code, r.output


def test_the_slot_is_known_from_the_stored_hash_alone() -> None:
    for _ in range(200):
        token = new_token()
        assert slot_of_hash(hash_token(token)) == emergency_slot(token)


def test_kiosk_add_draws_a_free_slot_and_refuses_when_none_is_left(db_url: str) -> None:
    assert kiosk_add(db_url, "first")[0] == 0  # migrates and loads the default site
    db = Database(db_url)
    with db.read_session() as s:
        first_slot = slot_of_hash(s.scalar(sa.select(Kiosk.token_hash)) or "")
    db.dispose()
    by_slot = tokens_by_slot()
    free = (first_slot + 1) % EMERGENCY_SLOTS
    add_kiosks(db_url, [t for slot, t in by_slot.items() if slot not in (first_slot, free)])
    # a disabled kiosk's slot can be given again (its token is refused anyway)
    add_kiosks(db_url, [by_slot[free]], active=False)

    code, out = kiosk_add(db_url, "last one")
    assert code == 0, out
    token = out.strip().splitlines()[-1]
    assert emergency_slot(token) == free  # the only slot left, found by drawing again

    code, out = kiosk_add(db_url, "one too many")
    assert code == 1
    assert "99 active kiosks" in out and "disable a kiosk" in out
    db = Database(db_url)
    with db.read_session() as s:
        names = set(s.scalars(sa.select(Kiosk.name)))
        slots = [slot_of_hash(h) for h in s.scalars(
            sa.select(Kiosk.token_hash).where(Kiosk.active.is_(True)))]
        disabled = s.scalars(sa.select(Kiosk).where(Kiosk.active.is_(False))).one()
        # enabling the old kiosk again would share the slot: refused with the reason
        try:
            check_slot_free(s, disabled)
            raise AssertionError("enabling a kiosk into a used slot was allowed")
        except QueueError as exc:
            assert exc.reason == "no_slot_left" and "add a new kiosk" in exc.message
    db.dispose()
    assert "one too many" not in names  # nothing stored for the refused one
    assert sorted(slots) == list(range(EMERGENCY_SLOTS))  # every slot once


def test_kiosk_list_shows_slots_and_marks_kiosks_sharing_one(sqlite_url: str,
                                                             tmp_path: Path) -> None:
    assert kiosk_add(sqlite_url, "new")[0] == 0
    a = new_token()
    b = next(t for t in iter(new_token, None) if emergency_slot(t) == emergency_slot(a))
    add_kiosks(sqlite_url, [a, b])  # made before slots were drawn apart
    r = CliRunner().invoke(cli, ["kiosk", "list", "--db", sqlite_url])
    lines = r.output.strip().splitlines()
    assert len(lines) == 3
    slot = emergency_slot(a)
    assert f"slot {slot}\tk0" in lines[1] and "shares" not in lines[1]
    assert f"slot {slot}\tk1\t(shares emergency slot {slot} with kiosk 2" in lines[2]
