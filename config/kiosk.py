"""Settings of the kiosk app and its citizen flow: screens, timeouts, anti-hoarding, priority."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.catalogue import DEFAULT_SERVICES as CATALOGUE_DEFAULTS

#: Settings that were removed, and what to do instead (an old file still setting one gets
#: this message rather than "extra inputs are not permitted").
REMOVED = {
    "number_format": "removed: ticket numbers are written with the queue server's "
    "server.number_pattern (a kiosk formats leased numbers with the pattern each lease "
    "carries; standalone kiosks use {prefix}{seq:03d}); delete kiosk.number_format from "
    "the config file",
    "technician_pin": "removed: the technician PIN is kept as an argon2 hash in the data dir "
    "(set it with `kiosk set-pin`, or on the screen the kiosk shows at first start); delete "
    "kiosk.technician_pin from the config file",
}

DEFAULT_SERVICES = [
    f"{s['code']}|{s['prefix']}|{s['name_vi']}|{s['name_en']}" for s in CATALOGUE_DEFAULTS
]


def parse_service_line(line: str) -> tuple[str, str, str, str]:
    """Split ``code|prefix|Vietnamese name|English name``; raise ``ValueError`` if malformed."""
    parts = [p.strip() for p in line.split("|")]
    if len(parts) != 4 or not all(parts):
        raise ValueError(f"service {line!r} must be 'code|prefix|Vietnamese name|English name'")
    code, prefix, name_vi, name_en = parts
    if len(prefix) != 1 or not prefix.isalpha() or not prefix.isupper():
        raise ValueError(f"service {code!r}: prefix must be one capital letter (got {prefix!r})")
    return code, prefix, name_vi, name_en


class KioskSettings(BaseModel):
    """The touchscreen app."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _removed_settings(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, why in REMOVED.items():
                if name in data:
                    raise ValueError(f"{name} {why}")
        return data

    centre_name: str = Field(
        "Trung tâm Phục vụ hành chính công", description="Name of the centre printed on tickets."
    )
    language: Literal["vi", "en"] = Field(
        "vi", description="Language of the idle screen; each citizen may switch, and the kiosk "
        "returns to this one when idle."
    )
    fullscreen: bool = Field(
        True, description="Full screen without window decorations (false: a window, for "
        "development)."
    )
    technician_press_s: float = Field(
        3.0, ge=1.0, le=20.0,
        description="Seconds the top-left corner must be held before the staff login opens.",
    )
    staff_login_timeout_s: float = Field(
        30.0, ge=5.0, le=600.0,
        description="Seconds the staff login waits for a touch before going back to idle.",
    )
    staff_idle_lock_s: float = Field(
        120.0, ge=15.0, le=3600.0,
        description="Seconds without a touch after which staff mode locks itself.",
    )
    staff_free_tries: int = Field(
        5, ge=1, le=20,
        description="Wrong staff login tries allowed before the login locks for a while.",
    )
    staff_lock_s: float = Field(
        30.0, ge=1.0, le=3600.0,
        description="Seconds the login locks after the last free wrong try; doubled on every "
        "further wrong try (at most an hour). Kept across restarts.",
    )
    face_lost_s: float = Field(
        2.0, ge=0.2, le=30.0,
        description="Seconds without a face before a screen that depends on the person goes "
        "back to idle.",
    )
    unknown_confirm_s: float = Field(
        1.0, ge=0.0, le=10.0,
        description="Seconds a good face must stay unrecognised before the guest screen shows "
        "(a recognition may still come from a better frame).",
    )
    card_scan_per_s: float = Field(
        4.0, ge=0.0, le=30.0,
        description="Camera frames a second scanned for a chip ID card's QR code while the "
        "kiosk is idle (citizens who do not want their face used hold the card up instead); "
        "0 turns the ID card path off. About 11 ms a 1280x720 frame with no code, 45 ms with "
        "one (scripts/bench_id_card.py).",
    )
    guidance_timeout_s: float = Field(
        20.0, ge=2.0, le=300.0,
        description="Seconds of guidance (come closer, look straight...) before offering to "
        "continue as a guest.",
    )
    greeting_timeout_s: float = Field(
        30.0, ge=3.0, le=600.0,
        description="Seconds the greeting or the guest screen waits for a touch before idle.",
    )
    choose_service_timeout_s: float = Field(
        45.0, ge=5.0, le=600.0,
        description="Seconds the service grid waits for a touch before idle.",
    )
    issue_timeout_s: float = Field(
        10.0, ge=1.0, le=120.0,
        description="Seconds to wait for a ticket to be issued before showing an error.",
    )
    show_number_s: float = Field(
        10.0, ge=2.0, le=120.0,
        description="Seconds the ticket number stays on screen (shorter if the person leaves).",
    )
    print_failed_s: float = Field(
        60.0, ge=5.0, le=600.0,
        description="Seconds the 'please note your number' screen stays when printing failed.",
    )
    daily_ticket_cap: int = Field(
        3, ge=1, le=100,
        description="Most tickets one person (citizen or recognised guest) may take per day, "
        "all services together.",
    )
    elderly_age: int = Field(
        60, ge=40, le=120,
        description="Age in years from which a recognised citizen gets priority (Vietnam's Law "
        "on the Elderly: 60).",
    )
    priority_groups: list[str] = Field(
        ["elderly", "disabled", "pregnant", "merit"],
        description="Registry priority groups that give a priority ticket automatically.",
    )
    services: list[str] = Field(
        DEFAULT_SERVICES,
        description="Services offered when no server catalogue is cached (standalone, or "
        "before the first sync), one per line as "
        "'code|prefix|Vietnamese name|English name'.",
    )
    standalone_minutes_per_ticket: float | None = Field(
        None, gt=0, le=240,
        description="Standalone kiosks (no server): minutes between two citizens called for "
        "one service (service time divided by the counters serving it), for the estimated "
        "wait on tiles and tickets. Unset: no estimate is shown (a kiosk with a server uses "
        "the server's).",
    )

    services_order: list[str] = Field(
        [],
        description="Service codes in the order their tiles are shown to citizens (set on "
        "the technician's services page); services not listed follow in the catalogue's "
        "order.",
    )
    services_hidden: list[str] = Field(
        [],
        description="Service codes whose tiles citizens do not see on this kiosk (their "
        "tickets can still be reprinted); when every service would be hidden, all are shown.",
    )

    @field_validator("services_order", "services_hidden")
    @classmethod
    def _check_codes(cls, value: list[str]) -> list[str]:
        codes = [c.strip() for c in value]
        for code in codes:
            if not code or len(code) > 16 or "|" in code:
                raise ValueError(f"service code {code!r} must be 1 to 16 characters, no '|'")
        if len(set(codes)) != len(codes):
            raise ValueError("a service code is listed twice")
        return codes

    @field_validator("services")
    @classmethod
    def _check_services(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one service is needed")
        codes, prefixes = set(), set()
        for line in value:
            code, prefix, _, _ = parse_service_line(line)
            if code in codes or prefix in prefixes:
                raise ValueError(f"service {code!r}: code and prefix must be unique")
            codes.add(code)
            prefixes.add(prefix)
        return value
