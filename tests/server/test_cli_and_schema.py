"""The `queue-server` command and the schema: migrations from empty, models match them,
the default catalogue, `serve` answering quickly on a given port and database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from qs_helpers import free_port, new_id

from server.cli import cli
from server.db import Database, current_revision
from server.models import Base

QUEUE_SERVER = [sys.executable, "-c", "from server.cli import main; main()"]


def test_migrations_create_exactly_the_models(db_url: str) -> None:
    db = Database(db_url)
    assert current_revision(db.engine) is None
    db.migrate()
    assert current_revision(db.engine) == "0010"
    db.migrate()  # a second run changes nothing
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.dispose()


def test_upgrading_a_database_with_tickets_fills_the_queue_lengths(db_url: str,
                                                                   tmp_path: Path) -> None:
    """0002 adds the kept queue length; an office upgrading mid-day keeps correct "people
    ahead" (queues filled from the tickets, including one that only holds a transfer)."""
    from alembic import command

    from config.server import QueueServerSettings
    from server.bootstrap import prepare_database
    from server.db import _alembic_config

    db = prepare_database(QueueServerSettings(database_url=db_url), tmp_path)
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0001")
    with db.engine.begin() as conn:
        ids = conn.execute(sa.text("select id from services order by id limit 2")).scalars()
        ht, ct = list(ids)
        site = conn.execute(sa.text("select id from sites")).scalar_one()
        conn.execute(sa.text("insert into daily_sequences (service_id, day, last_seq) "
                             "values (:s, '2026-03-02', 3)"), {"s": ht})
        for seq, service, status in [(1, ht, "waiting"), (2, ht, "done"), (3, ht, "waiting"),
                                     (4, ct, "waiting")]:  # 4: transferred into CT
            conn.execute(sa.text(
                "insert into tickets (id, site_id, service_id, number_service_id, day, seq, "
                "number, priority, offline, status, issued_at, queue_at, received_at, "
                "recalls) values (:id, :site, :svc, :num, '2026-03-02', :seq, :no, false, "
                "false, :st, '2026-03-02 01:00:00', '2026-03-02 01:00:00', "
                "'2026-03-02 01:00:00', 0)"),
                {"id": new_id(), "site": site, "svc": service, "num": ht, "seq": seq,
                 "no": f"A{seq:03d}", "st": status})
    db.migrate()
    with db.engine.connect() as conn:
        rows = dict(((sid, last), n) for sid, last, n in conn.execute(sa.text(
            "select service_id, last_seq, waiting from daily_sequences")))
    assert rows == {(ht, 3): 2, (ct, 0): 1}
    db.dispose()


