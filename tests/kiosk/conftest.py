"""Fixtures of the kiosk suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.queue_server import QueueServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[QueueServerProcess]:
    """A real `queue-server` process on SQLite and a free loopback port."""
    proc = QueueServerProcess(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path / "server")
    proc.start()
    yield proc
    proc.stop()
