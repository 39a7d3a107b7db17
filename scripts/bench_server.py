#!/usr/bin/env python3
"""Benchmark of the central queue server against PostgreSQL on this machine.

0. Warm-up: each client issues 10 tickets (counted in the checks, not in the figures).
1. Online issuing at a fixed rate: N kiosk clients (default 50, one kiosk token each, one
   HTTP/1.1 keep-alive connection each) together offer --rate tickets/s for --seconds,
   each client on its own staggered schedule; latency is measured from the moment a
   request was due, so a late server cannot hide its queue (no coordinated omission).
   This is the "sustained N tickets/s with p99 under M ms" figure.
2. Online issuing at full speed: the same clients post back to back for --requests
   tickets: the most tickets/s the server sustains. (With clients that never pause, mean
   latency is clients / throughput by Little's law: this phase measures capacity, not
   latency under a given load.)
   After both: a check in the database that no number repeats and nothing is lost.
3. Offline upload: one kiosk leases 10,000 numbers and uploads 10,000 offline tickets in
   batches; tickets/s, per-batch latency, the same checks, then the same upload again to
   show it is idempotent (nothing new stored).

The server is started here (`queue-server serve --workers W`) on a fresh PostgreSQL schema
that is dropped at the end. Traffic goes to 127.0.0.1 only and every loop is bounded.

    uv run python scripts/bench_server.py [--db postgresql+psycopg://postgres@127.0.0.1/test]
        [--clients 50] [--requests 20000] [--rate 1000] [--seconds 20] [--workers 1]
        [--batch 1000] [--offline 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DB = os.environ.get("KIOSK_TEST_POSTGRES_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes() -> dict[int, tuple[str, int, float]]:
    """Every process now: pid -> (command name, parent pid, CPU seconds), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # it ended meanwhile
            fields = raw[raw.rindex(")") + 2:].split()
            found[int(entry)] = (raw[raw.index("(") + 1:raw.rindex(")")], int(fields[1]),
                                 (int(fields[11]) + int(fields[12])) / ticks)
    return found


def tree_cpu_seconds(root: int, procs: dict[int, tuple[str, int, float]]) -> float:
    """CPU seconds used so far by ``root`` and all its descendants (the server workers)."""
    total, todo, seen = 0.0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in procs:
            continue
        seen.add(pid)
        total += procs[pid][2]
        todo.extend(p for p, (_, ppid, _) in procs.items() if ppid == pid)
    return total


def named_cpu_seconds(name: str, procs: dict[int, tuple[str, int, float]]) -> float:
    """CPU seconds used so far by every process whose command name is ``name``."""
    return sum(cpu for comm, _, cpu in procs.values() if comm == name)


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class CpuMeter:
    """CPU used during a run by the server, PostgreSQL and this load generator."""

    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.start = self._read()

    def _read(self) -> tuple[float, float, float, tuple[float, float]]:
        own = os.times()
        procs = processes()
        return (tree_cpu_seconds(self.pid, procs), named_cpu_seconds("postgres", procs),
                own.user + own.system, machine_busy())

    def per_ticket_ms(self, tickets: int) -> dict:
        end = self._read()
        server, pg, client = (end[i] - self.start[i] for i in range(3))
        busy = end[3][0] - self.start[3][0]
        total = end[3][1] - self.start[3][1]
        n = max(1, tickets)
        return {"server_ms": round(server * 1000 / n, 3), "postgres_ms": round(pg * 1000 / n, 3),
                "load_generator_ms": round(client * 1000 / n, 3),
                "machine_busy_pct": round(100 * busy / max(1, total), 1)}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


