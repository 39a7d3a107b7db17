"""`kiosk set-pin`: set the technician PIN (an argon2 hash in the data dir, never in the
TOML config)."""

from __future__ import annotations

import click

from kiosk.context import KioskContext, fail, with_context


@click.command("set-pin")
@click.option("--pin", "pin", default=None, metavar="DIGITS",
              help="The new PIN (6-12 digits); asked twice, hidden, when left out.")
@with_context
def set_pin(ctx: KioskContext, pin: str | None) -> None:
    """Set the technician PIN that opens staff mode (replaces the old one)."""
    from kiosk.staff.audit import AuditLog
    from kiosk.staff.pin import PinError, PinStore

    if pin is None:
        pin = click.prompt("New technician PIN", hide_input=True,
                           confirmation_prompt=True)
    store = PinStore(ctx.data_dir)
    try:
        store.set(pin.strip())
    except PinError as exc:
        fail(f"PIN not set: {exc}")
    except OSError as exc:
        fail(f"PIN not set: {store.path} cannot be written: {exc.strerror}")
    AuditLog(ctx.data_dir).record("pin", "set_pin", "ok", "kiosk set-pin")
    click.echo(f"technician PIN set ({store.path})")
