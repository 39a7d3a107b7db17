"""Group commit: requests that arrive while the database is busy are stored together.

Issuing a ticket is a short transaction, and on a busy server most of its cost is the
fixed part (a connection, a few round trips, a commit) rather than the ticket. A
:class:`Batcher` owns one writer thread per process. Each request hands its item over and
waits; the thread takes every item waiting at that moment and stores them with one call of
``process`` (one transaction). At low load a batch holds one item and adds no delay; under
load batches grow by themselves, so the cost per ticket falls as the load rises.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)


class BatcherClosed(RuntimeError):
    """The batcher was closed (the server is shutting down)."""


class _Waiter:
    """Who waits for one item: a thread (``concurrent.futures.Future``) or a coroutine
    (``asyncio.Future`` of ``loop``)."""

    __slots__ = ("future", "loop")

    def __init__(self, future: Future | asyncio.Future, loop: asyncio.AbstractEventLoop | None
                 ) -> None:
        self.future = future
        self.loop = loop

    def wanted(self) -> bool:
        if self.loop is None:
            return self.future.set_running_or_notify_cancel()  # type: ignore[union-attr]
        return not self.future.done()  # cancelled: the client went away


def _settle(future: Future | asyncio.Future, result: object) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


def _settle_all(pairs: list[tuple[asyncio.Future, object]]) -> None:
    for future, result in pairs:
        _settle(future, result)


class Batcher(Generic[T, R]):
    """Hands items to ``process`` in batches of at most ``max_batch``, from one thread.

    ``process(items)`` returns one result per item, in order; a result that is an
    exception is raised to that item's caller alone. If ``process`` itself raises, every
    item of that batch gets the exception (nothing was stored: it was one transaction).
    Results reach coroutines with one wake-up of their event loop per batch.
    """

    def __init__(self, process: Callable[[list[T]], list[R | BaseException]], *,
                 max_batch: int = 200, name: str = "batcher") -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._process = process
        self.max_batch = max_batch
        self.name = name
        self._pending: list[tuple[T, _Waiter]] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0
        self.items = 0

    def _enqueue(self, item: T, waiter: _Waiter) -> None:
        with self._cond:
            if self._closed:
                raise BatcherClosed(f"{self.name} is closed")
            self._pending.append((item, waiter))
            if self._thread is None:
                # Started on first use, in the process that serves (after any fork).
                self._thread = threading.Thread(target=self._run, name=self.name,
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def submit(self, item: T) -> Future[R]:
        """Queue ``item``; the future completes when its batch has been stored."""
        future: Future[R] = Future()
        self._enqueue(item, _Waiter(future, None))
        return future

    async def run(self, item: T) -> R:
        """Queue ``item`` and wait for its result without blocking the event loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._enqueue(item, _Waiter(future, loop))
        return await future

    def close(self, timeout: float = 10.0) -> None:
        """Store what is queued, then stop the thread; later submits are refused."""
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        if self.batches:
            log.info("%s stored %d items in %d batches (%.1f per batch)", self.name,
                     self.items, self.batches, self.items / self.batches)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending:
                    return
                batch = self._pending[:self.max_batch]
                del self._pending[:self.max_batch]
            self._store(batch)

    def _store(self, batch: list[tuple[T, _Waiter]]) -> None:
        live = [(item, waiter) for item, waiter in batch if waiter.wanted()]
        if not live:
            return
        results: list[R | BaseException] | list[BaseException]
        try:
            results = self._process([item for item, _ in live])
            if len(results) != len(live):
                raise RuntimeError(f"{self.name}: {len(results)} results for {len(live)} "
                                   "items")
            self.batches += 1
            self.items += len(live)
        except BaseException as exc:  # handed to every caller of the batch
            results = [exc] * len(live)
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, object]]] = {}
        for (_, waiter), result in zip(live, results, strict=True):
            if waiter.loop is None:
                _settle(waiter.future, result)
            else:
                by_loop.setdefault(waiter.loop, []).append(
                    (waiter.future, result))  # type: ignore[arg-type]
        for loop, pairs in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle_all, pairs)
            except RuntimeError:  # that loop is closed: nobody is waiting any more
                pass