class Conn:
    """A minimal HTTP/1.1 keep-alive client (the load generator must stay cheap: it shares
    the machine's two cores with the server and PostgreSQL)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, payload: dict) -> tuple[int, dict]:
        assert self.reader is not None and self.writer is not None
        body = json.dumps(payload).encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                f"{self.token}\r\nContent-Type: application/json\r\nContent-Length: "
                f"{len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await self.reader.readexactly(length)
        return status, json.loads(data) if data else {}

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def setup_database(url: str, kiosks: int) -> tuple[str, str, list[str]]:
    """A fresh schema with the default catalogue and ``kiosks`` kiosk tokens."""
    from config.server import QueueServerSettings
    from server.bootstrap import prepare_database
    from server.models import Kiosk, Site
    from server.security import hash_token, new_token

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in url else "?"
    schema_url = f"{url}{sep}options=-csearch_path%3D{schema}"
    db = prepare_database(QueueServerSettings(database_url=schema_url), Path(tempfile.mkdtemp()))
    tokens = [new_token() for _ in range(kiosks + 1)]
    with db.session() as s:
        site = s.scalar(sa.select(Site))
        for i, token in enumerate(tokens):
            s.add(Kiosk(site_id=site.id, name=f"bench-{i}", token_hash=hash_token(token)))
    db.dispose()
    return schema, schema_url, tokens


def drop_schema(url: str, schema: str) -> None:
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'drop schema "{schema}" cascade'))
    admin.dispose()


class BoardStreams:
    """``count`` display boards holding the site's event stream open (as TVs do) while
    tickets are issued: each board reads every update the server sends."""

    def __init__(self, port: int, count: int, site: str = "HCC") -> None:
        self.port, self.count, self.site = port, count, site
        self.statuses: dict[int, int] = {}
        self.updates = 0
        self._tasks: list[asyncio.Task] = []
        self._writers: list[asyncio.StreamWriter] = []

    async def _board(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self._writers.append(writer)
        writer.write(f"GET /board/{self.site}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status != 200:
            writer.close()
            return
        while line := await reader.readline():
            if line.startswith(b"event: board"):
                self.updates += 1

    async def open(self) -> None:
        self._tasks = [asyncio.create_task(self._board()) for _ in range(self.count)]
        await asyncio.sleep(2.0)  # every board connected and has its first update

    async def close(self) -> dict:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in self._writers:
            writer.close()
        return {"boards": self.count, "statuses": {str(k): v for k, v in
                                                   sorted(self.statuses.items())},
                "updates_received": self.updates}


async def with_boards(port: int, boards: int, work):  # noqa: ANN001, ANN201
    """Run the coroutine ``work`` while ``boards`` event streams are held open."""
    if not boards:
        return await work, None
    streams = BoardStreams(port, boards)
    await streams.open()
    try:
        return await work, streams
    finally:
        await streams.close()


def start_server(schema_url: str, port: int, workers: int, config: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from server.cli import main; main()", "serve", "--db",
           schema_url, "--port", str(port), "--workers", str(workers), "--config", str(config)]
    log = config.with_name("server.log")  # not a pipe: nobody reads it while the run lasts
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                time.sleep(1.0)  # let every worker finish starting
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text(errors='replace')}")
    raise SystemExit("server did not start in 60 s")


async def online(port: int, tokens: list[str], total: int, services: list[str],
                 rate: float | None = None) -> dict:
    """``total`` tickets from ``len(tokens)`` clients: back to back, or (``rate``) each
    client sending on a fixed schedule so that together they offer ``rate`` tickets/s."""
    clients = len(tokens)
    per_client = total // clients
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    numbers: list[tuple[str, int]] = []
    conns = [Conn(port, t) for t in tokens]
    await asyncio.gather(*(c.open() for c in conns))
    interval = clients / rate if rate else 0.0
    start = time.perf_counter() + 0.1

    async def client(i: int, conn: Conn) -> None:
        for n in range(per_client):
            service = services[(i + n) % len(services)]
            due = time.perf_counter()
            if rate:
                due = start + i / rate + n * interval
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            status, body = await conn.post("/api/v1/tickets",
                                           {"id": str(uuid.uuid4()), "service": service})
            latencies.append(time.perf_counter() - due)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 201:
                numbers.append((service, body["seq"]))

    t0 = time.perf_counter()
    await asyncio.gather(*(client(i, c) for i, c in enumerate(conns)))
    elapsed = time.perf_counter() - max(t0, start if rate else t0)
    await asyncio.gather(*(c.close() for c in conns))
    return {"elapsed": elapsed, "latencies": latencies, "statuses": statuses,
            "numbers": numbers, "sent": per_client * clients}


def online_figures(run: dict, cpu: dict, offered: float | None = None) -> dict:
    lat = [x * 1000 for x in run["latencies"]]
    figures = {
        "requests": run["sent"], "statuses": run["statuses"],
        "seconds": round(run["elapsed"], 2),
        "tickets_per_s": round(run["statuses"].get(201, 0) / run["elapsed"], 1),
        "p50_ms": round(statistics.median(lat), 1), "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1), "cpu_per_ticket": cpu,
    }
    if offered:
        figures = {"offered_per_s": offered, **figures}
    return figures


async def offline(port: int, token: str, count: int, batch: int, lease_size: int) -> dict:
    conn = Conn(port, token)
    await conn.open()
    seqs: list[int] = []
    while len(seqs) < count:
        size = min(lease_size, count - len(seqs))
        status, lease = await conn.post("/api/v1/leases", {"service": "LD", "size": size})
        assert status == 201, lease
        seqs.extend(range(lease["first_seq"], lease["last_seq"] + 1))
    base = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    tickets = [{"id": str(uuid.uuid4()), "service": "LD", "number": seq,
                "issued_at": (base + dt.timedelta(milliseconds=100 * i)).isoformat(),
                "citizen_id": f"bench-{i % 997}"} for i, seq in enumerate(seqs)]
    runs = []
    for _ in range(2):  # the second pass must store nothing new
        latencies = []
        totals = {"created": 0, "existing": 0, "rejected": 0}
        start = time.perf_counter()
        for i in range(0, len(tickets), batch):
            t0 = time.perf_counter()
            status, body = await conn.post("/api/v1/tickets/batch",
                                           {"tickets": tickets[i:i + batch]})
            latencies.append(time.perf_counter() - t0)
            assert status == 200, body
            for key in totals:
                totals[key] += body[key]
        runs.append({"elapsed": time.perf_counter() - start, "latencies": latencies,
                     **totals})
    await conn.close()
    return {"runs": runs, "count": len(tickets)}


def check_database(schema_url: str) -> dict:
    engine = sa.create_engine(schema_url)
    with engine.connect() as conn:
        total = conn.execute(sa.text("select count(*) from tickets")).scalar_one()
        distinct = conn.execute(sa.text(
            "select count(*) from (select distinct number_service_id, day, seq from tickets) x"
        )).scalar_one()
        dup_numbers = conn.execute(sa.text(
            "select count(*) from (select site_id, day, number from tickets "
            "group by site_id, day, number having count(*) > 1) x")).scalar_one()
    engine.dispose()
    return {"tickets": total, "distinct_numbers": distinct, "duplicate_numbers": dup_numbers}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=DEFAULT_DB, help="PostgreSQL server URL")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=20000, help="online tickets in all")
    ap.add_argument("--rate", type=float, default=1000.0,
                    help="tickets/s offered in the fixed-rate phase")
    ap.add_argument("--seconds", type=float, default=20.0,
                    help="length of the fixed-rate phase")
    ap.add_argument("--workers", type=int, default=1,
                    help="server processes (on this 2-core machine, shared with PostgreSQL "
                    "and the load generator, one is fastest)")
    ap.add_argument("--offline", type=int, default=10000, help="offline tickets to upload")
    ap.add_argument("--batch", type=int, default=1000, help="tickets per batch request")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--board-streams", type=int, default=0,
                    help="display boards holding the live event stream open during the "
                    "online phases (the server's stream bounds are raised to admit them)")
    args = ap.parse_args()

    schema, schema_url, tokens = setup_database(args.db, args.clients)
    config = Path(tempfile.mkdtemp()) / "bench.toml"
    config.write_text("[server]\nmax_lease_size = 100000\nmax_batch_size = 10000\n"
                      "max_request_bytes = 20000000\n"
                      f"board_streams_per_site = {max(args.board_streams, 50)}\n"
                      f"board_streams_total = {max(args.board_streams, 300)}\n")
    port = free_port()
    proc = start_server(schema_url, port, args.workers, config)
    results: dict = {"clients": args.clients, "workers": args.workers, "cpus": os.cpu_count(),
                     "board_streams": args.board_streams,
                     "load_average_before": os.getloadavg()[0]}
    try:
        services = ["HT", "CT", "DD", "XD", "KD"]
        numbers: list[tuple[str, int]] = []
        created = 0

        # Warm-up, not counted: connections, prepared statements and caches of a server
        # that has been running for a while.
        warm = asyncio.run(online(port, tokens[:args.clients], 10 * args.clients, services))
        numbers += warm["numbers"]
        created += warm["statuses"].get(201, 0)
        for phase, rate, total in (("online_rate", args.rate, int(args.rate * args.seconds)),
                                   ("online_max", None, args.requests)):
            meter = CpuMeter(proc.pid)
            run, streams = asyncio.run(with_boards(
                port, args.board_streams,
                online(port, tokens[:args.clients], total, services, rate)))
            if streams is not None:
                results[f"{phase}_board_streams"] = {
                    "boards": streams.count, "statuses": {
                        str(k): v for k, v in sorted(streams.statuses.items())},
                    "updates_received": streams.updates}
            results[phase] = online_figures(run, meter.per_ticket_ms(len(run["latencies"])),
                                            rate)
            numbers += run["numbers"]
            created += run["statuses"].get(201, 0)
        per_service: dict[str, list[int]] = {}
        for service, seq in numbers:
            per_service.setdefault(service, []).append(seq)
        db_online = check_database(schema_url)
        results["online_checks"] = {
            "created": created, "stored": db_online["tickets"],
            "lost": created - db_online["tickets"],
            "duplicates": db_online["tickets"] - db_online["distinct_numbers"]
            + db_online["duplicate_numbers"],
            "numbers_contiguous_per_service": all(
                sorted(v) == list(range(1, len(v) + 1)) for v in per_service.values()),
        }
        meter = CpuMeter(proc.pid)
        off = asyncio.run(offline(port, tokens[-1], args.offline, args.batch, 100000))
        cpu_offline = meter.per_ticket_ms(2 * off["count"])
        first, second = off["runs"]
        db_all = check_database(schema_url)
        results["offline"] = {
            "tickets": off["count"], "batch": args.batch,
            "seconds": round(first["elapsed"], 2),
            "tickets_per_s": round(first["created"] / first["elapsed"], 1),
            "batch_p50_ms": round(statistics.median(first["latencies"]) * 1000, 1),
            "batch_p99_ms": round(percentile(first["latencies"], 99) * 1000, 1),
            "created": first["created"], "rejected": first["rejected"],
            "cpu_per_ticket_both_passes": cpu_offline,
            "second_pass": {"created": second["created"], "existing": second["existing"],
                            "seconds": round(second["elapsed"], 2)},
            "stored": db_all["tickets"] - db_online["tickets"],
            "lost": first["created"] - (db_all["tickets"] - db_online["tickets"]),
            "duplicates": db_all["tickets"] - db_all["distinct_numbers"]
            + db_all["duplicate_numbers"],
        }
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        drop_schema(args.db, schema)
    results["load_average_after"] = os.getloadavg()[0]
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    ok = (results["online_checks"]["duplicates"] == 0 and results["online_checks"]["lost"] == 0
          and results["offline"]["duplicates"] == 0 and results["offline"]["lost"] == 0
          and results["offline"]["second_pass"]["created"] == 0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
