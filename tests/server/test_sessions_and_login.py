"""Staff sessions held on the server (logout, password change and `user disable` end them)
and log-in throttling, on the real server on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
import uvicorn
from click.testing import CliRunner
from fastapi import FastAPI
from qs_helpers import PASSWORD, LiveServer, add_user

from server.auth import SESSION_COOKIE
from server.cli import cli
from server.models import AuditLog


def _login(server: LiveServer, name: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(server.url + "/api/v1/auth/login",
                      json={"username": name, "password": password})


def _me(server: LiveServer, cookie: str) -> int:
    return httpx.get(server.url + "/api/v1/me", cookies={SESSION_COOKIE: cookie}).status_code


def test_logout_ends_the_session_on_the_server(app: FastAPI, live_server: LiveServer) -> None:
    add_user(app, "lan")
    cookie = _login(live_server, "lan").cookies[SESSION_COOKIE]
    other = _login(live_server, "lan").cookies[SESSION_COOKIE]  # a second browser
    assert _me(live_server, cookie) == 200
    r = httpx.post(live_server.url + "/api/v1/auth/logout", cookies={SESSION_COOKIE: cookie})
    assert r.status_code == 200
    assert _me(live_server, cookie) == 401  # a copy of the old cookie no longer works
    assert _me(live_server, other) == 200  # the other browser stays logged in
    r = httpx.post(live_server.url + "/logout", cookies={SESSION_COOKIE: other})
    assert r.status_code == 303
    assert _me(live_server, other) == 401
    page = httpx.get(live_server.url + "/console", cookies={SESSION_COOKIE: other},
                     headers={"accept": "text/html"})
    assert page.status_code == 303 and "/login" in page.headers["location"]


def test_a_password_change_ends_the_other_sessions(app: FastAPI, live_server: LiveServer
                                                    ) -> None:
    add_user(app, "lan")
    stolen = _login(live_server, "lan").cookies[SESSION_COOKIE]
    mine = _login(live_server, "lan").cookies[SESSION_COOKIE]
    r = httpx.post(live_server.url + "/api/v1/auth/password", cookies={SESSION_COOKIE: mine},
                   json={"current_password": "wrong one", "new_password": "a new password"})
    assert r.status_code == 401
    r = httpx.post(live_server.url + "/api/v1/auth/password", cookies={SESSION_COOKIE: mine},
                   json={"current_password": PASSWORD, "new_password": "a new password"})
    assert r.status_code == 200
    assert _me(live_server, stolen) == 401
    assert _me(live_server, mine) == 401  # replaced by the new cookie of this answer
    assert _me(live_server, r.cookies[SESSION_COOKIE]) == 200
    assert _login(live_server, "lan").status_code == 401
    assert _login(live_server, "lan", "a new password").status_code == 200


def test_cli_password_reset_and_disable_end_sessions(app: FastAPI, live_server: LiveServer,
                                                      db_url: str, tmp_path: Path) -> None:
    add_user(app, "lan")
    runner = CliRunner()
    cookie = _login(live_server, "lan").cookies[SESSION_COOKIE]
    r = runner.invoke(cli, ["user", "add", "lan", "--password", "reset password 1",
                            "--db", db_url, "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "1 session(s) ended" in r.output
    assert _me(live_server, cookie) == 401
    cookie = _login(live_server, "lan", "reset password 1").cookies[SESSION_COOKIE]
    assert _me(live_server, cookie) == 200
    r = runner.invoke(cli, ["user", "disable", "lan", "--db", db_url,
                            "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert _me(live_server, cookie) == 401
    assert _login(live_server, "lan", "reset password 1").status_code == 401
    r = runner.invoke(cli, ["user", "disable", "nobody", "--db", db_url,
                            "--data-dir", str(tmp_path)])
    assert r.exit_code == 2 and "no user 'nobody'" in r.output


def test_repeated_failures_lock_the_user_for_a_growing_time(app: FastAPI,
                                                             live_server: LiveServer) -> None:
    add_user(app, "lan")
    for _ in range(5):
        assert _login(live_server, "lan", "guess").status_code == 401
    r = _login(live_server, "lan")  # the right password, but too soon
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert SESSION_COOKIE not in r.cookies
    time.sleep(2.1)
    assert _login(live_server, "lan", "guess").status_code == 401  # 6th failure: 4 s lock
    assert _login(live_server, "lan").status_code == 429
    time.sleep(4.1)
    assert _login(live_server, "lan").status_code == 200  # success clears the count
    assert _login(live_server, "lan", "guess").status_code == 401
    assert _login(live_server, "lan").status_code == 200
    with app.state.qs.db.read_session() as s:
        actions = list(s.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))
    assert actions.count("login_failed") == 7
    assert actions.count("login_locked") == 2
    # The form at /login is throttled the same way and says so.
    add_user(app, "mai")
    for _ in range(5):
        httpx.post(live_server.url + "/login", data={"username": "mai", "password": "x"})
    r = httpx.post(live_server.url + "/login", data={"username": "mai", "password": PASSWORD})
    assert r.status_code == 429 and "Too many failed log-ins" in r.text


def test_an_unknown_user_answers_in_the_same_time(app: FastAPI, live_server: LiveServer
                                                  ) -> None:
    add_user(app, "lan")
    known, unknown = [], []
    with httpx.Client(base_url=live_server.url) as c:
        for i in range(4):
            for name, times in (("lan", known), (f"ghost{i}", unknown)):
                t0 = time.perf_counter()
                r = c.post("/api/v1/auth/login", json={"username": name, "password": f"w{i}"})
                times.append(time.perf_counter() - t0)
                assert r.status_code == 401
    k, u = statistics.median(known), statistics.median(unknown)
    assert u > 0.5 * k, f"unknown user {u * 1000:.0f} ms against known {k * 1000:.0f} ms"


def _serve(app: FastAPI, trusted: str) -> LiveServer:
    """A live server whose uvicorn believes X-Forwarded-* only from ``trusted``."""
    server = LiveServer(app)
    config = uvicorn.Config(app, host="127.0.0.1", port=server.port, log_level="warning",
                            timeout_graceful_shutdown=1, lifespan="off",
                            proxy_headers=True, forwarded_allow_ips=trusted)
    server.server = uvicorn.Server(config)
    server.thread = threading.Thread(target=server.server.run, daemon=True)
    return server.start()


def test_cookie_is_secure_behind_a_trusted_tls_proxy_only(app: FastAPI) -> None:
    add_user(app, "lan")
    body = {"username": "lan", "password": PASSWORD}
    https = {"X-Forwarded-Proto": "https"}
    trusted = _serve(app, "127.0.0.1")  # a reverse proxy on this machine
    try:
        r = httpx.post(trusted.url + "/api/v1/auth/login", json=body, headers=https)
        assert r.status_code == 200
        cookie = r.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        # The same-origin check compares the https origin the browser saw.
        host = trusted.url.removeprefix("http://")
        r = httpx.post(trusted.url + "/api/v1/counters/1/open", headers={
            **https, "Origin": f"https://{host}"},
            cookies={SESSION_COOKIE: r.cookies[SESSION_COOKIE]})
        assert r.status_code == 200
        plain = httpx.post(trusted.url + "/api/v1/auth/login", json=body)
        assert "secure" not in plain.headers["set-cookie"].lower()
    finally:
        trusted.stop()
    untrusted = _serve(app, "10.9.9.9")  # the header comes from a client, not the proxy
    try:
        r = httpx.post(untrusted.url + "/api/v1/auth/login", json=body, headers=https)
        assert r.status_code == 200
        assert "secure" not in r.headers["set-cookie"].lower()
    finally:
        untrusted.stop()
