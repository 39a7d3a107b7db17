"""Benchmark of the centre's registry replicated to kiosks (issue 10), against a real
`queue-server` process on loopback.

1. A new kiosk pulls a registry of N citizens (one template each; goal for 100k: < 60 s).
2. An incremental round with 100 changes (50 enrolled, 50 erased; goal: < 1 s).
3. An erasure at the server reaching two kiosks (two data dirs, each with its sync loop
   every ``--interval`` seconds): the time until neither index holds the citizen (goal:
   within one sync interval).

    uv run python scripts/bench_registry.py [--citizens 100000] [--db URL] [--interval 3]

Prints one JSON object. The server's registry is filled directly in its database (sealed
with its key) so that filling does not dominate; everything measured goes over HTTP.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config.server import QueueServerSettings  # noqa: E402
from kiosk.adapters.registry_sync import RegistrySync  # noqa: E402
from kiosk.adapters.server_client import QueueClient  # noqa: E402
from kiosk.crypto import FaceCipher, load_or_create_key  # noqa: E402
from kiosk.registry import RegistryStore  # noqa: E402
from kiosk.replica import Replica, encode_vector  # noqa: E402
from kiosk.schema import make_engine  # noqa: E402
from recognition.index import TemplateIndex  # noqa: E402
from server.db import Database  # noqa: E402
from server.domain import citizens as reg  # noqa: E402
from server.models import RegistryChange, RegistryCitizen, RegistryTemplate, Site  # noqa: E402
from server.registry_key import open_sealer  # noqa: E402
from tests.support.queue_server import QueueServerProcess  # noqa: E402


def vectors(n: int, seed: int) -> np.ndarray:
    """n random unit vectors, float32 (n, 128)."""
    v = np.random.default_rng(seed).normal(size=(n, 128)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def fill(db_url: str, data_dir: Path, n: int) -> int:
    """Put n citizens with one template each into the server's registry; site id."""
    db = Database(db_url)
    vecs = vectors(n, 1)
    with db.session() as s:
        sealer = open_sealer(s, QueueServerSettings(database_url=db_url), data_dir)
        site_id = s.scalar(sa.select(Site.id).order_by(Site.id).limit(1))
        assert site_id is not None
        now = reg.utcnow()
        base = int(s.scalar(sa.select(sa.func.max(RegistryCitizen.id))) or 0)
        for start in range(0, n, 10_000):
            ids = range(base + start + 1, base + min(n, start + 10_000) + 1)
            s.execute(sa.insert(RegistryCitizen), [{
                "id": i, "site_id": site_id, "full_name": f"Công dân {i}",
                "display_name": None, "id_number_digest": sealer.id_number_digest(f"{i:012d}"),
                "id_number_sealed": sealer.seal_text(f"{i:012d}"),
                "id_number_masked": reg.mask_id_number(f"{i:012d}"), "date_of_birth": None,
                "priority_group": "none", "created_at": now, "updated_at": now,
                "last_seen_at": now} for i in ids])
            s.execute(sa.insert(RegistryTemplate), [{
                "citizen_id": i, "quality": {}, "created_at": now,
                "sealed": sealer.seal_template_bytes(vecs[i - base - 1].astype("<f4").tobytes(), i)}
                for i in ids])
            s.execute(sa.insert(RegistryChange), [
                {"site_id": site_id, "citizen_id": i, "kind": "upsert", "at": now} for i in ids])
        if s.get_bind().dialect.name == "postgresql":  # ids were given: move the sequence
            s.execute(sa.text("SELECT setval(pg_get_serial_sequence('registry_citizens', "
                              "'id'), (SELECT max(id) FROM registry_citizens))"))
    db.dispose()
    return int(site_id)


