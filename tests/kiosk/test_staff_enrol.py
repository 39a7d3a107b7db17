"""The admin's enrolment wizard and people page on the kiosk window (offscreen Qt, real
clicks, a real StaffGate, the real registry on a temp data dir, a real CameraWorker playing
a folder of the shared photos with an ID card's QR code among them).

What an admin relies on: the whole wizard driven by touches ends with the citizen in the
registry and recognised; refusing consent stores nothing; a face already enrolled as
someone else is refused and said so; a typed id number is checked on its field and then
shown masked; walking away mid-wizard leaves no face data behind; people can be found,
viewed (masked) and erased on withdrawal of consent, all audited with the admin's name;
every page fits and is readable in landscape and portrait.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from config import Settings
from kiosk.adapters.registry_desk import RegistryDesk, SaveOutcome
from kiosk.camera import CameraWorker
from kiosk.consent import CONSENT_TEXT_VERSION
from kiosk.context import KioskContext
from kiosk.registry import CitizenRecord
from kiosk.staff.enrolment_draft import Pose, Sample
from kiosk.staff.gate import StaffGate
from kiosk.ui.staff.texts import staff_text
from tests.kiosk.test_id_card_reader import CARD, held_up
from tests.kiosk.test_staff_ui import check, open_window, press

PHOTOS = "face_recognition"
ADMIN = "lan"


def photo(faces_dir: Path, name: str) -> np.ndarray:
    paths = {"straight": "examples/obama-720p.jpg", "turned": "tests/test_images/obama3.jpg"}
    image = cv2.imread(str(faces_dir / PHOTOS / paths[name]))
    assert image is not None
    if image.shape[1] > 1280:  # a camera's size
        scale = 1280 / image.shape[1]
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image


def camera_folder(root: Path, faces_dir: Path, card: bool = True) -> Path:
    """What the camera sees: a folder of images it plays in a loop (listed again at every
    loop), first the ID card held up (or the citizen looking straight)."""
    folder = root / "camera"
    folder.mkdir()
    if card:
        cv2.imwrite(str(folder / "card.png"), held_up(CARD, 320, 0))
    else:
        cv2.imwrite(str(folder / "face.png"), photo(faces_dir, "straight"))
    return folder


def in_front(folder: Path, image: np.ndarray) -> None:
    """Now the camera sees ``image`` (the citizen moved, the card was put away)."""
    cv2.imwrite(str(folder / "next.png"), image)
    (folder / "next.png").replace(folder / "face.png")
    (folder / "card.png").unlink(missing_ok=True)


def pose_picture(faces_dir: Path, pose: Pose) -> np.ndarray:
    """The citizen straight, turned a little to their left (obama3: +15 degrees in the
    unmirrored picture), or to their right (the same photo mirrored)."""
    if pose is Pose.STRAIGHT:
        return photo(faces_dir, "straight")
    turned = photo(faces_dir, "turned")
    return turned if pose is Pose.LEFT else cv2.flip(turned, 1)


@pytest.fixture
def kiosk(tmp_path: Path) -> KioskContext:
    data = tmp_path / "kiosk"
    data.mkdir()
    return KioskContext(data, Settings(), None)


def admin_gate(ctx: KioskContext) -> StaffGate:
    """A staff gate where the account lan / pw-1 is a centre manager (kiosk admin)."""
    gate = StaffGate(ctx.data_dir, checker=lambda user, pw: "manager" if pw == "pw-1" else None)
    gate.set_first_pin("739146")
    return gate


def start_camera(ctx: KioskContext, folder: Path) -> CameraWorker:
    settings = ctx.settings.camera.model_copy(update={"source": str(folder), "file_fps": 6.0})
    worker = CameraWorker(settings)
    worker.start()
    return worker


@pytest.fixture
def camera(kiosk: KioskContext, faces_dir: Path, tmp_path: Path) -> Iterator[CameraWorker]:
    worker = start_camera(kiosk, camera_folder(tmp_path, faces_dir))
    yield worker
    worker.stop()


def signed_in(qtbot, ctx: KioskContext, size: tuple[int, int], camera=None):
    gate = admin_gate(ctx)
    window, staff, actions = open_window(qtbot, gate, size)
    desk = RegistryDesk(ctx, audit=gate.audit)
    staff.enrol.desk = staff.people.desk = desk
    staff.enrol.camera = camera
    press(qtbot, staff.login.extra["account"])
    staff.account.username.setText(ADMIN)
    staff.account.password.setText("pw-1")
    press(qtbot, staff.account.log_in)
    assert staff.page is staff.home and staff.home.enrol.isVisible()
    return window, staff, actions, gate, desk


def consent_given(qtbot, staff) -> None:
    press(qtbot, staff.home.enrol)
    wizard = staff.enrol
    assert wizard.step is wizard.consent and not wizard.consent.confirm.isVisible()
    press(qtbot, wizard.consent.agree)  # the citizen's tap
    press(qtbot, wizard.consent.confirm)  # the admin's confirmation
    assert wizard.step is wizard.identity


def samples_taken(qtbot, wizard, folder: Path, faces_dir: Path) -> None:
    """The citizen follows the guidance on the screen, pose after pose."""
    press(qtbot, wizard.identity.next)
    assert wizard.step is wizard.samples
    while (wanted := wizard.draft.wanted()) is not None:
        assert wizard.samples.guide.text() == staff_text(f"pose_{wanted}")
        in_front(folder, pose_picture(faces_dir, wanted))
        qtbot.waitUntil(lambda w=wanted: w in {s.pose for s in wizard.draft.samples},
                        timeout=60_000)
    assert wizard.draft.ready()
    assert {s.pose for s in wizard.draft.samples} == {Pose.STRAIGHT, Pose.LEFT, Pose.RIGHT}
    assert wizard.samples.next.isEnabled()


def saved(qtbot, wizard, staff=None) -> SaveOutcome:
    """Save from the summary. The desk is busy with something else first and a live
    analysis is still on its way when the admin taps "save" (both happen on a slow
    machine): the tap is taken all the same. With ``staff``: the idle lock's time passes
    meanwhile, and staff mode must not lock under a save in flight."""
    press(qtbot, wizard.samples.next)
    assert wizard.step is wizard.summary
    hold = threading.Event()
    wizard.desk.submit(hold.wait, 60)
    wizard.jobs.run(wizard.desk, wizard.desk.analyse, np.zeros((360, 640, 3), np.uint8),
                    done=wizard._analysed)
    press(qtbot, wizard.summary.save)
    assert wizard.saving()
    if staff is not None:
        staff.clock.t += staff.gate.session.idle_lock_s + 1
        staff.tick()
        assert staff.page is staff.enrol and staff.gate.session is not None
    hold.set()
    qtbot.waitUntil(lambda: wizard.result.outcome is not None, timeout=240_000)
    assert wizard.step is wizard.result
    return wizard.result.outcome


def registry_of(ctx: KioskContext):
    from kiosk.enrolment import Registry

    return Registry(ctx)


def test_the_whole_wizard_enrols_a_citizen_who_is_then_recognised_and_can_withdraw(
        qtbot, kiosk: KioskContext, camera: CameraWorker, faces_dir: Path,
        tmp_path: Path) -> None:
    size = (1280, 720)
    folder = tmp_path / "camera"
    window, staff, _, gate, desk = signed_in(qtbot, kiosk, size, camera)
    wizard = staff.enrol
    problems = []
    try:
        consent_given(qtbot, staff)
        # The ID card held up to the camera fills the identity, the number masked.
        qtbot.waitUntil(lambda: wizard.identity.number == "079085001234", timeout=30_000)
        ident = wizard.identity
        assert ident.name.text() == "Nguyễn Văn An" and ident.dob.text() == "15/03/1985"
        assert ident.id_number.text() == "079*******34"
        problems += check(window, "enrol-identity-card", size)
        samples_taken(qtbot, wizard, folder, faces_dir)
        problems += check(window, "enrol-samples-done", size)
        outcome = saved(qtbot, wizard, staff)
        assert outcome.kind == "created", outcome
        assert outcome.templates == 3
        assert "Nguyễn Văn An" in wizard.result.detail.text()
        assert "079*******34" in wizard.result.detail.text()
        problems += check(window, "enrol-result", size)
        press(qtbot, wizard.result.done)
        assert staff.page is staff.home and wizard.draft is None
    finally:
        desk.shutdown()

    registry = registry_of(kiosk)
    try:
        [citizen] = registry.store.list()
        assert citizen.full_name == "Nguyễn Văn An" and citizen.templates == 3
        assert citizen.sex == "male"  # the card says "Nam": the kiosk will greet "Ông"
        assert citizen.consent_by == ADMIN
        assert citizen.consent_text_version == CONSENT_TEXT_VERSION
        for other in ("examples/obama-1080p.jpg", "tests/test_images/obama2.jpg"):
            result = registry.identify_photo(faces_dir / PHOTOS / other)
            assert result.match is not None and result.match.citizen_id == citizen.id
        assert registry.identify_photo(
            faces_dir / PHOTOS / "tests/test_images/biden.jpg").match is None
    finally:
        registry.close()
    trail = [(e.who, e.action, e.outcome) for e in gate.audit.entries()]
    assert (ADMIN, "enrol_consent", "given") in trail and (ADMIN, "enrol", "created") in trail
    assert "079085001234" not in gate.audit.path.read_text()

    # The citizen comes back and withdraws consent: found, viewed masked, erased.
    desk = RegistryDesk(kiosk, audit=gate.audit)
    staff.people.desk = desk
    try:
        press(qtbot, staff.home.people)
        people = staff.people
        people.query.setText("văn an")
        press(qtbot, people.search_button)
        qtbot.waitUntil(lambda: people.results[0].isVisible(), timeout=20_000)
        assert people.results[0].text() == "Nguyễn Văn An · 079*******34"
        press(qtbot, people.results[0])
        qtbot.waitUntil(lambda: people.person is not None, timeout=20_000)
        shown = people.details.text()
        assert "079*******34" in shown and CONSENT_TEXT_VERSION in shown and "3" in shown
        problems += check(window, "people-view", size)
        press(qtbot, people.withdraw)
        assert people.yes.isVisible() and "rút lại đồng ý" in people.details.text()
        problems += check(window, "people-confirm", size)
        press(qtbot, people.yes)
        qtbot.waitUntil(lambda: people.message.isVisible(), timeout=20_000)
        assert "Đã xóa" in people.message.text() and people.person is None
    finally:
        desk.shutdown()
    registry = registry_of(kiosk)
    try:
        assert registry.store.list() == []
        assert registry.identify_photo(faces_dir / PHOTOS / "examples/obama-1080p.jpg").match \
            is None
        actions = [(e.actor, e.action) for e in registry.store.audit_log(citizen.id)]
        assert actions == [(ADMIN, "enrol"), (ADMIN, "view"), (ADMIN, "withdraw_consent")]
    finally:
        registry.close()
    assert not problems, "\n".join(problems)


def test_refusing_consent_stores_nothing(qtbot, kiosk: KioskContext) -> None:
    window, staff, _, gate, desk = signed_in(qtbot, kiosk, (1280, 720))
    try:
        press(qtbot, staff.home.enrol)
        press(qtbot, staff.enrol.consent.refuse)
        assert staff.page is staff.home and staff.enrol.draft is None
    finally:
        desk.shutdown()
    registry = registry_of(kiosk)
    try:
        assert registry.store.list() == [] and registry.store.audit_log() == []
    finally:
        registry.close()
    assert [(e.action, e.outcome) for e in gate.audit.entries()][-1] == \
        ("enrol_consent", "refused")


def test_a_face_enrolled_as_someone_else_is_refused(qtbot, kiosk: KioskContext,
                                                    faces_dir: Path, tmp_path: Path) -> None:
    registry = registry_of(kiosk)
    try:
        first = registry.enrol_photos(
            full_name="Trần Thị Bình", id_number="001190001111", actor="cli",
            photos=[faces_dir / PHOTOS / "examples/obama-1080p.jpg"])
        assert first.citizen is not None
    finally:
        registry.close()
    folder = camera_folder(tmp_path, faces_dir, card=False)
    camera = start_camera(kiosk, folder)
    window, staff, _, gate, desk = signed_in(qtbot, kiosk, (1280, 720), camera)
    wizard = staff.enrol
    try:
        consent_given(qtbot, staff)
        # Typed on the on-screen keyboard: the name in Telex.
        keys = {b.text(): b for row in wizard.identity.keyboard.rows for b in row}
        press(qtbot, keys["⇧"])
        press(qtbot, keys["l"])  # shown as "L" now
        press(qtbot, keys["⇧"])
        for ch in "ee":
            press(qtbot, keys[ch])
        assert wizard.identity.name.text() == "Lê"
        wizard.identity.id_number.setText("079085009999")
        samples_taken(qtbot, wizard, folder, faces_dir)
        outcome = saved(qtbot, wizard)
    finally:
        desk.shutdown()
        camera.stop()
    assert outcome.kind == "refused" and outcome.duplicate_of == first.citizen.id
    assert wizard.result.title.text() == "Không lưu"
    assert "đã được đăng ký cho một công dân khác" in wizard.result.detail.text()
    registry = registry_of(kiosk)
    try:
        assert [c.full_name for c in registry.store.list()] == ["Trần Thị Bình"]
    finally:
        registry.close()


def test_a_typed_id_number_is_checked_on_its_field_then_masked(qtbot,
                                                              kiosk: KioskContext) -> None:
    window, staff, _, gate, desk = signed_in(qtbot, kiosk, (1920, 1080))
    ident = staff.enrol.identity
    try:
        consent_given(qtbot, staff)
        ident.name.setText("Lê Văn Tám")
        ident.id_number.setText("999085001234")  # no such province
        ident.dob.setText("31/02/1985")
        press(qtbot, ident.next)
        assert staff.enrol.step is ident
        assert ident.id_number.property("error") == "true"
        assert ident.dob.property("error") == "true"
        assert ident.name.property("error") == "false"
        assert "999" in ident.message.text() and "Ngày sinh" in ident.message.text()
        # The staff read why in their language, not the command line's English.
        assert "không phải mã tỉnh" in ident.message.text()
        assert "province" not in ident.message.text()
        problems = check(window, "enrol-identity-errors", (1920, 1080))
        ident.dob.setText("15/03/1985")
        ident.keyboard.target = ident.id_number
        ident.id_number.setText("079085001234")
        qtbot.mouseClick(ident.dob, qtbot_left())  # leaving the field masks the number
        assert ident.id_number.text() == "079*******34" and ident.number == "079085001234"
        press(qtbot, ident.next)
        assert staff.enrol.step is staff.enrol.samples
        assert staff.enrol.draft.identity.id_number == "079085001234"
    finally:
        desk.shutdown()
    assert not problems, "\n".join(problems)


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_walking_away_mid_wizard_leaves_no_face_data(qtbot, kiosk: KioskContext,
                                                     camera: CameraWorker, faces_dir: Path,
                                                     tmp_path: Path) -> None:
    window, staff, actions, gate, desk = signed_in(qtbot, kiosk, (1280, 720), camera)
    wizard = staff.enrol
    try:
        consent_given(qtbot, staff)
        qtbot.waitUntil(lambda: wizard.identity.number != "", timeout=30_000)
        press(qtbot, wizard.identity.next)
        in_front(tmp_path / "camera", pose_picture(faces_dir, Pose.STRAIGHT))
        qtbot.waitUntil(lambda: len(wizard.draft.samples) >= 1, timeout=60_000)
        kept = [s.image_rgb for s in wizard.draft.samples]
        staff.clock.t += gate.idle_lock_s + 1  # the admin walked away
        staff.tick()
        assert actions == ["staff_leave"] and gate.session is None
        assert wizard.draft is None and not wizard.live.isActive()
        assert all(not img.any() for img in kept)  # the pictures were overwritten
    finally:
        desk.shutdown()
    assert camera.is_alive and camera.latest() is not None  # the citizens' camera runs on
    assert not (kiosk.data_dir / "kiosk.db").exists() or registry_count(kiosk) == 0


def registry_count(ctx: KioskContext) -> int:
    registry = registry_of(ctx)
    try:
        return len(registry.store.list())
    finally:
        registry.close()


SIZES = [(1920, 1080), (1280, 720), (1080, 1920)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_wizard_and_people_page_fits_and_is_readable(qtbot, kiosk: KioskContext,
                                                           size) -> None:
    import datetime as dt

    from kiosk.staff.enrolment_draft import Identity

    window, staff, _, gate, desk = signed_in(qtbot, kiosk, size)
    name = f"{size[0]}x{size[1]}"
    wizard = staff.enrol
    problems = check(window, "home-admin", size)
    press(qtbot, staff.home.enrol)
    problems += check(window, "enrol-consent", size)
    press(qtbot, wizard.consent.agree)
    problems += check(window, "enrol-consent-confirm", size)
    press(qtbot, wizard.consent.confirm)
    wizard.identity.name.setText("Nguyễn Thị Minh Khai")
    wizard.identity.id_number.setText("0790850012")
    press(qtbot, wizard.identity.next)  # the number is short: said on the field
    problems += check(window, "enrol-identity", size)
    draft = wizard.draft
    draft.identity = Identity("Nguyễn Thị Minh Khai", "079085001234", dt.date(1985, 3, 15))
    wizard._go(wizard.samples)
    blank = np.zeros((8, 8, 3), np.uint8)
    draft.samples += [Sample(blank.copy(), Pose.STRAIGHT, {}),
                      Sample(blank.copy(), Pose.LEFT, {})]
    wizard.samples.retext("vi")
    problems += check(window, "enrol-samples", size)
    draft.samples.append(Sample(blank.copy(), Pose.RIGHT, {}))
    wizard.samples.retext("vi")
    press(qtbot, wizard.samples.next)
    problems += check(window, "enrol-summary", size)
    wizard.result.said = ("Nguyễn Thị Minh Khai", "079*******34")
    wizard.result.outcome = SaveOutcome("refused", "sample 1: this face is already enrolled",
                                        duplicate_of=12)
    wizard._go(wizard.result)
    problems += check(window, "enrol-result-refused", size)
    press(qtbot, wizard.result.done)
    press(qtbot, staff.home.people)
    people = staff.people
    now = dt.datetime(2026, 3, 2, 9, 30)
    people._found([CitizenRecord(i, n, None, "079*******34", None, "none", now, ADMIN, 3,
                                 CONSENT_TEXT_VERSION)
                   for i, n in enumerate(["Nguyễn Văn An", "Nguyễn Thị Minh Khai",
                                          "Trần Văn Bảy", "Lê Thị Hồng Nhung"], 1)])
    problems += check(window, "people-search", size)
    people._viewed(people.found[1])
    people.ask("erase")
    problems += check(window, "people-confirm-erase", size)
    desk.shutdown()
    assert not problems, f"{name}:\n" + "\n".join(problems)
