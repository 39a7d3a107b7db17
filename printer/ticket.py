"""The ticket as plain data (what is printed), its labels in both languages, name masking."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Language = Literal["vi", "en"]


@dataclass(frozen=True)
class Ticket:
    """Everything printed on one queue ticket. Reprinting = printing the same Ticket again.

    ``greeting_name`` must already be masked for privacy (see ``mask_name``);
    ``people_ahead``/``estimated_wait_min`` are left out of the ticket when ``None``.
    """

    centre_name: str
    service_name: str
    number: str
    issued_at: datetime
    people_ahead: int | None = None
    estimated_wait_min: int | None = None
    counters: list[str] = field(default_factory=list)
    greeting_name: str | None = None
    priority: bool = False
    survey_url: str | None = None
    footer: str | None = None
    language: Language = "vi"

    def __hash__(self) -> int:  # counters is a list; hash what identifies the ticket
        return hash((self.number, self.issued_at, self.service_name))


LABELS: dict[str, dict[Language, str]] = {
    "title": {"vi": "SỐ THỨ TỰ", "en": "YOUR NUMBER"},
    "priority": {"vi": "ƯU TIÊN", "en": "PRIORITY"},
    "service": {"vi": "Lĩnh vực", "en": "Service"},
    "greeting": {"vi": "Xin chào {name}", "en": "Hello {name}"},
    "people_ahead": {"vi": "Số người chờ trước bạn: {n}", "en": "People ahead of you: {n}"},
    "wait": {"vi": "Thời gian chờ dự kiến: khoảng {n} phút", "en": "Estimated wait: about {n} min"},
    "counters": {"vi": "Mời đến quầy: {list}", "en": "Please go to counter: {list}"},
    "issued": {"vi": "Giờ lấy số: {time}", "en": "Issued: {time}"},
    "survey": {
        "vi": "Quét mã QR để theo dõi lượt và đánh giá",
        "en": "Scan the QR code to follow your turn and rate us",
    },
    "footer": {
        "vi": "Vui lòng giữ phiếu và chờ gọi số.",
        "en": "Please keep this ticket and wait for your number.",
    },
    "test_title": {"vi": "IN THỬ", "en": "TEST PRINT"},
    "test_letters": {"vi": "Bảng chữ cái tiếng Việt", "en": "Vietnamese letters"},
    "test_ruler": {"vi": "Thước chiều rộng: {n} điểm", "en": "Width ruler: {n} dots"},
}


def label(key: str, language: Language, **values: object) -> str:
    """The label ``key`` in ``language`` with ``values`` filled in."""
    return LABELS[key][language].format(**values)


def format_issued_at(when: datetime, language: Language) -> str:
    """``08:05 27/11/2026`` (Vietnamese order) or ``27/11/2026 08:05`` (English)."""
    if language == "vi":
        return when.strftime("%H:%M %d/%m/%Y")
    return when.strftime("%d/%m/%Y %H:%M")


def mask_name(full_name: str) -> str:
    """Mask a name for printing: the given name (last word) in full, other words reduced
    to their first letter and a dot. ``"Nguyễn Văn An"`` -> ``"N. V. An"``.

    The family and middle names are what identify a person most; the given name is how
    the ticket greets them. Empty or blank input gives an empty string.
    """
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return ""
    return " ".join([w[0].upper() + "." for w in words[:-1]] + [words[-1]])


def sample_ticket(centre_name: str = "Trung tâm Phục vụ hành chính công",
                language: Language = "vi", now: datetime | None = None) -> Ticket:
    """The ticket `kiosk printer test` prints (the test page adds letters and a ruler)."""
    return Ticket(
        centre_name=centre_name,
        service_name="Chứng thực, hộ tịch" if language == "vi" else "Certification, civil status",
        number="A012",
        issued_at=now or datetime.now(),
        people_ahead=5,
        estimated_wait_min=15,
        counters=["1", "2"],
        greeting_name=mask_name("Nguyễn Thị Ánh Tuyết"),
        priority=True,
        survey_url="https://dichvucong.example.vn/khao-sat?so=A012",
        footer=None,
        language=language,
    )