def test_kiosk_add_on_a_fresh_database_prints_the_token_last(db_url: str, tmp_path: Path
                                                             ) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["kiosk", "add", "Kiosk sảnh A", "--db", db_url,
                            "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    token = r.output.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    db = Database(db_url)
    with db.read_session() as s:
        stored = s.execute(sa.text("select token_hash, name from kiosks")).all()
    db.dispose()
    assert len(stored) == 1 and stored[0][1] == "Kiosk sảnh A"
    assert token not in stored[0][0]  # only the hash is kept
    r = runner.invoke(cli, ["kiosk", "list", "--db", db_url])
    assert "Kiosk sảnh A" in r.output and token not in r.output


def test_user_add_and_services_load(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["user", "add", "quan", "--role", "manager", "--password",
                            "mật khẩu dài", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "added (manager)" in r.output
    r = runner.invoke(cli, ["user", "add", "x", "--password", "short", "--db", db_url])
    assert r.exit_code == 2 and "8 characters" in r.output
    catalogue = tmp_path / "services.toml"
    catalogue.write_text(
        '[[services]]\ncode = "HT"\nprefix = "H"\nname_vi = "Hộ tịch"\n'
        'name_en = "Civil status"\ncounters = [1]\n\n'
        '[[services]]\ncode = "BHXH"\nprefix = "S"\nname_vi = "Bảo hiểm xã hội"\n'
        'name_en = "Social insurance"\ncounters = [9, 10]\ndaily_cap = 100\n\n'
        '[[counters]]\nnumber = 9\nname = "Quầy BHXH"\n', encoding="utf-8")
    r = runner.invoke(cli, ["services", "load", str(catalogue), "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "1 created, 1 updated, 6 deactivated" in r.output
    r = runner.invoke(cli, ["services", "list", "--db", db_url])
    lines = r.output.strip().splitlines()
    assert len(lines) == 2 and "\tH\t1\t" in lines[0] and "\tS\t9,10\t" in lines[1]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[services]]\ncode = "X"\nprefix = "lower"\nname_vi = "a"\nname_en = "b"\n')
    r = runner.invoke(cli, ["services", "load", str(bad), "--db", db_url])
    assert r.exit_code == 2 and "services.0.prefix" in r.output


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["migrate", "--db",
                                 "postgresql+psycopg://nobody@127.0.0.1:1/none"])
    assert r.exit_code == 1
    assert r.output.startswith("error: database") and "Traceback" not in r.output


def _wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 30) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("server did not answer in time")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_serve_with_port_and_db_then_a_kiosk_issues(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """What the kiosk's tests do: `kiosk add --db`, `serve --port P --db URL`, issue."""
    db_url = (f"sqlite:///{tmp_path / 'q.db'}" if backend == "sqlite"
              else request.getfixturevalue("postgres_url"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    out = subprocess.run([*QUEUE_SERVER, "kiosk", "add", "k1", "--db", db_url],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    token = out.stdout.strip().splitlines()[-1]
    port = free_port()
    proc = subprocess.Popen([*QUEUE_SERVER, "serve", "--port", str(port), "--db", db_url],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc)
        services = httpx.get(f"{url}/api/v1/services").json()
        assert services[0]["code"] == "HT"
        r = httpx.post(f"{url}/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201 and r.json()["number"] == "A001"
        assert r.json()["survey_url"].startswith(url + "/s/")
        assert httpx.get(f"{url}/openapi.json").json()["info"]["version"] == "1.0"
    finally:
        proc.terminate()
        proc.wait(15)
    assert proc.returncode in (0, -15)


def test_serve_defaults_to_sqlite_under_var(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([*QUEUE_SERVER, "serve", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc)
        assert (tmp_path / "var" / "queue.db").is_file()
        assert len(httpx.get(f"http://127.0.0.1:{port}/api/v1/services").json()) >= 6
    finally:
        proc.terminate()
        proc.wait(15)


def test_two_server_processes_share_one_postgresql(tmp_path: Path, postgres_url: str) -> None:
    """`serve --workers 2`: 10 kiosks issue 200 tickets at once; every number once."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    runner = CliRunner()
    tokens = [runner.invoke(cli, ["kiosk", "add", f"k{i}", "--db", postgres_url]
                            ).output.strip().splitlines()[-1] for i in range(10)]
    port = free_port()
    proc = subprocess.Popen([*QUEUE_SERVER, "serve", "--port", str(port), "--db", postgres_url,
                             "--workers", "2"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    barrier = threading.Barrier(len(tokens))
    try:
        _wait_healthy(url, proc, 60)
        time.sleep(1.0)  # both workers up

        def kiosk(token: str) -> list[str]:
            with httpx.Client(base_url=url, timeout=60,
                              headers={"Authorization": f"Bearer {token}"}) as c:
                barrier.wait()
                out = []
                for _ in range(20):
                    r = c.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"})
                    assert r.status_code == 201, r.text
                    out.append(r.json()["number"])
                return out

        with ThreadPoolExecutor(len(tokens)) as pool:
            numbers = [n for batch in pool.map(kiosk, tokens) for n in batch]
    finally:
        proc.terminate()
        proc.wait(20)
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 201)]
