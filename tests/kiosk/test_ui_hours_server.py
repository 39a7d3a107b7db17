"""The assembled kiosk against a real `queue-server`: the hours and queue figures of the
server's catalogue on the tiles (a service closed now, people waiting, the estimated
wait), the estimate on the issued ticket, and the closed screen coming and going with the
server's hours without a restart."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from config import Settings
from kiosk import flow
from kiosk.context import KioskContext
from tests.kiosk.test_ui_server import take
from tests.support.kiosk_app import start_kiosk
from tests.support.queue_server import QueueServerProcess

SERVICES = [("HT", "A", "Hộ tịch", "Civil status", [1, 2]),
            ("CT", "B", "Chứng thực", "Certification", [3])]


def hours_now() -> tuple[tuple[str, str], tuple[str, str]]:
    """(a window open now, a window closed now), in the site's local time."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M")
    if "00:05" <= now < "23:50":
        closed = ("23:55", "23:59") if now < "12:00" else ("00:00", "00:04")
        return ("00:00", "23:59"), closed
    pytest.skip("too close to midnight for a window open now")


def load(server: QueueServerProcess, tmp_path: Path, hours: dict[str, tuple[str, str]]) -> None:
    rows = [{"code": c, "prefix": p, "name_vi": vi, "name_en": en, "counters": n,
             "opens_at": hours[c][0], "closes_at": hours[c][1]}
            for c, p, vi, en, n in SERVICES]
    path = tmp_path / "catalogue.json"
    # every day a working day: the test runs on weekends too
    path.write_text(json.dumps({"services": rows, "hours": {"working_days": "1-7"}}),
                    encoding="utf-8")
    server.run("services", "load", str(path))


