"""The Vietnamese chip ID card (CCCD / Căn cước): number validation, masking, QR parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Province codes of birth registration (first three digits), 63 provinces.
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
    "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
    "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)


class IdNumberError(ValueError):
    """An id number that cannot be right; the message says which part is wrong.

    ``reason`` ('digits', 'province', 'year', 'qr') and ``params`` let a screen say the
    same in the reader's language (the staff texts ``err_id_<reason>``); the message
    itself is English, for the command line and the logs.
    """

    def __init__(self, message: str, reason: str, **params: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = params


def validate_id_number(id_number: str, date_of_birth: date | None = None) -> str:
    """Check a 12-digit id number and return it stripped of spaces.

    Digits 1-3: province code; digit 4: sex and century (0/1 for 1900s, 2/3 for 2000s ...);
    digits 5-6: the last two digits of the birth year (checked against ``date_of_birth``).
    """
    value = re.sub(r"\s+", "", id_number or "")
    if not re.fullmatch(r"\d{12}", value):
        raise IdNumberError("id number must be exactly 12 digits", "digits")
    if value[:3] not in PROVINCE_CODES:
        raise IdNumberError(f"id number starts with {value[:3]}, which is not a province code",
                            "province", prefix=value[:3])
    if date_of_birth is not None:
        century = 1900 + 100 * (int(value[3]) // 2)
        year = century + int(value[4:6])
        if year != date_of_birth.year:
            raise IdNumberError(
                f"id number encodes birth year {year}, but the date of birth is "
                f"{date_of_birth.isoformat()}", "year", year=year)
    return value


def mask_id_number(id_number: str) -> str:
    """Show only the province code and the last two digits: ``079*******12``."""
    if len(id_number) < 6:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 5) + id_number[-2:]


@dataclass(frozen=True)
class IdCardData:
    """What the front-side QR code of a chip ID card holds."""

    id_number: str
    full_name: str
    date_of_birth: date | None
    sex: str | None
    address: str | None


def _ddmmyyyy(text: str) -> date | None:
    if not re.fullmatch(r"\d{8}", text or ""):
        return None
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        return None


def parse_id_card_qr(payload: str) -> IdCardData:
    """Parse ``id|old id|name|ddmmyyyy birth|sex|address|ddmmyyyy issued`` defensively:
    the id number is the first valid 12-digit field, the name the first field with letters.
    """
    fields = [f.strip() for f in payload.strip().split("|")]
    id_number = next((f for f in fields if re.fullmatch(r"\d{12}", f)), None)
    if id_number is None:
        raise IdNumberError("the QR code holds no 12-digit id number", "qr")
    rest = fields[fields.index(id_number) + 1 :]
    name = next((f for f in rest if re.search(r"[^\W\d_]", f)), "")
    after_name = rest[rest.index(name) + 1 :] if name else rest
    dob = next((d for d in map(_ddmmyyyy, after_name) if d is not None), None)
    sex = next((f for f in after_name if f.lower() in {"nam", "nữ", "nu", "male", "female"}), None)
    address = None
    if sex is not None:
        tail = after_name[after_name.index(sex) + 1 :]
        address = tail[0] if tail and _ddmmyyyy(tail[0]) is None else None
    return IdCardData(
        id_number=validate_id_number(id_number, dob),
        full_name=name,
        date_of_birth=dob,
        sex=sex,
        address=address,
    )
