"""Waiting on a page that runs under its real Content-Security-Policy.

Playwright's ``wait_for_function`` polls with ``eval()``, which our pages' CSP forbids
(``script-src 'self'``); ``page.evaluate`` is not subject to the page's CSP, so the tests
poll with it instead and the pages are tested exactly as a browser receives them.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Error as PlaywrightError


def wait_until(page: Any, expression: str, timeout: float = 30_000) -> Any:
    """Poll the JavaScript ``expression`` on ``page`` every 100 ms until it is truthy and
    return its value; ``AssertionError`` after ``timeout`` milliseconds. A navigation in the
    middle of a poll (a form posted, a redirect) just means asking again."""
    end = time.monotonic() + timeout / 1000
    while True:
        try:
            value = page.evaluate(expression)
        except PlaywrightError as exc:  # the page navigated while we asked: ask again
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
            value = None
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for {expression}")
        page.wait_for_timeout(100)
