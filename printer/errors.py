"""Errors of the printer package."""

from __future__ import annotations

from config.errors import ConfigError


class PrinterError(Exception):
    """A ticket could not be rendered or sent; the message says what to do."""


class PrinterConfigError(PrinterError, ConfigError):
    """The printer configuration is wrong (bad URL, no usable font): one line naming it."""


class PrinterUnavailableError(PrinterError):
    """The printer could not be reached or refused the data.

    ``reason`` is one of the ``PrintResult`` reasons: ``not_found``, ``offline``,
    ``timeout`` or ``error``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
