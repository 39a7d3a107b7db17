"""The consent text a citizen agrees to before their face is enrolled, with its version.

One place for both: the admin's enrolment wizard shows this text (Vietnamese first), the
registry records ``CONSENT_TEXT_VERSION`` with every enrolment, and the queue server keeps
the version in its consent records. Change the wording → change the version, so that the
record always says which words the citizen agreed to.
"""

from __future__ import annotations

CONSENT_TEXT_VERSION = "2026-01"

#: (Vietnamese, English); paragraphs separated by a blank line.
CONSENT_TEXT: tuple[str, str] = (
    "Tôi đồng ý để Trung tâm Phục vụ hành chính công chụp và lưu mẫu khuôn mặt của tôi, "
    "cùng họ tên và số căn cước, chỉ để nhận ra tôi khi tôi lấy số thứ tự tại ki-ốt.\n\n"
    "Dữ liệu khuôn mặt là dữ liệu cá nhân nhạy cảm (Luật Bảo vệ dữ liệu cá nhân số "
    "91/2025/QH15). Dữ liệu được mã hóa, không dùng cho mục đích khác, không chia sẻ ra "
    "ngoài trung tâm. Mọi lần xem, sửa, xóa đều được ghi lại.\n\n"
    "Tôi có thể rút lại sự đồng ý bất cứ lúc nào tại quầy: khuôn mặt của tôi sẽ bị xóa "
    "khỏi mọi ki-ốt. Không đồng ý thì tôi vẫn lấy số bình thường.",
    "I agree that the public-administration centre takes and keeps samples of my face, "
    "with my full name and ID card number, only to recognise me when I take a queue "
    "number at the kiosk.\n\n"
    "Face data is sensitive personal data (Personal Data Protection Law 91/2025/QH15). It "
    "is encrypted, used for nothing else and not shared outside the centre. Every viewing, "
    "change and deletion is recorded.\n\n"
    "I may withdraw my consent at any time at a counter: my face is then erased from every "
    "kiosk. If I do not agree, I still take numbers as usual.",
)


def consent_text(language: str = "vi") -> str:
    """The consent text in ``language`` ('vi' or 'en')."""
    vi, en = CONSENT_TEXT
    return en if language == "en" else vi
