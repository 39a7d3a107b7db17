"""A font covering Vietnamese is found, or start-up stops with a clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.printer import PrinterSettings
from printer.errors import PrinterConfigError
from printer.fonts import covers_vietnamese, find_fonts
from printer.service import TicketPrinter


def test_system_font_found_with_fontconfig_covers_vietnamese() -> None:
    fonts = find_fonts()
    assert covers_vietnamese(fonts.regular) and covers_vietnamese(fonts.bold)


def test_configured_font_that_does_not_exist_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(PrinterConfigError, match="printer.font_path: font file .* does not exist"):
        TicketPrinter(PrinterSettings(font_path=str(tmp_path / "nope.ttf")))


def test_configured_font_without_vietnamese_is_refused() -> None:
    mono = find_fonts().regular.with_name("DejaVuSansMono.ttf")
    if not mono.is_file():
        pytest.skip("DejaVu Sans Mono not installed")
    with pytest.raises(PrinterConfigError) as err:
        find_fonts(str(mono))
    assert "no glyph for" in str(err.value) and "\n" not in str(err.value)


def test_unknown_profile_is_a_config_error() -> None:
    with pytest.raises(PrinterConfigError, match="printer.profile: unknown"):
        TicketPrinter(PrinterSettings(profile="TM-NOPE"))


def test_no_font_covering_vietnamese_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    import printer.fonts as fonts_module

    monkeypatch.setattr(fonts_module, "_fontconfig_candidates", lambda bold: [])
    monkeypatch.setattr(fonts_module, "WELL_KNOWN_FONTS", ())
    fonts_module.find_fonts.cache_clear()
    try:
        with pytest.raises(PrinterConfigError) as err:
            TicketPrinter(PrinterSettings())
    finally:
        fonts_module.find_fonts.cache_clear()
    message = str(err.value)
    assert "no installed font covers Vietnamese" in message and "printer.font_path" in message
    assert "\n" not in message
