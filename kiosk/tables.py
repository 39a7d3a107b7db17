"""Imports every module that defines kiosk tables, so ``Base.metadata`` knows them all."""

from kiosk import registry, tickets  # noqa: F401
