"""Soak with faults (issue 17): two kiosks and a queue server on PostgreSQL issue tickets
for ``--minutes`` while faults are injected at random moments; then everything is counted.

What runs (all on loopback, all real):
- PostgreSQL at 127.0.0.1:5432 (db ``test``), in a fresh schema ``soak_<random>`` of its own
  (dropped at the end unless ``--keep``);
- ``queue-server serve`` (tests/support/queue_server.py) on a free port;
- two kiosk processes (scripts/soak_kiosk.py: ``build_app`` + a citizen driver tapping the
  real buttons), one watching a copy of the Hamilton clip, one a folder of photos; each
  prints to its own fake network printer (tests/support/fake_printer.py) and reaches the
  server through its own TCP proxy that can cut and delay (``TcpProxy``);
- a supervisor that restarts a kiosk 2 s after it dies, as systemd would (RestartSec=2);
- a fault injector: one fault at a time at random moments (see ``FAULTS``).

At the end the faults stop, everything is put back, the kiosks get time to upload their
outbox, and scripts/soak_count.py counts from the kiosk databases, the server database, the
printers' bytes and the citizens' event logs. A summary table goes to stdout and the JSON
to ``--json`` (default ``<out>/soak.json``).

Usage: uv run python scripts/soak.py --minutes 30 [--seed 1] [--out var/soak]
       [--faults server_restart,server_kill,postgres_restart,net_cut,net_delay,
                 printer_offline,printer_paper_out,printer_silent,camera_gone,kiosk_kill]
       [--no-server-restarts]   (every fault but restarting the server: one server process
                                 lives the whole run, for its memory slope)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = SHARED / "testdata" / "faces" / "face_recognition" / "examples"
CLIP = EXAMPLES / "short_hamilton_clip.mp4"
PHOTOS = ["obama-480p.jpg", "lin-manuel-miranda.png", "alex-lacamoire.png", "obama_small.jpg",
          "two_people.jpg"]
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FAULTS = ("server_restart", "server_kill", "postgres_restart", "net_cut", "net_delay",
          "printer_offline", "printer_paper_out", "printer_silent", "camera_gone",
          "kiosk_kill")
#: the faults that end the server process (left out by --no-server-restarts)
SERVER_ENDING = ("server_restart", "server_kill")
#: seconds a kiosk stays dead before the supervisor starts it again (systemd RestartSec)
RESTART_S = 2.0
#: seconds between RSS samples
SAMPLE_S = 10.0

sys.path.insert(0, str(ROOT))

from benchlib import child_pids  # noqa: E402 - scripts/ is on the path when run

from tests.support.fake_printer import FakeNetworkPrinter  # noqa: E402
from tests.support.queue_server import QueueServerProcess  # noqa: E402
from tests.support.tcp_proxy import TcpProxy  # noqa: E402


def say(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {msg}", flush=True)


class Kiosk:
    """One kiosk process the soak owns (and restarts, like systemd)."""

    def __init__(self, name: str, out: Path, camera: Path, server_port: int, token: str,
                 seed: int) -> None:
        self.name = name
        self.data_dir = out / name
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.camera = camera
        self.printer = FakeNetworkPrinter().start()
        self.proxy = TcpProxy(("127.0.0.1", server_port)).restore()
        self.token = token
        self.seed = seed
        self.events = self.data_dir / "events.jsonl"
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills: list[float] = []
        self.crashes: list[dict[str, Any]] = []
        self.starts = 0
        self.lock = threading.Lock()

    def start(self) -> None:
        cmd = [sys.executable, str(ROOT / "scripts" / "soak_kiosk.py"),
               "--data-dir", str(self.data_dir), "--camera", str(self.camera),
               "--printer", self.printer.url, "--server", f"http://127.0.0.1:{self.proxy.port}",
               "--events", str(self.events),
               "--seed", str(self.seed + self.starts)]
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1",
               "SOAK_KIOSK_TOKEN": self.token}
        with (self.data_dir / "stderr.log").open("ab") as log:
            # its own process group: kill -9 takes the recognition child too, as systemd's
            # cgroup does
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log,
                                         start_new_session=True)
        self.starts += 1

    def kill9(self) -> None:
        with self.lock:
            if self.proc is not None and self.proc.poll() is None:
                self.kills.append(time.time())
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def stop(self) -> None:
        with self.lock:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
            if self.proc is not None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)  # leftovers of the group
                except ProcessLookupError:
                    pass
            self.proc = None

    def supervise(self) -> None:
        """Restart after RESTART_S if the process is gone; record a death we did not cause."""
        with self.lock:
            if self.proc is None or self.proc.poll() is None:
                return
            code = self.proc.returncode
            killed = code == -signal.SIGKILL and self.kills and time.time() - self.kills[-1] < 30
            if not killed:
                self.crashes.append({"t": time.time(), "code": code})
                say(f"{self.name} exited by itself with code {code}")
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc = None
        time.sleep(RESTART_S)
        with self.lock:
            self.start()

    def pids(self) -> dict[str, int]:
        """``{role: pid}``: the app and its recognition child, if running."""
        if self.proc is None or self.proc.poll() is not None:
            return {}
        out = {f"{self.name}-app": self.proc.pid}
        for j, kid in enumerate(sorted(child_pids(self.proc.pid)), start=1):
            out[f"{self.name}-child{j}"] = kid  # recognition process (and any helper)
        return out


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Soak:
    """Everything the soak runs, its fault injector and its bookkeeping."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.out: Path = args.out
        self.stop_at = 0.0
        self.faults: list[dict[str, Any]] = []
        self.samples: list[dict[str, Any]] = []
        self.done = threading.Event()
        self.schema = f"soak_{uuid.uuid4().hex[:10]}"
        sep = "&" if "?" in args.db else "?"
        self.db_url = f"{args.db}{sep}options=-csearch_path%3D{self.schema}"
        self.server: QueueServerProcess | None = None
        self.kiosks: list[Kiosk] = []
        self.cameras: list[Path] = []
        self.pg_restart_cmd = ["pg_ctlcluster", "15", "main", "restart", "-m", "fast"]

    # -- set-up and tear-down

    def setup(self) -> None:
        import sqlalchemy as sa

        self.out.mkdir(parents=True, exist_ok=True)
        admin = sa.create_engine(self.args.db)
        with admin.begin() as conn:
            conn.execute(sa.text(f'create schema "{self.schema}"'))
        admin.dispose()
        say(f"schema {self.schema}; output in {self.out}")
        self.server = QueueServerProcess(self.db_url, self.out / "server")
        self.server.data_dir.mkdir(parents=True, exist_ok=True)
        tokens = [self.server.add_kiosk(f"soak-k{i}") for i in (1, 2)]
        self.server.start(timeout_s=120)  # a loaded machine starts slowly
        cams = self.out / "cameras"
        cams.mkdir(exist_ok=True)
        clip = cams / "clip.mp4"
        shutil.copy(CLIP, clip)
        photos = cams / "photos"
        photos.mkdir(exist_ok=True)
        for name in PHOTOS:
            shutil.copy(EXAMPLES / name, photos / name)
        self.cameras = [clip, photos]
        for i, (cam, token) in enumerate(zip(self.cameras, tokens, strict=True), start=1):
            k = Kiosk(f"k{i}", self.out, cam, self.server.port, token, self.args.seed * 100 + i)
            k.start()
            self.kiosks.append(k)
        say(f"server {self.server.url}; kiosks k1 (clip) k2 (photos) started")

    def teardown(self) -> None:
        for k in self.kiosks:
            k.stop()
            k.proxy.cut()
            k.printer.stop()
        if self.server is not None:
            self.server.stop()
        if not self.args.keep:
            import sqlalchemy as sa

            admin = sa.create_engine(self.args.db)
            with admin.begin() as conn:
                conn.execute(sa.text(f'drop schema if exists "{self.schema}" cascade'))
            admin.dispose()

    # -- background loops

    def supervise_loop(self) -> None:
        while not self.done.is_set():
            for k in self.kiosks:
                try:
                    k.supervise()
                except Exception as exc:  # keep supervising
                    say(f"supervisor: {k.name}: {exc}")
            self.server_watch()
            time.sleep(0.5)

    def server_watch(self) -> None:
        """Restart the server if it died on its own (systemd Restart=always)."""
        s = self.server
        if s is None or s.proc is None or s.proc.poll() is None:
            return
        if getattr(self, "_server_fault", False):
            return
        self.faults.append({"t": time.time(), "fault": "server_died_by_itself",
                            "code": s.proc.returncode})
        say(f"server exited by itself with code {s.proc.returncode}; restarting")
        s.proc = None
        self._start_server()

    def _start_server(self) -> None:
        assert self.server is not None
        for _ in range(30):
            try:
                # generous: on a shared, loaded machine a start took over 60 s, and a start
                # given up on is a start thrown away (the server stayed down 20 minutes)
                self.server.start(timeout_s=180)
                return
            except RuntimeError as exc:  # e.g. PostgreSQL restarting at that moment
                say(f"server start failed, retrying: {str(exc).splitlines()[-1][:200]}")
                time.sleep(2)

    def sample_loop(self) -> None:
        while not self.done.is_set():
            now = time.time()
            pids: dict[str, int] = {}
            if self.server is not None and self.server.proc is not None:
                pids["server"] = self.server.proc.pid
            for k in self.kiosks:
                pids.update(k.pids())
            pids["soak"] = os.getpid()
            for role, pid in pids.items():
                rss = _rss_mb(pid)
                if rss is not None:
                    self.samples.append({"t": now, "role": role, "pid": pid, "rss_mb": rss})
            self.done.wait(SAMPLE_S)

    # -- faults

    def fault_loop(self, kinds: list[str], gap_s: tuple[float, float]) -> None:
        self.done.wait(self.rng.uniform(*gap_s))
        while not self.done.is_set() and time.time() < self.stop_at - 20:
            kind = self.rng.choice(kinds)
            t0 = time.time()
            try:
                detail = getattr(self, f"fault_{kind}")()
            except Exception as exc:
                detail = f"fault failed: {type(exc).__name__}: {exc}"
            self.faults.append({"t": t0, "fault": kind, "detail": detail,
                                "took_s": round(time.time() - t0, 1)})
            say(f"fault {kind}: {detail}")
            self.done.wait(self.rng.uniform(*gap_s))

    def _hold(self, low: float, high: float) -> float:
        s = self.rng.uniform(low, high)
        self.done.wait(s)
        return s

    def fault_server_restart(self) -> str:
        assert self.server is not None
        self._server_fault = True
        try:
            self.server.stop()
            held = self._hold(1, 10)
            self._start_server()
        finally:
            self._server_fault = False
        return f"stopped (SIGTERM), down {held:.1f} s"

    def fault_server_kill(self) -> str:
        assert self.server is not None
        self._server_fault = True
        try:
            if self.server.proc is not None:
                self.server.proc.kill()
                self.server.proc.wait()
                self.server.proc = None
            held = self._hold(1, 5)
            self._start_server()
        finally:
            self._server_fault = False
        return f"kill -9, down {held:.1f} s"

    def fault_postgres_restart(self) -> str:
        t = time.monotonic()
        out = subprocess.run(self.pg_restart_cmd, capture_output=True, text=True, timeout=120,
                             check=False)
        took = time.monotonic() - t
        if out.returncode != 0:
            return f"pg_ctlcluster failed: {out.stderr.strip()[:200]}"
        return f"pg_ctlcluster restart -m fast took {took:.1f} s"

    def _kiosk(self) -> Kiosk:
        return self.rng.choice(self.kiosks)

    def fault_net_cut(self) -> str:
        k = self._kiosk()
        k.proxy.cut()
        held = self._hold(5, 40)
        k.proxy.restore()
        return f"{k.name} cut from the server for {held:.1f} s"

    def fault_net_delay(self) -> str:
        k = self._kiosk()
        k.proxy.delay_s = self.rng.uniform(1.0, 8.0)
        held = self._hold(10, 40)
        delay = k.proxy.delay_s
        k.proxy.delay_s = 0.0
        return f"{k.name}: every chunk held {delay:.1f} s, for {held:.1f} s"

    def _printer_fault(self, status: Any, what: str) -> str:
        k = self._kiosk()
        k.printer.status = status
        held = self._hold(10, 40)
        k.printer.status = FakeNetworkPrinter.READY
        return f"{k.name} printer {what} for {held:.1f} s"

    def fault_printer_offline(self) -> str:
        return self._printer_fault(FakeNetworkPrinter.OFFLINE_ERROR, "offline")

    def fault_printer_paper_out(self) -> str:
        return self._printer_fault(FakeNetworkPrinter.PAPER_OUT, "out of paper")

    def fault_printer_silent(self) -> str:
        return self._printer_fault(None, "silent (never answers status)")

    def fault_camera_gone(self) -> str:
        k = self._kiosk()
        gone = k.camera.with_name(k.camera.name + ".gone")
        k.camera.rename(gone)
        held = self._hold(5, 30)
        gone.rename(k.camera)
        return f"{k.name} camera source {k.camera.name} renamed away for {held:.1f} s"

    def fault_kiosk_kill(self) -> str:
        k = self._kiosk()
        k.kill9()
        return f"{k.name} kill -9 (process group); supervisor restarts it in {RESTART_S} s"

    # -- the run

    def drain(self, timeout_s: float) -> float:
        """Wait until every kiosk's outbox is empty (uploaded or refused); seconds taken."""
        import sqlalchemy as sa

        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout_s:
            pending = 0
            for k in self.kiosks:
                db = sa.create_engine(f"sqlite:///{k.data_dir / 'kiosk.db'}")
                try:
                    with db.connect() as conn:
                        pending += conn.execute(sa.text(
                            "select count(*) from kiosk_outbox where sent_at is null "
                            "and refused_at is null")).scalar_one()
                except sa.exc.OperationalError:
                    pending += 1
                finally:
                    db.dispose()
            if pending == 0:
                return time.monotonic() - t0
            time.sleep(2)
        return time.monotonic() - t0

    def run(self) -> dict[str, Any]:
        from soak_count import count, memory_growth

        kinds = [f for f in self.args.faults.split(",") if f]
        if self.args.no_server_restarts:
            kinds = [f for f in kinds if f not in SERVER_ENDING]
        unknown = set(kinds) - set(FAULTS)
        if unknown:
            raise SystemExit(f"unknown fault(s): {', '.join(sorted(unknown))}; "
                             f"choose from {', '.join(FAULTS)}")
        started = time.time()
        self.setup()
        # the minutes of issuing count from when everything runs (a loaded machine can
        # take a minute to start the server)
        issuing_from = time.time()
        self.stop_at = issuing_from + self.args.minutes * 60
        threads = [threading.Thread(target=self.supervise_loop, daemon=True),
                   threading.Thread(target=self.sample_loop, daemon=True)]
        if kinds:
            threads.append(threading.Thread(target=self.fault_loop, daemon=True,
                                            args=(kinds, tuple(self.args.fault_gap))))
        for t in threads:
            t.start()
        try:
            while time.time() < self.stop_at:
                time.sleep(1)
            say("time is up: faults stop, everything is put back, kiosks upload")
            self.done.set()
            for t in threads:
                t.join(timeout=180)
            # put everything back as a technician would find it
            for k in self.kiosks:
                k.proxy.delay_s = 0.0
                k.printer.status = FakeNetworkPrinter.READY
                gone = k.camera.with_name(k.camera.name + ".gone")
                if gone.exists():
                    gone.rename(k.camera)
                if k.proxy._listener is None:
                    k.proxy.restore()
                if k.proc is None or k.proc.poll() is not None:
                    k.proc = None
                    k.start()
            if self.server is not None and (self.server.proc is None or
                                            self.server.proc.poll() is not None):
                self._start_server()
            # the citizens stop when the kiosks stop; the outbox must reach the server
            drained = self.drain(self.args.drain_s)
            say(f"outboxes drained in {drained:.0f} s")
            for k in self.kiosks:
                k.stop()
            time.sleep(1)
            figures = count([{"name": k.name, "data_dir": k.data_dir,
                              "printer_bytes": k.printer.received, "events": k.events,
                              "kills": k.kills} for k in self.kiosks], self.db_url)
        finally:
            self.teardown()
        ended = time.time()
        restarts = {k.name: {"starts": k.starts, "kill9": len(k.kills),
                             "died_by_itself": len(k.crashes)} for k in self.kiosks}
        fault_counts: dict[str, int] = {}
        for f in self.faults:
            fault_counts[f["fault"]] = fault_counts.get(f["fault"], 0) + 1
        return {
            "minutes": round((self.stop_at - issuing_from) / 60, 1),
            "setup_s": round(issuing_from - started, 1),
            "wall_minutes": round((ended - started) / 60, 1),
            "seed": self.args.seed, "schema": self.schema,
            **figures,
            "kiosk_restarts": sum(r["starts"] - 1 for r in restarts.values()),
            "restarts": restarts,
            "faults": fault_counts, "fault_log": self.faults,
            "memory": memory_growth(self.samples, self.args.min_span_s),
        }


