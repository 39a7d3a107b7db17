"""Ways to reach a printer, one module each, behind ``printer.transports.base.Transport``."""

from printer.transports.base import Transport

__all__ = ["Transport"]
