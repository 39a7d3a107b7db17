"""Settings of the ticket printer (filled in by the printer issue)."""

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