@pytest.fixture
def server_5min(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A queue server whose centre set 5 minutes per citizen for the estimate."""
    config = tmp_path / "server.toml"
    config.write_text("[server]\ndefault_service_minutes = 5.0\n", encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(config))
    proc = QueueServerProcess(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path / "server")
    proc.start(timeout_s=90)
    monkeypatch.delenv("KIOSK_CONFIG")
    yield proc
    proc.stop()


def test_hours_and_estimates_from_the_server(qtbot, tmp_path: Path, server_5min) -> None:
    server = server_5min
    open_, closed = hours_now()
    load(server, tmp_path, {"HT": closed, "CT": open_})
    token = server.add_kiosk()
    settings = Settings.model_validate({
        "camera": {"source": str(tmp_path / "none.mp4")},
        "printer": {"url": f"image://{tmp_path / 'tickets'}"},
        "sync": {"server_url": server.url, "token": token, "interval_s": 0.2,
                 "issue_timeout_s": 2.0, "request_timeout_s": 2.0},
    })
    (tmp_path / "kiosk").mkdir()
    app = start_kiosk(qtbot, KioskContext(tmp_path / "kiosk", settings), size=(1920, 1080),
                      recognition=False)
    window = app.window
    try:
        qtbot.waitUntil(lambda: app.services.get("HT") is not None and
                        app.services["HT"].opens_at == closed[0], timeout=10_000)
        qtbot.waitUntil(lambda: app.flow.hours.closed_services == {"HT"}, timeout=2000)
        first = take(qtbot, app, "CT")
        assert first.estimated_wait_min == 0  # nobody ahead
        # the tiles: HT closed with its hours, CT with one waiting and about 5 minutes
        qtbot.mouseClick(window.screens[flow.IDLE].take, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=2000)
        qtbot.waitUntil(lambda: window.ctx.wait_min.get("CT") == 5, timeout=5000)
        window.refresh()
        tiles = window.screens[flow.CHOOSE_SERVICE].tiles
        assert not tiles["HT"].isEnabled() and closed[0] in tiles["HT"].text()
        assert "khoảng 5 phút" in tiles["CT"].text() and "1" in tiles["CT"].text()
        window.grab().save(str(Path(__file__).resolve().parents[2] / "var" / "screens" /
                               "services-server-hours-vi-1920x1080.png"))
        qtbot.mouseClick(window.screens[flow.CHOOSE_SERVICE].cancel, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=2000)
        second = take(qtbot, app, "CT")
        assert second.people_ahead == 1 and second.estimated_wait_min == 5

        # the centre closes: the closed screen comes by itself, and goes at opening
        load(server, tmp_path, {"HT": closed, "CT": closed})
        qtbot.waitUntil(lambda: window.current == flow.CLOSED, timeout=10_000)
        assert app.recognizer is None or not app.recognizer.active.is_set()
        qtbot.mouseClick(window.screens[flow.CLOSED], Qt.MouseButton.LeftButton)
        assert window.current == flow.CLOSED
        load(server, tmp_path, {"HT": open_, "CT": open_})
        qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=10_000)
    finally:
        app.shutdown()


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["1920x1080", "1080x1920"])
def test_closed_screen_from_the_cached_catalogue_with_the_server_down(
        qtbot, tmp_path: Path, size: tuple[int, int]) -> None:
    """A kiosk started with its server unreachable decides from the catalogue it cached:
    on a Tết holiday it shows the holiday's note and the first working day after it; on
    a Sunday, that Monday. No number is given either way."""
    from tests.support.queue_server import free_port

    calendar = {"working_days": [1, 2, 3, 4, 5], "saturday_closes_at": None,
                "closed_days": [{"date": f"2027-02-{d:02d}", "note": "Nghỉ Tết Nguyên đán"}
                                for d in range(4, 11)], "open_days": []}
    rows = [{"code": c, "prefix": p, "name_vi": vi, "name_en": en, "counters": n,
             "opens_at": "07:30", "closes_at": "17:00", "timezone": "Asia/Ho_Chi_Minh",
             "calendar": calendar} for c, p, vi, en, n in SERVICES]
    data_dir = tmp_path / "kiosk"
    data_dir.mkdir()
    (data_dir / "services.json").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    settings = Settings.model_validate({
        "camera": {"source": str(tmp_path / "none.mp4")},
        "printer": {"url": f"image://{tmp_path / 'tickets'}"},
        "sync": {"server_url": f"http://127.0.0.1:{free_port()}", "token": "t" * 32,
                 "interval_s": 0.2, "issue_timeout_s": 1.0, "request_timeout_s": 1.0},
    })
    hcm = ZoneInfo("Asia/Ho_Chi_Minh")
    screens = Path(__file__).resolve().parents[2] / "var" / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    app = start_kiosk(qtbot, KioskContext(data_dir, settings), size=size,
                      recognition=False)
    window = app.window
    closed = window.screens[flow.CLOSED]
    try:
        assert app.services["HT"].calendar is not None  # from the cache
        app.wall_clock = lambda: datetime(2027, 2, 8, 9, 0, tzinfo=hcm)  # Tết, a Monday
        qtbot.waitUntil(lambda: window.current == flow.CLOSED, timeout=5000)
        qtbot.waitUntil(lambda: "Thứ Năm 11/02" in closed.reopens.text(), timeout=5000)
        assert closed.why.text() == "Nghỉ Tết Nguyên đán"
        assert closed.reopens.text() == "Mở cửa lại: Thứ Năm 11/02, 07:30"
        assert not closed.hours.isVisible()  # no hours today
        shot = screens / f"closed-holiday-cached-vi-{size[0]}x{size[1]}.png"
        assert window.grab().save(str(shot))
        qtbot.mouseClick(closed, Qt.MouseButton.LeftButton)
        assert window.current == flow.CLOSED  # no number
        app.wall_clock = lambda: datetime(2026, 12, 6, 10, 0, tzinfo=hcm)  # a Sunday
        qtbot.waitUntil(lambda: "07/12" in closed.reopens.text(), timeout=5000)
        assert closed.reopens.text() == "Mở cửa lại: Thứ Hai 07/12, 07:30"
        assert closed.why.text() == "Hôm nay không phải ngày làm việc."
        app.parts.translations.switch("en")
        closed.render(replace(window.view, language="en"), window.ctx)
        assert closed.reopens.text() == "Opens again: Monday 07/12, 07:30"
        assert closed.why.text() == "Today is not a working day."
        app.wall_clock = lambda: datetime(2026, 12, 7, 9, 0, tzinfo=hcm)  # Monday: open
        qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=5000)
    finally:
        app.shutdown()
