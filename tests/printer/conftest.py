"""Fixtures of the printer suite: fonts, settings, a sample ticket."""

from __future__ import annotations

from datetime import datetime

import pytest

from config.printer import PrinterSettings
from printer.fonts import FontSet, find_fonts
from printer.ticket import Ticket, mask_name

SURVEY_URL = "https://khaosat.example.vn/s?k=HCM-Q1&t=A012"


@pytest.fixture(scope="session")
def fonts() -> FontSet:
    return find_fonts()


@pytest.fixture
def settings() -> PrinterSettings:
    """Short timeouts so that the fault scenarios stay fast."""
    return PrinterSettings(connect_timeout_s=1.0, status_timeout_s=0.3, write_timeout_s=3.0)


@pytest.fixture
def survey_url() -> str:
    return SURVEY_URL


@pytest.fixture
def ticket() -> Ticket:
    return Ticket(
        centre_name="Trung tâm Phục vụ hành chính công phường Bến Nghé",
        service_name="Đăng ký hộ tịch, chứng thực bản sao",
        number="A012",
        issued_at=datetime(2026, 11, 27, 8, 5),
        people_ahead=7,
        estimated_wait_min=21,
        counters=["3", "4"],
        greeting_name=mask_name("Trần Thị Ngọc Ánh"),
        priority=False,
        survey_url=SURVEY_URL,
        footer="Cảm ơn quý khách đã sử dụng dịch vụ.",
        language="vi",
    )
