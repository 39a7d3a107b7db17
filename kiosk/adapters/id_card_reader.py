"""Reading a chip ID card's QR code from camera frames.

One place for it: the citizen's "use your ID card instead of your face" path and the admin's
enrolment wizard both hold the card up to the kiosk camera and call :func:`read_id_card` on
each frame. OpenCV's ``QRCodeDetectorAruco`` is used because the classic detector misses
codes the Aruco one reads (../shared/FACTS.md). A frame is tried as it is and, when the code
is small in the frame, once more scaled up.

The result never carries the raw QR text beyond this module's caller: it holds the parsed
card (:class:`kiosk.id_card.IdCardData`) or a short problem code for the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.id_card import IdCardData, IdNumberError, parse_id_card_qr

# A payload longer than this is no ID card (the CCCD QR holds well under 300 characters).
MAX_PAYLOAD = 1024
# Frames narrower than this are scaled up once more when the first try finds nothing.
UPSCALE_BELOW = 1280


@dataclass(frozen=True)
class CardScan:
    """What one frame showed: a card, a QR code that is not an ID card, or nothing."""

    card: IdCardData | None = None
    problem: str | None = None  # "not_id_card" when a QR code was read but is no ID card

    @property
    def found(self) -> bool:
        return self.card is not None


NOTHING = CardScan()


class IdCardReader:
    """Finds and parses an ID card QR code in BGR (or grey) frames. Not thread-safe: one
    reader per thread (the OpenCV detector keeps state)."""

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetectorAruco()

    def _decode(self, image: np.ndarray) -> list[str]:
        try:
            ok, texts, _points, _straight = self._detector.detectAndDecodeMulti(image)
        except cv2.error:
            return []
        if not ok:
            return []
        return [t for t in texts if t]

    def read(self, frame: np.ndarray) -> CardScan:
        """Scan one frame; never raises for what a camera or a citizen can put in front."""
        if frame is None or not isinstance(frame, np.ndarray) or frame.size == 0:
            return NOTHING
        if frame.ndim == 3:
            grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        else:
            grey = frame
        texts = self._decode(grey)
        if not texts and grey.shape[1] < UPSCALE_BELOW:
            scale = UPSCALE_BELOW / grey.shape[1]
            texts = self._decode(cv2.resize(grey, None, fx=scale, fy=scale,
                                            interpolation=cv2.INTER_CUBIC))
        if not texts:
            return NOTHING
        for text in texts:
            if len(text) > MAX_PAYLOAD:
                continue
            try:
                return CardScan(card=parse_id_card_qr(text))
            except IdNumberError:
                continue
        return CardScan(problem="not_id_card")


def read_id_card(frame: np.ndarray) -> CardScan:
    """One-off scan with a fresh reader (tests, `kiosk doctor`); loops keep an IdCardReader."""
    return IdCardReader().read(frame)
