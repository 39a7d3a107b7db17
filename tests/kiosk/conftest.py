"""Fixtures of the kiosk suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.ui.i18n import Translations, compile_translations
from tests.support.queue_server import QueueServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[QueueServerProcess]:
    """A real `queue-server` process on SQLite and a free loopback port."""
    proc = QueueServerProcess(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path / "server")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def translations(tmp_path_factory: pytest.TempPathFactory, qapp) -> Translations:
    """The kiosk's translations, compiled from kiosk/i18n/vi.ts (the screens' tests)."""
    qm = compile_translations(tmp_path_factory.mktemp("i18n"))
    assert "vi" in qm, "kiosk/i18n/vi.ts did not compile"
    return Translations(qm)


@pytest.fixture(scope="module")
def frame(faces_dir: Path) -> np.ndarray:
    """Frame 60 of the Hamilton clip (BGR), a real face behind the screens."""
    cap = cv2.VideoCapture(str(faces_dir / "face_recognition/examples/short_hamilton_clip.mp4"))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 60)
    ok, image = cap.read()
    cap.release()
    assert ok
    return image
