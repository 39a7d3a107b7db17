"""Fixtures of the queue server's tests: a database on SQLite and PostgreSQL, the app,
and a real uvicorn server on a free loopback port."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from qs_helpers import ARGS, CHROMIUM, LiveServer, make_app


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'queue.db'}"


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    application = make_app(db_url, tmp_path)
    yield application
    application.state.qs.issuer.close()
    application.state.qs.db.dispose()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[FastAPI, LiveServer]]:
    """The app on a SQLite file behind a real server: what the browser tests open."""
    application = make_app(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    server = LiveServer(application).start()
    yield application, server
    server.stop()
    application.state.qs.issuer.close()
    application.state.qs.db.dispose()




@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[object]:
    """Playwright with the machine's Chromium present (skipped without it, failed in CI)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (scripts/setup.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright_driver) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Headless Chromium (Playwright), one per test module."""
    b = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield b
    b.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette")
