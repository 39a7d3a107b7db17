"""A network printer on 127.0.0.1 (a real TCP server): every fault gives the right result,
quickly, and never raises."""

from __future__ import annotations

import threading
import time

import pytest

from config.printer import PrinterSettings
from printer.escpos_decode import decode_raster
from printer.service import TicketPrinter
from printer.ticket import Ticket
from tests.support.fake_printer import FakeNetworkPrinter, closed_port

BOUND_S = 2.0  # status timeout is 0.3 s in these tests


def _printer(settings: PrinterSettings, url: str) -> TicketPrinter:
    return TicketPrinter(settings.model_copy(update={"url": url}))


def _timed(func):
    start = time.monotonic()
    result = func()
    return result, time.monotonic() - start


def test_ready_printer_prints_the_rendered_ticket(settings: PrinterSettings,
                                                  ticket: Ticket) -> None:
    with FakeNetworkPrinter(FakeNetworkPrinter.READY) as fake:
        printer = _printer(settings, fake.url)
        status, took = _timed(printer.status)
        assert status.state == "ready" and took < BOUND_S
        result, took = _timed(lambda: printer.print_ticket(ticket))
        assert result.ok and result.reason is None and took < BOUND_S
        expected = printer.encode(printer.render(ticket))
        assert fake.wait_for_bytes(len(expected))
        assert expected in fake.received
        assert decode_raster(fake.received).tobytes() == printer.render(ticket).tobytes()
        # asked before and after printing: printer, offline cause, paper, twice
        assert fake.status_requests[-6:] == [1, 2, 4, 1, 2, 4]


@pytest.mark.parametrize(
    ("script", "state", "reason"),
    [
        (FakeNetworkPrinter.PAPER_OUT, "paper_out", "paper_out"),
        (FakeNetworkPrinter.COVER_OPEN, "cover_open", "cover_open"),
        (FakeNetworkPrinter.OFFLINE_ERROR, "offline", "offline"),
    ],
)
def test_printer_faults_stop_the_ticket_with_their_reason(
    settings: PrinterSettings, ticket: Ticket, script, state: str, reason: str
) -> None:
    with FakeNetworkPrinter(script) as fake:
        printer = _printer(settings, fake.url)
        status, took = _timed(printer.status)
        assert status.state == state and took < BOUND_S
        result, took = _timed(lambda: printer.print_ticket(ticket))
        assert not result.ok and result.reason == reason and took < BOUND_S
        assert b"\x1dv0" not in fake.received  # nothing was printed
        assert result.user_message("vi") and result.user_message("en")


def test_paper_near_end_still_prints_with_a_warning(settings: PrinterSettings,
                                                   ticket: Ticket) -> None:
    with FakeNetworkPrinter(FakeNetworkPrinter.PAPER_NEAR_END) as fake:
        printer = _printer(settings, fake.url)
        assert printer.status().state == "paper_near_end"
        assert printer.status().can_print
        result = printer.print_ticket(ticket)
        assert result.ok and "near its end" in result.message


def test_a_printer_that_never_answers_is_unknown_within_the_bound(
    settings: PrinterSettings, ticket: Ticket
) -> None:
    with FakeNetworkPrinter(status=None) as fake:
        printer = _printer(settings, fake.url)
        status, took = _timed(printer.status)
        assert status.state == "unknown" and took < 0.3 + 1.0
        # printing still goes ahead (many printers ignore DLE EOT), and says so
        result, took = _timed(lambda: printer.print_ticket(ticket))
        assert result.ok and "did not report" in result.message and took < BOUND_S
        assert fake.wait_for_bytes(10_000)
        # ...unless the settings require an answer
        strict = TicketPrinter(settings.model_copy(update={"url": fake.url,
                                                           "require_status": True}))
        result, took = _timed(lambda: strict.print_ticket(ticket))
        assert not result.ok and result.reason == "timeout" and took < BOUND_S


def test_connection_refused_is_not_found(settings: PrinterSettings, ticket: Ticket) -> None:
    printer = _printer(settings, f"tcp://127.0.0.1:{closed_port()}")
    status, took = _timed(printer.status)
    assert status.state == "not_found" and "refused" in status.detail and took < BOUND_S
    result, took = _timed(lambda: printer.print_ticket(ticket))
    assert not result.ok and result.reason == "not_found" and took < BOUND_S


def test_reprint_after_a_fault_sends_the_same_ticket_again(
    settings: PrinterSettings, ticket: Ticket
) -> None:
    with FakeNetworkPrinter(FakeNetworkPrinter.PAPER_OUT) as fake:
        printer = _printer(settings, fake.url)
        assert printer.print_ticket(ticket).reason == "paper_out"
        fake.status = FakeNetworkPrinter.READY  # paper loaded
        assert printer.print_ticket(ticket).ok
        assert fake.wait_for_bytes(10_000)
        assert decode_raster(fake.received).tobytes() == printer.render(ticket).tobytes()


def test_concurrent_prints_from_worker_threads_do_not_interleave(
    settings: PrinterSettings, ticket: Ticket
) -> None:
    with FakeNetworkPrinter(FakeNetworkPrinter.READY) as fake:
        printer = _printer(settings, fake.url)
        results = []
        threads = [threading.Thread(target=lambda: results.append(printer.print_ticket(ticket)))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert len(results) == 4 and all(r.ok for r in results)
        one = printer.encode(printer.render(ticket))
        assert fake.wait_for_bytes(4 * len(one))
        assert fake.received.count(one) == 4


def test_a_late_answer_is_unknown_and_does_not_confuse_the_next_question(
    settings: PrinterSettings,
) -> None:
    with FakeNetworkPrinter(FakeNetworkPrinter.PAPER_OUT, reply_delay_s=0.6) as fake:
        printer = _printer(settings, fake.url)
        status, took = _timed(printer.status)
        assert status.state == "unknown" and took < BOUND_S
        fake.reply_delay_s = 0.0
        fake.status = FakeNetworkPrinter.READY
        time.sleep(0.7)  # the late 'paper out' reply of the first question is discarded
        assert printer.status().state == "ready"
