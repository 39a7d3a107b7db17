"""Guest memory: an unrecognised face gets the same key all day (real encodings)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import cv2
import pytest

from config import Settings
from kiosk.adapters.identification import KioskIdentifier
from recognition.guests import GuestMemory


@pytest.fixture(scope="module")
def engine():
    from recognition.engine import FaceEngine

    return FaceEngine(Settings().recognition)


def encoding(engine, path: Path):
    from recognition.images import load_image

    s = engine.settings
    analysis = engine.analyse(load_image(path), s.match_quality, 1)
    assert analysis.encoding is not None, analysis.reason
    return analysis.encoding


def test_same_face_same_key_other_face_new_key_forgotten_next_day(engine, faces_dir: Path
                                                                  ) -> None:
    images = faces_dir / "face_recognition" / "tests" / "test_images"
    day = [date(2026, 11, 27)]
    memory = GuestMemory(engine.settings.match_threshold, today=lambda: day[0])
    obama = memory.key_for(encoding(engine, images / "obama.jpg"))
    assert memory.key_for(encoding(engine, images / "obama2.jpg")) == obama
    biden = memory.key_for(encoding(engine, images / "biden.jpg"))
    assert biden != obama and len(memory) == 2
    day[0] += timedelta(days=1)
    assert memory.key_for(encoding(engine, images / "obama3.jpg")) != obama
    assert len(memory) == 1


def test_identifier_gives_unknown_faces_a_guest_key(engine, faces_dir: Path) -> None:
    clip = faces_dir / "face_recognition" / "examples" / "short_hamilton_clip.mp4"
    cap = cv2.VideoCapture(str(clip))
    frames = {}
    for i in range(160):
        ok, frame = cap.read()
        if i in (0, 100, 150):
            frames[i] = frame
    cap.release()
    identify = KioskIdentifier(engine)  # nobody enrolled
    empty = identify(frames[0])
    assert empty.faces == 0 and empty.reason == "no_face" and empty.guest_key is None
    first, later = identify(frames[100]), identify(frames[150])
    assert first.reason == later.reason == "unknown"
    assert first.guest_key is not None and first.guest_key == later.guest_key
    assert first.box is not None and len(first.box) == 4
