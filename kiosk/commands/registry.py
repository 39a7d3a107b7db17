"""`kiosk enrol | identify | import | people | calibrate` (the registry commands)."""

from __future__ import annotations

import click


@click.command()
def enrol() -> None:
    """Enrol a citizen from photos (not built yet)."""


@click.command()
def identify() -> None:
    """Identify the faces in photos (not built yet)."""


@click.command("import")
def import_dir() -> None:
    """Bulk enrolment from a folder (not built yet)."""


@click.group()
def people() -> None:
    """List, show and delete enrolled citizens (not built yet)."""


@click.command()
def calibrate() -> None:
    """Report distance distributions and thresholds (not built yet)."""
