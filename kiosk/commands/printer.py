"""`kiosk printer status|test`: is the ticket printer ready, and a test print."""

from __future__ import annotations

import sys

import click

from kiosk.context import KioskContext, fail, with_context

_printer_option = click.option(
    "--printer", "printer_url", default=None, metavar="URL",
    help="Printer URL, overriding the configured printer.url (usb://VID:PID, "
         "tcp://HOST:9100, serial:///dev/ttyUSB0, file:///dev/usb/lp0, cups://QUEUE, "
         "image://DIR).",
)


def _open(ctx: KioskContext, printer_url: str | None):  # -> TicketPrinter
    from printer.errors import PrinterConfigError
    from printer.service import TicketPrinter

    try:
        return TicketPrinter(ctx.settings.printer, data_dir=ctx.data_dir, url=printer_url)
    except PrinterConfigError as exc:
        fail(f"invalid configuration: {exc}", code=2)


@click.group()
def printer() -> None:
    """Ticket printer: status and test print."""


@printer.command()
@_printer_option
@with_context
def status(ctx: KioskContext, printer_url: str | None) -> None:
    """One line with the printer's state; exit 0 only when it is ready to print.

    Exit codes: 0 ready (or paper near end), 1 not ready, 2 bad configuration.
    """
    result = _open(ctx, printer_url).status()
    click.echo(result.line())
    sys.exit(0 if result.can_print else 1)


@printer.command()
@_printer_option
@click.option("--language", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the test ticket's labels.")
@with_context
def test(ctx: KioskContext, printer_url: str | None, language: str) -> None:
    """Print a test ticket: every Vietnamese letter, the QR code and a ruler of the width."""
    from printer.ticket import sample_ticket

    tp = _open(ctx, printer_url)
    ticket = sample_ticket(ctx.settings.kiosk.centre_name, language=language)  # type: ignore[arg-type]
    result = tp.print_test(ticket)
    line = result.message if result.ok else f"not printed ({result.reason}): {result.message}"
    paths = getattr(tp.last_transport, "last_paths", None)
    if result.ok and paths:
        line += f" -> {paths[0]}"
    click.echo(line, err=not result.ok)
    sys.exit(0 if result.ok else 1)