class Kiosk:
    def __init__(self, data_dir: Path, url: str, token: str) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(f"sqlite:///{data_dir / 'kiosk.db'}")
        self.store = RegistryStore(self.engine,
                                   FaceCipher(load_or_create_key(data_dir / "face.key")))
        self.index = TemplateIndex()
        self.client = QueueClient(url, token, timeout_s=60)
        self.sync = RegistrySync(self.client, Replica(self.store, self.index))

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--citizens", type=int, default=100_000)
    ap.add_argument("--db", default=None, help="Server database URL. Default: SQLite in a "
                    "temporary folder.")
    ap.add_argument("--interval", type=float, default=3.0, help="Kiosks' sync.interval_s.")
    args = ap.parse_args()
    out: dict[str, object] = {"citizens": args.citizens}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db_url = args.db or f"sqlite:///{root / 'queue.db'}"
        out["server_db"] = db_url.split(":", 1)[0]
        qs = QueueServerProcess(db_url, root / "server")
        (root / "server").mkdir()
        qs.run("migrate")
        t = time.perf_counter()
        fill(db_url, root / "server", args.citizens)
        out["fill_s"] = round(time.perf_counter() - t, 1)
        qs.start(timeout_s=180)
        a = Kiosk(root / "kiosk-a", qs.url, qs.add_kiosk("a"))
        b = Kiosk(root / "kiosk-b", qs.url, qs.add_kiosk("b"))
        try:
            t = time.perf_counter()
            first = a.sync.round()
            out["full_pull"] = {"seconds": round(time.perf_counter() - t, 2),
                                "pulled": first.pulled, "pages": first.pages,
                                "templates_in_index": len(a.index), "error": first.error,
                                "goal_s": 60}
            b.sync.round()

            # 100 changes at the server: 50 enrolments (pushed by kiosk B), 50 erasures.
            new = vectors(50, 7)
            for i, v in enumerate(new):
                b.sync.replica.queue_enrolment({
                    "full_name": f"Mới {i}", "id_number": f"9{i:011d}",
                    "templates": [encode_vector(v)], "consent_by": "bench",
                    "consent_text_version": "2026-01", "channel": "kiosk"})
            b.sync.round()
            victims = list(range(1, 51))
            for cid in victims:
                qs_delete(db_url, cid)
            t = time.perf_counter()
            inc = a.sync.round()
            out["incremental"] = {"seconds": round(time.perf_counter() - t, 3),
                                  "pulled": inc.pulled, "deleted": inc.deleted,
                                  "error": inc.error, "goal_s": 1}
            b.sync.round()

            # Erasure reaching two kiosks that sync every `interval` seconds.
            stop = threading.Event()

            def loop(k: Kiosk) -> None:
                while not stop.is_set():
                    k.sync.round()
                    stop.wait(args.interval)

            threads = [threading.Thread(target=loop, args=(k,), daemon=True) for k in (a, b)]
            for th in threads:
                th.start()
            time.sleep(args.interval / 2)
            target = 100
            assert a.index.citizen_templates(target).size and b.index.citizen_templates(target).size
            t = time.perf_counter()
            qs_delete(db_url, target)
            reached: dict[str, float] = {}
            while len(reached) < 2 and time.perf_counter() - t < 10 * args.interval:
                for name, k in (("a", a), ("b", b)):
                    if name not in reached and k.index.citizen_templates(target).size == 0:
                        reached[name] = round(time.perf_counter() - t, 3)
                time.sleep(0.01)
            stop.set()
            for th in threads:
                th.join(30)
            out["erasure"] = {"interval_s": args.interval, "reached_after_s": reached,
                              "within_one_interval": len(reached) == 2
                              and max(reached.values()) <= args.interval}
        finally:
            a.close()
            b.close()
            qs.stop()
    print(json.dumps(out, indent=2, ensure_ascii=False))


def qs_delete(db_url: str, citizen_id: int) -> None:
    """Erase one citizen at the server as an admin would (same domain function as the
    API and `queue-server citizens delete`, without a process start per call)."""
    db = Database(db_url)
    with db.session() as s:
        reg.erase(s, None, citizen_id, "bench")
    db.dispose()


if __name__ == "__main__":
    main()
