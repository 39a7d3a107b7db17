"""Reading the chip ID card's QR code from camera frames (kiosk/adapters/id_card_reader.py):
a real photo with a card's QR code held in it, tilted and small, read back; frames with no
code, with a QR code that is no ID card, and broken frames give an answer, never a crash."""

from __future__ import annotations

from datetime import date

import cv2
import numpy as np
import pytest
from skimage import data

from kiosk.adapters.id_card_reader import IdCardReader, read_id_card
from tests.support.id_cards import CARD, held_up


@pytest.mark.parametrize(("size", "angle"), [(320, 0), (240, 8), (200, -12)])
def test_a_card_held_up_is_read(size: int, angle: float) -> None:
    scan = read_id_card(held_up(CARD, size, angle))
    assert scan.found and scan.problem is None
    assert scan.card is not None
    assert scan.card.id_number == "079085001234"
    assert scan.card.full_name == "Nguyễn Văn An"
    assert scan.card.date_of_birth == date(1985, 3, 15)
    assert scan.card.sex == "Nam"


def test_a_card_in_a_small_frame_is_read_after_scaling_up() -> None:
    frame = cv2.resize(held_up(CARD, 320, 0), (640, 360))
    scan = IdCardReader().read(frame)
    assert scan.card is not None and scan.card.id_number == "079085001234"


def test_nothing_held_up_and_broken_frames() -> None:
    reader = IdCardReader()
    assert not reader.read(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)).found
    assert reader.read(np.zeros((0, 0, 3), np.uint8)) == reader.read(None)  # type: ignore[arg-type]
    assert not reader.read(np.zeros((4, 4), np.uint8)).found


@pytest.mark.parametrize("payload", [
    "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html",   # the portal's QR, not a card
    "079085001234|x|Nguyễn Văn An|15031999|Nam|addr|01022021",  # birth year contradicts
    "999085001234|||",                                           # no such province
])
def test_a_qr_code_that_is_no_id_card_is_said_so(payload: str) -> None:
    scan = read_id_card(held_up(payload, 320, 0))
    assert not scan.found
    assert scan.problem == "not_id_card"
