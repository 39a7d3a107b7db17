"""The display board in real headless Chromium at 1920x1080 and 1080x1920: every open
counter fits with no overlap or clipping (8, 20 and 30 counters), the clock shows the
site's time, the server's audio plays one call at a time (after at most one tap), a
recall is a recall, a broken voice pack gives staff a small note, hostile names stay
text, and outside opening hours the board says it is closed.
Screenshots: var/screens/board_*.png."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from qs_helpers import ARGS, CHROMIUM, LiveServer, add_kiosk, auth, login, make_app, new_id

from config.server import QueueServerSettings
from config.voice import VoiceSettings
from server.app import create_app
from server.catalogue import set_calendar
from server.domain.clock import local_day
from server.models import Counter, Service, Site
from tests.support.browser import wait_until
from ticketing.workdays import DayNote, WorkCalendar, weekday_name

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
EVIL = "</script><script>alert(1)</script>"
LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}


def launch(pw, autoplay: bool):  # type: ignore[no-untyped-def]
    """Chromium that plays sound at once (``autoplay``) or, like a TV browser after a
    start, only after a tap on the page."""
    policy = "no-user-gesture-required" if autoplay else "document-user-activation-required"
    args = [*ARGS, f"--autoplay-policy={policy}"]
    # Playwright mutes headless Chromium, and muted media may always autoplay: unmute it
    return pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True,
                              ignore_default_args=["--mute-audio"])


def busy_site(app: FastAPI, counters: int, *, evil: bool = False) -> TestClient:
    """Open ``counters`` counters (adding 9.. to the default 8), each serving every
    service, and call one ticket at each through the real API. Returns the staff client."""
    with app.state.qs.db.session() as s:
        site = s.scalars(sa.select(Site)).first()
        services = list(s.scalars(sa.select(Service).where(Service.site_id == site.id)))
        have = {c.number: c for c in s.scalars(sa.select(Counter))}
        for n in range(1, counters + 1):
            c = have.get(n) or Counter(site_id=site.id, number=n, name=f"Quầy {n}")
            c.services = services
            c.is_open = True
            s.add(c)
        if evil:
            services[0].name_vi = EVIL
        ids = [c.id for c in s.scalars(sa.select(Counter).where(Counter.number <= counters)
                                       .order_by(Counter.number))]
    client = TestClient(app)
    token = add_kiosk(app)
    for _ in ids:
        r = client.post("/api/v1/tickets", headers=auth(token),
                        json={"id": new_id(), "service": "HT"})
        assert r.status_code == 201, r.text
    staff = login(app, "admin", "admin")
    for cid in ids:
        r = staff.post(f"/api/v1/counters/{cid}/call-next")
        assert r.status_code == 200, r.text
    return staff


LAYOUT_PROBLEMS = """() => {
  const vw = innerWidth, vh = innerHeight, out = [];
  const box = e => e.getBoundingClientRect();
  const inside = (r, o) => r.left >= o.left - 1 && r.right <= o.right + 1 &&
                           r.top >= o.top - 1 && r.bottom <= o.bottom + 1;
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 &&
                            a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const screen = {left: 0, top: 0, right: vw, bottom: vh};
  const visible = [...document.querySelectorAll(
      '.board-head h1, #clock, #announce, .crow, #recent li, #waiting li, #sound-hint, ' +
      '#staff-note, .side h2, .calls-head')].filter(e => e.offsetParent !== null);
  for (const e of visible) {
    const r = box(e);
    if (!inside(r, screen)) out.push('off screen: ' + e.textContent.slice(0, 40));
    if (r.height < 8) out.push('too small: ' + e.textContent.slice(0, 40));
  }
  // text fits its row: nothing cut off horizontally or vertically
  for (const s of document.querySelectorAll('.crow span, #waiting li b')) {
    const row = s.parentElement;
    if (!inside(box(s), box(row))) out.push('clipped: ' + s.textContent);
  }
  for (const li of document.querySelectorAll('#waiting li, #recent li')) {
    if (!inside(box(li), box(li.closest('.side-box')))) out.push('hidden: ' + li.textContent);
  }
  for (let i = 0; i < visible.length; i++)
    for (let j = i + 1; j < visible.length; j++)
      if (!visible[i].contains(visible[j]) && !visible[j].contains(visible[i]) &&
          overlap(box(visible[i]), box(visible[j])))
        out.push('overlap: ' + visible[i].textContent.slice(0, 30) + ' / ' +
                 visible[j].textContent.slice(0, 30));
  return out;
}"""


@pytest.mark.parametrize("counters", [8, 20, 30])
def test_every_counter_fits_in_both_orientations(playwright_driver, tmp_path: Path,
                                                 counters: int) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    busy_site(app, counters)
    # The layout of an open centre, whatever the time and day the tests run at (outside the
    # default 07:30-17:00, Monday-Friday, the closed notice takes part of the screen).
    with app.state.qs.db.session() as s:
        site = s.scalars(sa.select(Site)).one()
        set_calendar(s, site, WorkCalendar(frozenset(range(1, 8))))
        for svc in s.scalars(sa.select(Service)):
            svc.opens_at, svc.closes_at = "00:00", "23:59"
    server = LiveServer(app).start()
    browser = launch(playwright_driver, autoplay=False)
    SCREENS.mkdir(parents=True, exist_ok=True)
    try:
        for name, viewport in (("landscape", LANDSCAPE), ("portrait", PORTRAIT)):
            page = browser.new_page(viewport=viewport)
            page.goto(f"{server.url}/board")
            wait_until(page, "window.boardUpdates >= 1")
            numbers = page.locator("#serving .crow .num").all_inner_texts()
            assert len(numbers) == counters
            assert all(n.startswith("A") for n in numbers)
            waiting = page.locator("#waiting li").count()
            assert waiting >= 5
            page.screenshot(path=str(SCREENS / f"board_{name}_{counters}.png"))
            problems = page.evaluate(LAYOUT_PROBLEMS)
            assert problems == [], f"{name} with {counters} counters: {problems}"
            # the number is read from across the room: its line at least 40 px of 1080/1920
            height = page.evaluate("document.querySelector('.crow .num').getBoundingClientRect()"
                                   ".height")
            assert height >= 40, f"{name} {counters}: rows text only {height:.0f} px high"
            page.close()
    finally:
        browser.close()
        server.stop()
        app.state.qs.db.dispose()


def test_sound_queue_recall_clock_and_hostile_names(playwright_driver, tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    app.state.qs.announcer.prepare()  # built before the calls, as at a server start
    server = LiveServer(app).start()
    browser = launch(playwright_driver, autoplay=False)
    try:
        context = browser.new_context(viewport=LANDSCAPE, timezone_id="America/New_York")
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{server.url}/board")
        # No Playwright waits on the page until the calls arrived: its page-side scripts
        # run as a user gesture, which would let the board play without a tap. Real time.
        time.sleep(2.0)  # the live feed connects
        staff = busy_site(app, 3, evil=True)
        cid = staff.get("/api/v1/counters").json()[0]["id"]
        assert staff.post(f"/api/v1/counters/{cid}/recall").status_code == 200
        time.sleep(3.0)  # the feed brings the calls and the board tries to play them
        assert "gọi lại" in page.inner_text("#recent")
        assert page.inner_text("#announce").startswith("Gọi lại")
        # sound is blocked until someone taps: the board says so, and one tap is enough
        page.wait_for_selector("#sound-hint", state="visible")
        assert "Chạm một lần" in page.inner_text("#sound-hint")
        page.screenshot(path=str(SCREENS / "board_needs_tap.png"))
        page.click("#sound-hint")
        wait_until(page, "window.soundLog.length >= 4 && "
                               "window.soundLog.every(e => e.end !== null)", timeout=60000)
        assert page.is_hidden("#sound-hint")
        log = page.evaluate("window.soundLog")
        assert all(e["ok"] for e in log), log
        for before, after in zip(log, log[1:], strict=False):
            assert after["start"] >= before["end"], f"calls overlap: {before} {after}"
        assert [e["recall"] for e in log] == [False, False, False, True]
        for e in log:  # each one as long as the audio it played, about 5-7 s
            assert 4000 < e["end"] - e["start"] < 9000, e
        # the clock: the site's zone (Asia/Ho_Chi_Minh), not the browser's New York
        shown = page.inner_text("#clock")
        site_now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
        shown_t = dt.datetime.combine(site_now.date(), dt.time.fromisoformat(shown),
                                      tzinfo=site_now.tzinfo)
        assert abs((shown_t - site_now).total_seconds()) < 5, (shown, site_now)
        # hostile names are text, not markup
        assert dialogs == []
        assert EVIL in page.inner_text("#waiting")
        page.reload()
        wait_until(page, "window.boardUpdates >= 1")
        assert EVIL in page.inner_text("#waiting")
        assert dialogs == []
    finally:
        browser.close()
        server.stop()
        app.state.qs.db.dispose()


def test_staff_note_when_sound_cannot_play_and_closed_state(playwright_driver,
                                                            tmp_path: Path) -> None:
    app = create_app(QueueServerSettings(database_url=f"sqlite:///{tmp_path / 'q.db'}"),
                     data_dir=tmp_path, voice=VoiceSettings(pack=str(tmp_path / "none")))
    server = LiveServer(app).start()
    browser = launch(playwright_driver, autoplay=True)
    try:
        page = browser.new_page(viewport=LANDSCAPE)
        page.goto(f"{server.url}/board")
        wait_until(page, "window.boardUpdates >= 1")
        busy_site(app, 2)
        wait_until(page, "window.soundLog.length + 0 >= 0 && "
                               "!document.getElementById('staff-note').hidden", timeout=15000)
        note = page.inner_text("#staff-note")
        assert "voice pack" in note
        assert page.evaluate("getComputedStyle(document.getElementById('staff-note'))"
                             ".fontSize") < "20px"
        page.screenshot(path=str(SCREENS / "board_sound_note.png"))
        # a holiday today: the board says closed, why, and when it opens again
        with app.state.qs.db.session() as s:
            site = s.scalar(sa.select(Site))
            set_calendar(s, site, WorkCalendar(frozenset(range(1, 8)), closed_days=(
                DayNote(local_day(site), "Nghỉ lễ Quốc khánh"),)))
            tomorrow = local_day(site) + dt.timedelta(days=1)
            for c in s.scalars(sa.select(Counter)):
                c.is_open = False
        staff = login(app, "closer", "admin")
        for c in staff.get("/api/v1/counters").json():
            if c.get("current"):
                staff.post(f"/api/v1/counters/{c['id']}/no-show")
        wait_until(page, "document.getElementById('board').className"
                               ".indexOf('is-closed') >= 0", timeout=10000)
        assert page.is_visible("#closed")
        assert "Ngoài giờ làm việc" in page.inner_text("#closed")
        wait_until(page, "document.getElementById('reopens').textContent.length > 0 && "
                         "document.getElementById('board').className.indexOf('no-calls') >= 0")
        assert "Nghỉ lễ Quốc khánh" in page.inner_text("#closed")
        assert f"Mở cửa lại: {weekday_name(tomorrow)} {tomorrow:%d/%m}, 07:30" \
            in page.inner_text("#closed")
        page.screenshot(path=str(SCREENS / "board_closed.png"))
    finally:
        browser.close()
        server.stop()
        app.state.qs.db.dispose()
