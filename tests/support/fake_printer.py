"""A fake network ESC/POS printer for tests: a real TCP server on 127.0.0.1.

It records every byte it receives and answers ``DLE EOT n`` with scripted bytes, or not
at all. GS v 0 raster data is skipped while scanning for DLE EOT, as a printer's parser
does, so image bytes that happen to look like a status request get no answer.

    with FakeNetworkPrinter(status=FakeNetworkPrinter.PAPER_OUT) as fake:
        TicketPrinter(settings.model_copy(update={"url": fake.url})).print_ticket(t)
        fake.received  # the bytes
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping

import numpy as np
from PIL import Image

from printer.escpos_decode import decode_raster

Script = Mapping[int, bytes] | None


class FakeNetworkPrinter:
    """A loopback printer on a free port; ``status=None`` never answers DLE EOT, and
    ``reply_delay_s`` makes every answer late. ``status`` may be changed while it runs."""

    #: DLE EOT replies (n=1 printer, n=2 offline cause, n=4 paper) of common states
    READY: Mapping[int, bytes] = {1: b"\x12", 2: b"\x12", 4: b"\x12"}
    PAPER_NEAR_END: Mapping[int, bytes] = {1: b"\x12", 2: b"\x12", 4: b"\x1e"}
    PAPER_OUT: Mapping[int, bytes] = {1: b"\x1a", 2: b"\x32", 4: b"\x72"}
    COVER_OPEN: Mapping[int, bytes] = {1: b"\x1a", 2: b"\x16", 4: b"\x12"}
    OFFLINE_ERROR: Mapping[int, bytes] = {1: b"\x1a", 2: b"\x52", 4: b"\x12"}

    def __init__(self, status: Script = READY, host: str = "127.0.0.1",
                 reply_delay_s: float = 0.0) -> None:
        self.status = status
        #: seconds before each status reply (a busy printer answers late)
        self.reply_delay_s = reply_delay_s
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind((host, 0))
        self._server.listen(8)
        self._server.settimeout(0.1)
        self.host, self.port = self._server.getsockname()[:2]
        self._lock = threading.Lock()
        self._received = bytearray()
        self.connections = 0
        self.status_requests: list[int] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        """``tcp://127.0.0.1:PORT``."""
        return f"tcp://{self.host}:{self.port}"

    @property
    def received(self) -> bytes:
        """All bytes received so far, over every connection."""
        with self._lock:
            return bytes(self._received)

    def printed_image(self):  # -> PIL.Image.Image
        """The raster image in the received bytes (``ValueError`` if none)."""
        return decode_raster(self.received)

    def start(self) -> FakeNetworkPrinter:
        thread = threading.Thread(target=self._accept_loop, name="fake-printer", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        self._server.close()

    def __enter__(self) -> FakeNetworkPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        pending = bytearray()
        skip = 0  # raster bytes still to pass over
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    self._received += chunk
                pending += chunk
                skip = self._scan(conn, pending, skip)

    def _scan(self, conn: socket.socket, buf: bytearray, skip: int) -> int:
        """Answer the DLE EOT requests in ``buf`` outside raster data; keep what is
        incomplete in ``buf``; return the raster bytes still to skip."""
        i = 0
        while i < len(buf):
            if skip:
                step = min(skip, len(buf) - i)
                i += step
                skip -= step
                continue
            if buf[i] in (0x1D, 0x10) and len(buf) - i < 3:
                break  # maybe the start of a command split across reads
            if buf[i] == 0x1D and buf[i + 1:i + 3] == b"v0":
                if len(buf) - i < 8:
                    break
                width_bytes = buf[i + 4] | buf[i + 5] << 8
                height = buf[i + 6] | buf[i + 7] << 8
                skip = width_bytes * height
                i += 8
                continue
            if buf[i] == 0x10 and buf[i + 1] == 0x04:
                n = buf[i + 2]
                self.status_requests.append(n)
                reply = None if self.status is None else self.status.get(n)
                if reply:
                    if self.reply_delay_s:
                        time.sleep(self.reply_delay_s)
                    try:
                        conn.sendall(reply)
                    except OSError:
                        pass
                i += 3
                continue
            i += 1
        del buf[:i]
        return skip

    def wait_for_bytes(self, count: int, timeout_s: float = 2.0) -> bool:
        """Wait until at least ``count`` bytes arrived; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return True
            time.sleep(0.01)
        return False


def closed_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def read_qr(image: Image.Image | np.ndarray) -> str:
    """The text of the QR code in a printed ticket ("" if none is read).

    OpenCV's ArUco-based detector: the classic ``cv2.QRCodeDetector`` missed 15 of 300
    random survey links rendered as the ticket renders them, which made the tests that
    read tickets back fail now and then; this one read all 300.
    """
    import cv2

    grey = np.asarray(image.convert("L")) if isinstance(image, Image.Image) else image
    text, _points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(grey)
    return text
