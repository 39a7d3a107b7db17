"""`kiosk printer status|test`: one line, exit 0 only when ready; the test ticket prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from printer.escpos_decode import decode_raster
from tests.support.fake_printer import FakeNetworkPrinter, closed_port


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_PRINTER__STATUS_TIMEOUT_S", "0.3")

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["printer", *args], catch_exceptions=False)

    return invoke


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_status_of_the_default_image_printer_is_ready(run) -> None:
    result = run("status")
    assert result.exit_code == 0
    assert _one_line(result.output).startswith("ready: image://tickets")


def test_status_exit_code_follows_the_printer(run) -> None:
    with FakeNetworkPrinter(FakeNetworkPrinter.READY) as fake:
        result = run("status", "--printer", fake.url)
        assert result.exit_code == 0 and _one_line(result.output).startswith("ready:")
    with FakeNetworkPrinter(FakeNetworkPrinter.PAPER_OUT) as fake:
        result = run("status", "--printer", fake.url)
        assert result.exit_code == 1 and _one_line(result.output).startswith("paper_out:")
    with FakeNetworkPrinter(status=None) as fake:
        result = run("status", "--printer", fake.url)
        assert result.exit_code == 1 and _one_line(result.output).startswith("unknown:")
    result = run("status", "--printer", f"tcp://127.0.0.1:{closed_port()}")
    assert result.exit_code == 1 and _one_line(result.output).startswith("not_found:")


def test_bad_printer_url_is_exit_2_with_one_line(run) -> None:
    result = run("status", "--printer", "lpt://1")
    assert result.exit_code == 2
    assert "unknown scheme" in _one_line(result.output)


def test_test_print_to_image_writes_the_test_ticket(run, tmp_path: Path) -> None:
    result = run("test")
    assert result.exit_code == 0, result.output
    pngs = list((tmp_path / "tickets").glob("*-test.png"))
    assert len(pngs) == 1 and str(pngs[0]) in result.output


def test_test_print_goes_to_the_printer_given(run) -> None:
    with FakeNetworkPrinter(FakeNetworkPrinter.READY) as fake:
        result = run("test", "--printer", fake.url, "--language", "en")
        assert result.exit_code == 0, result.output
        assert fake.wait_for_bytes(20_000)
        image = decode_raster(fake.received)
        assert image.width == 576 and image.height > 1000
    with FakeNetworkPrinter(FakeNetworkPrinter.COVER_OPEN) as fake:
        result = run("test", "--printer", fake.url)
        assert result.exit_code == 1 and "cover_open" in result.output
