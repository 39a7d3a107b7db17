"""Frames with a chip ID card's QR code held up in them (a real photo behind the code), for
the reader's tests, the kiosk's card path and scripts/bench_id_card.py."""

from __future__ import annotations

import cv2
import numpy as np
import qrcode
from skimage import data

#: A front-side CCCD payload: id|old id|name|ddmmyyyy birth|sex|address|ddmmyyyy issued
CARD = "079085001234|123456789|Nguyễn Văn An|15031985|Nam|12 Lê Lợi, Quận 1, TP HCM|01022021"


def qr_image(payload: str, box: int = 4) -> np.ndarray:
    """The QR code of ``payload`` as a BGR image (white border of 4 modules)."""
    q = qrcode.QRCode(border=4, box_size=box)
    q.add_data(payload)
    q.make(fit=True)
    img = np.array(q.make_image(fill_color="black", back_color="white").convert("L"))
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def scene(width: int = 1280, height: int = 720) -> np.ndarray:
    """A real photo (scikit-image's astronaut) as a BGR camera frame of this size."""
    return cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (width, height))


def held_up(payload: str, size: int, angle: float, background: np.ndarray | None = None
            ) -> np.ndarray:
    """The QR code pasted into a 1280x720 frame of a real photo at ``size`` pixels, turned
    by ``angle`` degrees."""
    frame = scene() if background is None else cv2.resize(background, (1280, 720))
    code = cv2.resize(qr_image(payload), (size, size), interpolation=cv2.INTER_AREA)
    turn = cv2.getRotationMatrix2D((size / 2, size / 2), angle, 1.0)
    code = cv2.warpAffine(code, turn, (size, size), borderValue=(255, 255, 255))
    y, x = 300, 800
    frame[y:y + size, x:x + size] = code
    return frame
