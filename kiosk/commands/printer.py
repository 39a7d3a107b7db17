"""`kiosk printer ...` (filled in by the printer issue)."""

from __future__ import annotations

import click


@click.group()
def printer() -> None:
    """Ticket printer: status and test print."""
