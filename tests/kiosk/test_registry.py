"""The registry store on SQLite and PostgreSQL: sealed templates, deletion, audit, index."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag

from kiosk.crypto import FaceCipher, KeyFileError, load_or_create_key
from kiosk.id_card import (
    IdNumberError,
    mask_id_number,
    parse_id_card_qr,
    validate_id_number,
)
from kiosk.registry import FaceTemplate, NewTemplate, PriorityGroup, RegistryStore
from kiosk.schema import make_engine
from recognition.index import TemplateIndex


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kiosk.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> RegistryStore:
    engine = make_engine(db_url)
    yield RegistryStore(engine, FaceCipher(load_or_create_key(tmp_path / "face.key")))
    engine.dispose()


def vec(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.1, 128).astype(np.float32)


def test_enrol_store_reload_and_delete(store: RegistryStore) -> None:
    index = TemplateIndex()
    info, created, ids = store.enrol(
        full_name="Nguyễn Văn An", id_number="079061012345", date_of_birth=date(1961, 3, 2),
        priority_group=PriorityGroup.ELDERLY, consent_by="admin1",
        templates=[NewTemplate(vec(1), {"sharpness": 300.0}), NewTemplate(vec(2), {})],
        index=index,
    )
    assert created and len(ids) == 2 and info.templates == 2
    assert info.id_number_masked == "079*******45"
    assert len(index) == 2
    # Reloading from the database gives the same vectors.
    reloaded = TemplateIndex()
    assert store.load_index(reloaded) == 2
    np.testing.assert_array_equal(reloaded.citizen_templates(info.id)[0], vec(1))
    # Found by id number (through its keyed hash), listed with the count.
    assert store.find_by_id_number("079061012345").id == info.id
    assert [c.templates for c in store.list()] == [2]
    # Enrolling the same id number again adds samples to the same citizen.
    again, created2, _ = store.enrol(
        full_name="Nguyễn Văn An", id_number="079061012345", consent_by="admin2",
        templates=[NewTemplate(vec(3), {})], index=index,
    )
    assert not created2 and again.id == info.id and again.templates == 3
    # Deletion removes templates from the database and the index, and is audited.
    assert store.delete(info.id, actor="admin3", index=index) == 3
    assert store.get(info.id) is None
    assert len(index) == 0
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(FaceTemplate)) == 0
    actions = [(e.actor, e.action) for e in store.audit_log(info.id)]
    assert actions == [("admin1", "enrol"), ("admin2", "add_samples"), ("admin3", "delete")]
    assert store.delete(info.id, actor="admin3") is None


def test_the_recognition_process_follows_staff_enrolments_and_erasures(
        store: RegistryStore) -> None:
    """A standalone kiosk: the admin enrols and erases on the staff screens (this process);
    the recognition child (its own index, a follower on the same database) sees both
    without a restart."""
    from kiosk.replica import ReplicaFollower

    child = TemplateIndex()
    store.load_index(child)
    follower = ReplicaFollower(store, child)
    info, _, _ = store.enrol(full_name="Trần Thị Mai", id_number="001185000123",
                             consent_by="admin1", templates=[NewTemplate(vec(7), {})])
    assert follower.refresh() == 1
    assert child.search(vec(7), citizens=1)[0].citizen_id == info.id
    store.enrol(full_name="Trần Thị Mai", id_number="001185000123", consent_by="admin1",
                templates=[NewTemplate(vec(8), {})])
    assert follower.refresh() == 1 and len(child) == 2
    assert store.delete(info.id, actor="admin1", action="withdraw_consent") == 2
    assert follower.refresh() == 1
    assert child.search(vec(7), citizens=1) == [] and len(child) == 0
    assert follower.refresh() == 0


def test_templates_and_id_numbers_are_not_stored_in_the_clear(store: RegistryStore) -> None:
    v = vec(7)
    info, _, _ = store.enrol(
        full_name="Trần Thị Bình", id_number="001185012345", consent_by="admin",
        templates=[NewTemplate(v, {})],
    )
    with store.engine.connect() as conn:
        blob = conn.scalar(sa.select(FaceTemplate.embedding_sealed))
        row = conn.execute(sa.text("select * from citizens")).mappings().one()
    assert v.tobytes() not in bytes(blob)
    assert v[:4].tobytes() not in bytes(blob)
    assert "001185012345" not in " ".join(str(x) for x in row.values())
    # A template moved to another citizen, or opened with another key, does not open.
    with pytest.raises(InvalidTag):
        store.cipher.open_template(bytes(blob), info.id + 1)
    with pytest.raises(InvalidTag):
        FaceCipher(b"k" * 32).open_template(bytes(blob), info.id)


def test_key_file_is_private_and_checked(tmp_path: Path) -> None:
    key_path = tmp_path / "d" / "face.key"
    key = load_or_create_key(key_path)
    assert len(key) == 32 and key_path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_key(key_path) == key
    key_path.write_bytes(b"short")
    with pytest.raises(KeyFileError, match="restore it from backup"):
        load_or_create_key(key_path)


def test_id_number_validation_and_masking() -> None:
    assert validate_id_number("079 061 012345") == "079061012345"
    assert validate_id_number("079301012345", date(2001, 1, 1)) == "079301012345"
    with pytest.raises(IdNumberError, match="12 digits"):
        validate_id_number("12345")
    with pytest.raises(IdNumberError, match="not a province code"):
        validate_id_number("003061012345")
    with pytest.raises(IdNumberError, match="birth year 1961"):
        validate_id_number("079061012345", date(1962, 1, 1))
    assert mask_id_number("079061012345") == "079*******45"


def test_id_card_qr_is_parsed_defensively() -> None:
    card = parse_id_card_qr(
        "079061012345|025123456|Nguyễn Văn An|02031961|Nam|12 Lê Lợi, Q1, TP HCM|01012022"
    )
    assert card.id_number == "079061012345" and card.full_name == "Nguyễn Văn An"
    assert card.date_of_birth == date(1961, 3, 2) and card.sex == "Nam"
    assert card.address == "12 Lê Lợi, Q1, TP HCM"
    no_old = parse_id_card_qr("079061012345||Nguyễn Văn An|02031961|Nam|Hà Nội|01012022")
    assert no_old.full_name == "Nguyễn Văn An"
    with pytest.raises(IdNumberError):
        parse_id_card_qr("hello|world")
