"""The words staff read on the web pages, Vietnamese first (English beside it): ticket
statuses, roles, and the queue's refusals, which the domain raises in English for the API.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ticketing.status import TicketStatus

STATUS_VI: dict[str, str] = {
    TicketStatus.WAITING: "Đang chờ", TicketStatus.CALLED: "Đã gọi",
    TicketStatus.SERVING: "Đang phục vụ", TicketStatus.DONE: "Đã xong",
    TicketStatus.NO_SHOW: "Vắng mặt", TicketStatus.CANCELLED: "Đã hủy",
}
ROLE_VI: dict[str, str] = {"staff": "Nhân viên", "manager": "Quản lý", "admin": "Quản trị"}


def status_words(status: str) -> str:
    """'Đã gọi / called' for a ticket status."""
    return f"{STATUS_VI.get(status, status)} / {status}"


def role_words(role: str) -> str:
    """'Nhân viên / staff' for a role."""
    return f"{ROLE_VI.get(role, role)} / {role}"


def _status_vi(match: re.Match[str], group: str = "status") -> str:
    return STATUS_VI.get(match.group(group), match.group(group))


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"ticket (?P<n>\S+) is still called at this counter"),
     lambda m: f"Phiếu {m['n']} vẫn đang được gọi ở quầy này: hãy bắt đầu, gọi lại, đánh "
               "vắng mặt hoặc chuyển phiếu trước"),
    (re.compile(r"ticket (?P<n>\S+) is (?P<status>\w+) and cannot be called"),
     lambda m: f"Phiếu {m['n']} đang ở trạng thái «{_status_vi(m)}», không gọi được"),
    (re.compile(r"ticket (?P<n>\S+) is (?P<status>\w+) and cannot be cancelled"),
     lambda m: f"Phiếu {m['n']} đang ở trạng thái «{_status_vi(m)}», không hủy được"),
    (re.compile(r"ticket (?P<n>\S+) is (?P<status>\w+)$"),
     lambda m: f"Phiếu {m['n']} đang ở trạng thái «{_status_vi(m)}»"),
    (re.compile(r"no ticket (?P<n>\S+) today"),
     lambda m: f"Hôm nay không có phiếu {m['n']}"),
    (re.compile(r"no ticket at this counter"), lambda m: "Quầy chưa gọi phiếu nào"),
    (re.compile(r"the ticket is already in that service"),
     lambda m: "Phiếu đã ở lĩnh vực này rồi"),
    (re.compile(r"unknown service '(?P<code>[^']*)' at site (?P<site>\S+)"),
     lambda m: f"Điểm {m['site']} không có lĩnh vực '{m['code']}'"),
    (re.compile(r"this counter serves no service"),
     lambda m: "Quầy này chưa phục vụ lĩnh vực nào"),
    (re.compile(r"no such counter at your site"),
     lambda m: "Không có quầy này ở điểm của bạn"),
    (re.compile(r"no site '(?P<code>[^']*)'"), lambda m: f"Không có điểm '{m['code']}'"),
    (re.compile(r"no such site"), lambda m: "Không có điểm này"),
    (re.compile(r"no such ticket at this site"), lambda m: "Không có phiếu này ở điểm này"),
    (re.compile(r"log in first"), lambda m: "Hãy đăng nhập trước"),
    (re.compile(r"this needs the (?P<role>\w+) role"),
     lambda m: f"Việc này cần quyền {ROLE_VI.get(m['role'], m['role'])}"),
    (re.compile(r"you can read the reports of your own site only"),
     lambda m: "Bạn chỉ xem được báo cáo của điểm mình"),
    (re.compile(r"^Not Found$"), lambda m: "Không tìm thấy trang này"),
    (re.compile(r"^Method Not Allowed$"),
     lambda m: "Địa chỉ này không mở trực tiếp được; hãy quay lại trang trước"),
]


def vietnamese_first(message: str) -> str:
    """``message`` (English, as the domain raises it) as 'Tiếng Việt / English'; a
    message already bilingual (holding ' / ') or not known is returned as it is."""
    if " / " in message:
        return message
    for pattern, say in _RULES:
        match = pattern.search(message)
        if match:
            return f"{say(match)}. / {message[:1].upper()}{message[1:]}."
    return message
