"""Ways to reach a printer, one module each, behind ``printer.transports.base.Transport``.

Importing this package imports every transport module, which registers each transport
class under its URL scheme in ``TRANSPORTS``. A new transport is a new module here (a
``Transport`` subclass with ``scheme``, ``example`` and ``from_address``) plus its import
below.
"""

from printer.transports import cups, file, image, network, serial, usb
from printer.transports.base import TRANSPORTS, Transport

# Imported for their registration.
_MODULES = (cups, file, image, network, serial, usb)

__all__ = ["TRANSPORTS", "Transport"]