def server_slope(memory: dict[str, Any]) -> str:
    """The server's memory growth: the slope of its longest-lived process, or why not."""
    procs = memory.get("server") or []
    if not procs:
        return "not measured (no server process lived long enough: --no-server-restarts)"
    p = max(procs, key=lambda p: p["minutes"])
    return (f"{p['mb_per_hour']:+} MB/h over {p['minutes']} min "
            f"({p['first_mb']} -> {p['last_mb']} MB)")


def summary(result: dict[str, Any]) -> str:
    """The figures as a small table."""
    rows = [("minutes of issuing", result["minutes"]),
            ("tickets issued (kiosk dbs)", result["issued"]),
            ("tickets printed (decoded at printers)", result["printed_tickets"]),
            ("print jobs (incl. reprints)", result["print_jobs"]),
            ("tickets uploaded (server db)", result["uploaded"]),
            ("LOST", result["lost"]),
            ("on the server only (no kiosk has them)", len(result["server_only_tickets"])),
            ("GHOSTS (server only, not cancelled)", result["ghosts"]),
            ("withdrawn timed-out ids (server's outcome)",
             ", ".join(f"{k} {v}" for k, v in result["withdrawn"].items()) or "none"),
            ("DUPLICATED numbers", result["duplicated"]),
            ("kiosk restarts", result["kiosk_restarts"]),
            ("longest without a number (s)", result["longest_without_number_s"]),
            ("faults injected", sum(result["faults"].values())),
            ("server memory growth", server_slope(result["memory"]))]
    lines = [f"{k:<40} {v}" for k, v in rows]
    lines.append("")
    lines.append(f"{'kiosk':<6} {'issued':>7} {'printed':>8} {'jobs':>6} {'unknown':>8} "
                 f"{'uploaded':>9} {'served':>7} {'reprint':>8} {'failed':>7} {'wait50':>7} "
                 f"{'wait95':>7} {'longest':>8}")
    for k in result["kiosks"]:
        lines.append(f"{k['name']:<6} {k['issued']:>7} {k['tickets_printed_at_printer']:>8} "
                     f"{k['print_jobs']:>6} {k['print_jobs_unknown']:>8} {k['uploaded']:>9} "
                     f"{k['citizens_served']:>7} {k['reprints_shown']:>8} "
                     f"{k['print_failed_shown']:>7} {k['wait_median_s']:>7} "
                     f"{k['wait_p95_s']:>7} {k['longest_without_number_s']:>8}")
    lines.append("")
    lines.append("faults: " + ", ".join(f"{k} {v}" for k, v in sorted(result["faults"].items())))
    lines.append("memory (MB/hour, per process after its first 2 min):")
    for role, procs in sorted(result["memory"].items()):
        for p in procs:
            lines.append(f"  {role:<10} pid {p['pid']:<8} {p['minutes']:>5} min "
                         f"{p['first_mb']:>7} -> {p['last_mb']:>7} MB  "
                         f"{p['mb_per_hour']:>+7} MB/h")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default=DEFAULT_DB, help="PostgreSQL URL (a schema is made)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default var/soak-YYYYmmdd-HHMMSS)")
    parser.add_argument("--faults", default=",".join(FAULTS),
                        help="comma-separated fault kinds ('' for none)")
    parser.add_argument("--fault-gap", type=float, nargs=2, default=(15.0, 45.0),
                        help="seconds between one fault ending and the next (uniform)")
    parser.add_argument("--drain-s", type=float, default=180.0,
                        help="seconds allowed at the end for the outboxes to reach the server")
    parser.add_argument("--min-span-s", type=float, default=300.0,
                        help="shortest process life (s) that gets a memory slope")
    parser.add_argument("--no-server-restarts", action="store_true",
                        help="leave out the faults that end the server process "
                             f"({', '.join(SERVER_ENDING)}) so its memory slope is measured")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    args = parser.parse_args()
    if args.minutes <= 0 or args.minutes > 24 * 60:
        parser.error("--minutes must be between 0 and 1440")
    args.out = (args.out or ROOT / "var" / time.strftime("soak-%Y%m%d-%H%M%S")).resolve()
    sys.path.insert(0, str(ROOT / "scripts"))
    soak = Soak(args)
    result = soak.run()
    path = args.json or args.out / "soak.json"
    path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    (args.out / "rss.json").write_text(json.dumps(soak.samples), encoding="utf-8")
    print(summary(result))
    print(f"JSON: {path}")
    return 0 if result["lost"] == result["duplicated"] == result["ghosts"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
