"""The default catalogue of one-stop services, shared by the queue server (its first
catalogue) and the kiosk (its catalogue when standalone or before the first sync), so a
service has the same code and prefix everywhere."""

from __future__ import annotations

from typing import Any

DEFAULT_SERVICES: list[dict[str, Any]] = [
    {"code": "HT", "prefix": "A", "name_vi": "Hộ tịch", "name_en": "Civil status",
     "counters": [1, 2]},
    {"code": "CT", "prefix": "B", "name_vi": "Chứng thực", "name_en": "Certification",
     "counters": [3]},
    {"code": "DD", "prefix": "C", "name_vi": "Đất đai", "name_en": "Land", "counters": [4]},
    {"code": "XD", "prefix": "D", "name_vi": "Xây dựng", "name_en": "Construction",
     "counters": [5]},
    {"code": "KD", "prefix": "E", "name_vi": "Đăng ký kinh doanh",
     "name_en": "Business registration", "counters": [6]},
    {"code": "LD", "prefix": "F", "name_vi": "Lao động - Thương binh và Xã hội",
     "name_en": "Labour, war invalids and social affairs", "counters": [7]},
    {"code": "TKQ", "prefix": "G", "name_vi": "Trả kết quả", "name_en": "Results return",
     "counters": [8]},
]
