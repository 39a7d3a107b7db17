"""Helpers of the queue server's tests: kiosks, users, a live uvicorn server."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from config.server import QueueServerSettings
from server.app import create_app
from server.models import Kiosk, Site, User
from server.security import hash_password, hash_token, new_token

PASSWORD = "correct horse battery"


def make_app(db_url: str, tmp_path: Path, **settings: object) -> FastAPI:
    return create_app(QueueServerSettings(database_url=db_url, **settings), data_dir=tmp_path)


def add_site(app: FastAPI, code: str, name: str = "Phường khác") -> int:
    from server.catalogue import apply_catalogue, default_catalogue, ensure_site

    with app.state.qs.db.session() as s:
        site = ensure_site(s, code, name, "Asia/Ho_Chi_Minh")
        apply_catalogue(s, site, default_catalogue())
        return site.id


def add_kiosk(app: FastAPI, name: str = "kiosk", site_code: str | None = None) -> str:
    """A new kiosk's bearer token."""
    token = new_token()
    with app.state.qs.db.session() as s:
        stmt = (sa.select(Site).where(Site.code == site_code) if site_code
                else sa.select(Site).order_by(Site.id))
        site = s.scalars(stmt).first()
        s.add(Kiosk(site_id=site.id, name=name, token_hash=hash_token(token)))
    return token


def add_user(app: FastAPI, username: str, role: str = "staff",
             site_code: str | None = None) -> None:
    with app.state.qs.db.session() as s:
        stmt = (sa.select(Site).where(Site.code == site_code) if site_code
                else sa.select(Site).order_by(Site.id))
        site = s.scalars(stmt).first()
        s.add(User(username=username, role=role, site_id=site.id, full_name=username,
                   password_hash=hash_password(PASSWORD)))


def login(app: FastAPI, username: str, role: str = "staff",
          site_code: str | None = None) -> TestClient:
    """A client logged in as a new user with ``role``."""
    add_user(app, username, role, site_code)
    c = TestClient(app)
    r = c.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_id() -> str:
    return str(uuid.uuid4())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real uvicorn serving ``app`` on a free loopback port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=1, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


#: The machine's Chromium for the browser tests, and its flags.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
