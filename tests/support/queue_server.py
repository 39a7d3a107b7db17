"""A real `queue-server` process on a free loopback port, for the kiosk's tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queue_server(*args: str) -> list[str]:
    return [sys.executable, "-c", "from server.cli import main; main()", *args]


class QueueServerProcess:
    """`queue-server serve --db URL --port P` in a child process; can be stopped and
    started again on the same port and database (the server going down and coming back)."""

    def __init__(self, db_url: str, data_dir: Path) -> None:
        self.db_url = db_url
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "queue-server.log"

    def run(self, *args: str) -> str:
        """Run another subcommand against the same database; return its stdout."""
        out = subprocess.run(
            _queue_server(*args, "--db", self.db_url, "--data-dir", str(self.data_dir)),
            capture_output=True, text=True, timeout=60, check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"queue-server {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout

    def add_kiosk(self, name: str = "kiosk-1") -> str:
        """A new kiosk token (the last line `queue-server kiosk add` prints)."""
        return self.run("kiosk", "add", name).strip().splitlines()[-1].strip()

    def start(self, timeout_s: float = 90.0, every_day: bool = True) -> QueueServerProcess:
        """Start and wait until it answers. ``every_day``: its sites work all seven days
        (the default calendar is Monday to Friday; the kiosk tests must not depend on the
        weekday they run on)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                _queue_server("serve", "--db", self.db_url, "--data-dir", str(self.data_dir),
                              "--host", "127.0.0.1", "--port", str(self.port)),
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"queue-server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=0.5).status_code == 200:
                    if every_day:
                        self.work_every_day()
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"queue-server did not start: {self.log.read_text()[-2000:]}")

    def work_every_day(self) -> None:
        """Make every site of the database work all seven days, every service from 00:00 to
        23:59: the default hours (07:30-17:00 in Ho Chi Minh City) would put the kiosk on its
        closed screen when the tests run after 10:00 UTC (only 23:59 local, 16:59 UTC, is
        still closed)."""
        engine = sa.create_engine(self.db_url)
        with engine.begin() as conn:
            conn.execute(sa.text("update sites set working_days = '1234567'"))
            conn.execute(sa.text("update services set opens_at = '00:00', closes_at = '23:59'"))
        engine.dispose()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
