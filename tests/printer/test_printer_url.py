"""One configuration string selects the printer; a bad one is one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from printer.errors import PrinterConfigError
from printer.transports import TRANSPORTS, Transport
from printer.transports.address import PrinterAddress
from printer.transports.file import FileTransport
from printer.transports.image import ImageTransport
from printer.transports.network import NetworkTransport
from printer.url import open_printer


def test_network_urls() -> None:
    t = open_printer("tcp://192.0.2.10")
    assert isinstance(t, NetworkTransport) and (t.host, t.port) == ("192.0.2.10", 9100)
    t = open_printer("tcp://printer.local:4242")
    assert isinstance(t, NetworkTransport) and (t.host, t.port) == ("printer.local", 4242)


def test_image_dir_is_relative_to_the_data_dir(tmp_path: Path) -> None:
    t = open_printer("image://tickets", data_dir=tmp_path)
    assert isinstance(t, ImageTransport) and t.directory == tmp_path / "tickets"
    t = open_printer("image:///srv/tickets", data_dir=tmp_path)
    assert isinstance(t, ImageTransport) and t.directory == Path("/srv/tickets")


def test_file_url() -> None:
    t = open_printer("file:///dev/usb/lp0")
    assert isinstance(t, FileTransport) and t.path == "/dev/usb/lp0"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("lpt://1", "unknown scheme 'lpt://'"),
        ("192.168.1.5:9100", "not a printer URL"),
        ("", "not a printer URL"),
        ("tcp://", "expected tcp://HOST"),
        ("tcp://host:70000", "port"),
        ("tcp://host:abc", "port"),
        ("tcp://host?timeout=3", "unknown parameter 'timeout'"),
        ("usb://04b8", "expected usb://VID:PID"),
        ("usb://04b8:zzzz", "product id 'zzzz'"),
        ("usb://12345:0e15", "vendor id"),
        ("usb://04b8:0e15?in_ep=xyz", "in_ep"),
        ("serial://dev/ttyUSB0", "expected serial:///dev/ttyUSB0"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate 'fast' is not a number"),
        ("serial:///dev/ttyUSB0?baud=9600", "unknown parameter 'baud'"),
        ("file://dev/usb/lp0", "three slashes"),
        ("cups://", "expected cups://QUEUE"),
        ("image://", "expected image://DIR"),
    ],
)
def test_bad_urls_name_the_problem_on_one_line(url: str, says: str) -> None:
    with pytest.raises(PrinterConfigError) as err:
        open_printer(url)
    message = str(err.value)
    assert says in message and "\n" not in message
    assert message.startswith(f"printer URL {url!r}")


@pytest.mark.parametrize(("url", "package"), [("usb://04b8:0e15", "pyusb"),
                                              ("serial:///dev/ttyUSB0?baudrate=19200",
                                               "pyserial")])
def test_usb_and_serial_need_their_driver_package(url: str, package: str) -> None:
    """Without the optional package the error says what to install, on one line."""
    try:
        transport = open_printer(url)
    except PrinterConfigError as err:
        assert package in str(err) and "\n" not in str(err)
    else:
        assert transport.can_read and transport.url == url


def test_unknown_scheme_lists_every_registered_one() -> None:
    with pytest.raises(PrinterConfigError) as err:
        open_printer("lpt://1")
    for scheme in ("usb", "tcp", "serial", "file", "cups", "image"):
        assert f"{scheme}://" in str(err.value)


def test_a_new_transport_registers_its_scheme_by_being_defined() -> None:
    """Adding a transport is one class: no branch to add in printer/url.py."""

    class LoopTransport(Transport):
        scheme = "loop-test"
        example = "loop-test://NAME"

        def __init__(self, url: str, name: str) -> None:
            super().__init__(url)
            self.name = name

        @classmethod
        def from_address(cls, address: PrinterAddress) -> LoopTransport:
            address.params()
            if not address.parts.netloc:
                raise address.bad("expected loop-test://NAME")
            return cls(address.text, address.parts.netloc)

        def write(self, data: bytes, job: str = "ticket") -> None:
            pass

    try:
        t = open_printer("loop-test://desk1")
        assert isinstance(t, LoopTransport) and t.name == "desk1"
        with pytest.raises(PrinterConfigError, match="expected loop-test://NAME"):
            open_printer("loop-test://")
        with pytest.raises(PrinterConfigError) as err:
            open_printer("lpt://1")
        assert "loop-test://NAME" in str(err.value)
    finally:
        TRANSPORTS.pop("loop-test", None)


def test_two_transports_cannot_claim_one_scheme() -> None:
    with pytest.raises(ValueError, match="'tcp' is taken by NetworkTransport"):

        class OtherTcp(Transport):
            scheme = "tcp"

            def write(self, data: bytes, job: str = "ticket") -> None:
                pass

    assert TRANSPORTS["tcp"] is NetworkTransport
