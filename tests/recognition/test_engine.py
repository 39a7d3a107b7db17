"""The recognition engine on real photos: detection, choice, quality, encoding, matching."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from config import Settings
from recognition.detect import detect_faces
from recognition.engine import FaceEngine
from recognition.index import TemplateIndex
from recognition.types import Reason
from tests.support.face_photos import ENROL, EX, TI

Photo = Callable[[str], np.ndarray]


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    (t1, r1, b1, l1), (t2, r2, b2, l2) = a, b
    w = max(0, min(r1, r2) - max(l1, l2))
    h = max(0, min(b1, b2) - max(t1, t2))
    inter = w * h
    return inter / ((r1 - l1) * (b1 - t1) + (r2 - l2) * (b2 - t2) - inter)


def test_obama_box_at_full_resolution_is_face_recognitions(photo: Photo) -> None:
    # face_recognition.face_locations upsamples once by default.
    settings = Settings(recognition={"detection_width": 1000, "detection_upsample": 1}).recognition
    boxes = detect_faces(photo(TI + "obama.jpg"), settings)
    assert [b.as_tuple() for b in boxes] == [(142, 617, 409, 349)]


def test_downscaled_detection_maps_the_box_back(photo: Photo, settings: Settings) -> None:
    assert settings.recognition.detection_width < 910  # obama.jpg is 910 px wide
    boxes = detect_faces(photo(TI + "obama.jpg"), settings.recognition)
    assert len(boxes) == 1
    assert iou(boxes[0].as_tuple(), (142, 617, 409, 349)) > 0.7


def _encoding(engine: FaceEngine, image: np.ndarray) -> np.ndarray:
    analysis = engine.analyse(image, engine.settings.match_quality, 1)
    assert analysis.encoding is not None, analysis.reason
    assert analysis.encoding.dtype == np.float32 and analysis.encoding.shape == (128,)
    return analysis.encoding


def test_same_person_close_and_other_person_far(engine: FaceEngine, photo: Photo) -> None:
    obama = _encoding(engine, photo(TI + "obama.jpg"))
    for other in ("obama2.jpg", "obama3.jpg"):
        assert np.linalg.norm(obama - _encoding(engine, photo(TI + other))) <= 0.6
    assert np.linalg.norm(obama - _encoding(engine, photo(TI + "biden.jpg"))) > 0.6


# One enrolment photo per person (ENROL); every other single-face photo of theirs must come
# back as them, or be refused by the quality gate for the reason a person would see too.
EXPECTED_REFUSALS = {
    TI + "obama_partial_face.jpg": Reason.CUT_OFF,
    TI + "obama_partial_face2.jpg": Reason.CUT_OFF,
    EX + "obama-240p.jpg": Reason.TOO_FAR,
}


@pytest.fixture(scope="module")
def six_people(settings: Settings, photo: Photo) -> tuple[FaceEngine, dict[int, str]]:
    engine = FaceEngine(settings.recognition)
    names: dict[int, str] = {}
    for cid, (person, rel) in enumerate(sorted(ENROL.items()), start=1):
        analysis = engine.analyse_for_enrolment(photo(rel))
        assert analysis.encoding is not None, f"{rel}: {analysis.reason}"
        engine.index.add([cid], [cid], analysis.encoding[None, :])
        names[cid] = person
    return engine, names


def test_six_people_identify_their_other_photos(
    six_people: tuple[FaceEngine, dict[int, str]], labels: list[dict[str, str]], photo: Photo
) -> None:
    engine, names = six_people
    checked = 0
    for row in labels:
        person, rel = row["identities"], row["file"]
        if person not in ENROL or rel == ENROL[person] or row["faces"] != "1":
            continue
        if not rel.endswith((".jpg", ".jpeg", ".png")) or not rel.startswith("face_recognition"):
            continue
        result = engine.identify_image(photo(rel))
        if rel in EXPECTED_REFUSALS:
            assert result.reason == EXPECTED_REFUSALS[rel], rel
            continue
        assert result.match is not None, f"{rel}: {result.reason}"
        assert names[result.match.citizen_id] == person, rel
        checked += 1
    assert checked >= 14  # every labelled single-face photo but the three refusals


def test_person_not_enrolled_is_unknown(
    six_people: tuple[FaceEngine, dict[int, str]], faces_dir
) -> None:
    engine, _ = six_people
    from skimage import data

    result = engine.identify_image(data.astronaut())
    assert result.match is None
    assert result.reason == Reason.UNKNOWN
    # A johns crop: five other people, none enrolled.
    crop = cv2.cvtColor(
        cv2.imread(str(faces_dir / "dlib/examples/johns/Bill_Clinton/000179_02159509.jpg")),
        cv2.COLOR_BGR2RGB,
    ) if (faces_dir / "dlib/examples/johns/Bill_Clinton").is_dir() else None
    if crop is not None:
        assert engine.identify_image(crop, face_crop=True).match is None


def test_two_face_photo_picks_the_larger_face(
    six_people: tuple[FaceEngine, dict[int, str]], photo: Photo
) -> None:
    engine, names = six_people
    image = photo(EX + "two_people.jpg")
    boxes = detect_faces(image, engine.settings)
    assert len(boxes) == 2
    largest = max(boxes, key=lambda b: b.width * b.height)
    result = engine.identify_image(image)
    assert result.faces == 2
    assert result.box == largest
    assert result.match is not None


def test_astronaut_false_second_face_is_not_chosen(engine: FaceEngine) -> None:
    from skimage import data

    result = engine.identify_image(data.astronaut())
    # The real face is at about x 160-220, y 60-140 of the 512x512 picture.
    assert result.box is not None
    assert 120 < result.box.center[0] < 260 and 40 < result.box.center[1] < 180


def test_partial_faces_are_cut_off(engine: FaceEngine, photo: Photo) -> None:
    for rel in ("obama_partial_face.jpg", "obama_partial_face2.jpg"):
        assert engine.identify_image(photo(TI + rel)).reason == Reason.CUT_OFF


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda im: cv2.GaussianBlur(im, (0, 0), 6), Reason.BLURRY),
        (lambda im: (im * 0.15).astype(np.uint8), Reason.TOO_DARK),
        (lambda im: np.clip(im.astype(np.int16) + 140, 0, 255).astype(np.uint8), Reason.TOO_BRIGHT),
        (lambda im: cv2.resize(im, None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA),
         Reason.TOO_FAR),
    ],
    ids=["blurred", "darkened", "overexposed", "shrunken"],
)
def test_degraded_copy_gets_its_reason(
    engine: FaceEngine, photo: Photo, change: Callable[[np.ndarray], np.ndarray], reason: Reason
) -> None:
    good = photo(TI + "obama.jpg")
    assert engine.identify_image(good).quality.ok
    result = engine.identify_image(change(good))
    assert result.reason == reason, result.quality


def test_enrolment_limits_are_stricter_than_matching(engine: FaceEngine, photo: Photo) -> None:
    image = photo(TI + "obama2.jpg")  # head turned about 30 degrees
    assert engine.analyse(image, engine.settings.match_quality, 1).quality.ok
    assert engine.analyse_for_enrolment(image).reason == Reason.NOT_FRONTAL


def test_dogs_have_no_face(engine: FaceEngine, photo: Photo) -> None:
    result = engine.identify_image(photo("dlib/examples/faces/dogs.jpg"))
    assert (result.faces, result.reason, result.match) == (0, Reason.NO_FACE, None)


def test_aligned_crops_identify_after_two_per_person(settings: Settings, faces_dir) -> None:
    """The 5 x 11 johns crops (150x150, like ID-card photos): enrol two, identify the other
    nine of each person."""
    from recognition.images import load_image

    root = faces_dir / "dlib/examples/johns"
    people = sorted(p for p in root.iterdir() if p.is_dir())
    assert len(people) == 5
    engine = FaceEngine(settings.recognition, TemplateIndex())
    tid = 0
    held_out: list[tuple[int, object]] = []
    for cid, folder in enumerate(people, start=1):
        files = sorted(folder.glob("*.jpg"))
        assert len(files) == 11
        enrolled = []
        for f in files:  # the admin keeps the first two samples that pass the gate
            analysis = engine.analyse_for_enrolment(load_image(f), face_crop=True)
            if analysis.encoding is None:
                continue
            tid += 1
            engine.index.add([tid], [cid], analysis.encoding[None, :])
            enrolled.append(f)
            if len(enrolled) == 2:
                break
        assert len(enrolled) == 2, folder.name
        held_out += [(cid, f) for f in files if f not in enrolled]
    wrong = []
    for cid, f in held_out:
        result = engine.identify_image(load_image(f), face_crop=True)
        if result.match is None or result.match.citizen_id != cid:
            wrong.append((f.name, result.reason))
    assert not wrong, wrong
