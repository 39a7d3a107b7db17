"""DLE EOT replies mean what the ESC/POS manuals say."""

from __future__ import annotations

import pytest

from printer.status import PrinterStatus, interpret, valid_reply


@pytest.mark.parametrize(
    ("printer", "cause", "paper", "state"),
    [
        (0x12, 0x12, 0x12, "ready"),
        (0x16, 0x12, 0x12, "ready"),  # drawer pin high: irrelevant
        (0x12, 0x12, 0x1E, "paper_near_end"),
        (0x1A, 0x32, 0x72, "paper_out"),
        (0x1A, 0x12, 0x7E, "paper_out"),
        (0x1A, 0x16, 0x12, "cover_open"),
        (0x1A, 0x52, 0x12, "offline"),
        (0x1A, 0x12, 0x12, "offline"),
        (0x12, None, None, "ready"),
        (None, None, None, "unknown"),
    ],
)
def test_replies_map_to_states(printer, cause, paper, state: str) -> None:
    assert interpret(printer, cause, paper)[0] == state


def test_only_well_formed_reply_bytes_count() -> None:
    assert valid_reply(0x12) and valid_reply(0x7E) and valid_reply(0x1A)
    assert not valid_reply(0x00) and not valid_reply(0xFF) and not valid_reply(ord("8"))


def test_ready_and_near_end_can_print() -> None:
    assert PrinterStatus("ready", "").can_print
    assert PrinterStatus("paper_near_end", "").can_print
    for state in ("paper_out", "cover_open", "offline", "unknown", "not_found"):
        assert not PrinterStatus(state, "").can_print  # type: ignore[arg-type]
    assert PrinterStatus("ready", "tcp://x: online").line() == "ready: tcp://x: online"
