"""The display boards' live feed: one poller per site and process, shared by every open
event stream of that site, and a bound on how many streams a process serves.

Before, every open board stream asked the database for the site's newest event every
0.3 s through the thread pool, and built the board once per stream on each change: 100
open boards slowed ticket issuing from 4 ms to 90 ms median. Now one task per site (while
at least one board of the site is open) polls, builds the board's JSON once per change
and wakes the streams, which only copy it out. Past ``per_site`` streams of one site or
``total`` streams of the process a new one is refused (503, ``Retry-After``); the board
page then falls back to polling.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from fastapi.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

POLL_SECONDS = 0.3
PING_SECONDS = 15.0


@dataclass
class _SiteFeed:
    """The shared state of one site's feed: the newest board JSON and a version number."""

    streams: int = 0
    version: int = 0
    event_id: int = -1
    payload: str = ""
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class BoardStreamsFull(Exception):
    """No room for another board stream; ``retry_after`` seconds is a good wait."""

    def __init__(self, message: str, retry_after: int = 30) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class BoardHub:
    """The open board streams of one server process, per site."""

    def __init__(self, per_site: int, total: int) -> None:
        self.per_site = per_site
        self.total = total
        self._feeds: dict[int, _SiteFeed] = {}

    @property
    def open_streams(self) -> int:
        return sum(f.streams for f in self._feeds.values())

    def join(self, site_id: int, last_event_id: Callable[[], int],
             board_json: Callable[[], str]) -> _SiteFeed:
        """Count a new stream of ``site_id`` in (starting the site's poller if it is the
        first); :class:`BoardStreamsFull` past the bounds. Runs on the event loop."""
        if self.open_streams >= self.total:
            raise BoardStreamsFull(f"this server already serves {self.total} board streams; "
                                   "the board polls instead")
        feed = self._feeds.setdefault(site_id, _SiteFeed())
        if feed.streams >= self.per_site:
            raise BoardStreamsFull(f"this site already has {self.per_site} open boards on "
                                   "this server; the board polls instead")
        feed.streams += 1
        if feed.task is None or feed.task.done():
            feed.task = asyncio.get_running_loop().create_task(
                self._poll(site_id, feed, last_event_id, board_json))
        return feed

    def leave(self, site_id: int, feed: _SiteFeed) -> None:
        if feed.streams <= 0:
            return
        feed.streams -= 1
        if feed.streams <= 0 and feed.task is not None:
            feed.task.cancel()
            feed.task = None
            self._feeds.pop(site_id, None)

    async def _poll(self, site_id: int, feed: _SiteFeed, last_event_id: Callable[[], int],
                    board_json: Callable[[], str]) -> None:
        while feed.streams > 0:
            try:
                current = await run_in_threadpool(last_event_id)
                if current != feed.event_id:
                    feed.payload = await run_in_threadpool(board_json)
                    feed.event_id = current
                    feed.version += 1
                    woken, feed.changed = feed.changed, asyncio.Event()
                    woken.set()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - database down: the streams keep waiting
                pass
            await asyncio.sleep(POLL_SECONDS)

    def response(self, site_id: int, feed: _SiteFeed) -> StreamingResponse:
        """The event-stream answer of one board; its place in the hub is given back when
        the answer ends, however it ends (even if the client left before the first byte)."""
        hub = self
        left = False

        def leave() -> None:
            nonlocal left
            if not left:
                left = True
                hub.leave(site_id, feed)

        class _BoardStream(StreamingResponse):
            async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
                try:
                    await super().__call__(scope, receive, send)
                finally:
                    leave()

        return _BoardStream(self._events(feed), media_type="text/event-stream",
                            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @staticmethod
    async def _events(feed: _SiteFeed) -> AsyncIterator[str]:
        """The server-sent events of one board: the whole board after each change, a ping
        every 15 s of quiet."""
        seen = 0
        yield "retry: 2000\n\n"
        while True:
            if feed.version != seen and feed.payload:
                seen = feed.version
                yield f"id: {feed.event_id}\nevent: board\ndata: {feed.payload}\n\n"
                continue
            waiting = feed.changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiting.wait(), PING_SECONDS)
                continue
            yield ": ping\n\n"
