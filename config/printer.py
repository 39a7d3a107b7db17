"""Settings of the ticket printer (see docs/printing.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PrinterSettings(BaseModel):
    """The thermal ticket printer."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        "image://tickets",
        description="Printer connection: usb://VID:PID, tcp://HOST:9100, serial:///dev/ttyUSB0, "
        "file:///dev/usb/lp0, cups://QUEUE or image://DIR (a relative DIR is under the data dir).",
    )
    profile: str = Field(
        "default",
        description="python-escpos capability profile of the printer model (e.g. 'TM-T20II', "
        "'TM-T88V', 'POS-5890'); 'default' suits most ESC/POS printers.",
    )
    width_dots: int | None = Field(
        None, ge=128, le=1024, multiple_of=8,
        description="Printable width in dots: 384 for 58 mm paper, 512 or 576 for 80 mm. "
        "Empty means the profile's width, else 576.",
    )
    font_path: str | None = Field(
        None,
        description="TrueType/OpenType font covering Vietnamese for the ticket text; empty "
        "means the system's sans-serif font for Vietnamese, found with fontconfig.",
    )
    bold_font_path: str | None = Field(
        None,
        description="Bold font for headings and the number; empty means the bold face found "
        "with fontconfig, else the regular font.",
    )
    connect_timeout_s: float = Field(
        3.0, gt=0, le=60, description="Longest wait to connect to the printer, in seconds."
    )
    status_timeout_s: float = Field(
        0.5, gt=0, le=10,
        description="Longest wait for one real-time status reply (DLE EOT), in seconds; a "
        "printer silent for longer is reported as 'unknown'.",
    )
    after_print_timeout_s: float = Field(
        3.0, gt=0, le=30,
        description="Longest wait for the status reply after a ticket was sent, in seconds: "
        "a printer answers once it has taken in the ticket's data, which takes longer.",
    )
    write_timeout_s: float = Field(
        10.0, gt=0, le=120,
        description="Longest wait for the printer to accept a ticket's bytes, in seconds.",
    )
    check_status: bool = Field(
        True,
        description="Ask the printer for its status before and after each ticket (where the "
        "connection can read) and refuse to print when it reports paper out, cover open "
        "or offline.",
    )
    require_status: bool = Field(
        False,
        description="Refuse to print (reason 'timeout') when a connection that can read gets "
        "no status answer; off suits printers that ignore DLE EOT.",
    )
    center: bool = Field(
        True, description="Centre the number, headings and QR code on the ticket."
    )
    qr_module_dots: int = Field(
        5, ge=2, le=12,
        description="Size of one QR-code module in printer dots (about 0.125 mm each at "
        "203 dpi); shrunk automatically if the code would not fit the width.",
    )
    margin_dots: int = Field(
        8, ge=0, le=64, description="Blank margin left and right of the ticket, in dots."
    )
    feed_lines: int = Field(
        4, ge=0, le=20, description="Blank lines fed after the ticket, before the cut."
    )
    cut: bool = Field(True, description="Cut the paper after each ticket.")
