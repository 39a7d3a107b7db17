"""Work the admin's screens hand to the registry desk's thread, and its answers.

The desk (``kiosk.adapters.registry_desk``) runs each job on its own thread; the answer is
put in a queue that a QTimer of the screen drains in the GUI thread (no ``Signal.emit()``
from another thread: ../shared/FACTS.md). ``forget()`` drops answers still on their way
(the admin left, the draft was discarded).
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, QTimer

DRAIN_MS = 40


class Jobs(QObject):
    """Jobs on a desk; ``done(answer)`` runs in the GUI thread, ``on_error(exc)`` when a
    job raised."""

    def __init__(self, parent: QObject, on_error: Callable[[Exception], None]) -> None:
        super().__init__(parent)
        self.on_error = on_error
        self._inbox: queue.SimpleQueue[tuple[int, Callable[[Any], None], Future[Any]]] = \
            queue.SimpleQueue()
        self._generation = 0
        self.pending = 0
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self.drain)

    def run(self, desk: Any, work: Callable[..., Any], *args: Any,
            done: Callable[[Any], None]) -> None:
        """Run ``work(*args)`` on ``desk``'s thread, then ``done(answer)`` here."""
        generation = self._generation
        self.pending += 1
        future = desk.submit(work, *args)
        future.add_done_callback(lambda f: self._inbox.put((generation, done, f)))
        self._timer.start()

    def drain(self) -> None:
        while True:
            try:
                generation, done, future = self._inbox.get_nowait()
            except queue.Empty:
                break
            self.pending = max(self.pending - 1, 0)
            if generation != self._generation:
                continue
            try:
                answer = future.result()
            except Exception as exc:  # one line on the screen, never a crash
                self.on_error(exc)
                continue
            done(answer)
        if self.pending == 0:
            self._timer.stop()

    def busy(self) -> bool:
        return self.pending > 0

    def forget(self) -> None:
        """Answers of the jobs running now are dropped when they come."""
        self._generation += 1
