"""Benchmark of the recognition engine against the naive face_recognition pipeline.

Prints, in one run on this machine:
1. per-stage milliseconds (detect, landmarks + quality, encode, match) on the 240p/480p/
   720p/1080p photo and on frames of the Hamilton clip, and the whole frame-to-identity time
   against the naive `face_locations` + `face_encodings` on the full frame + `compare_faces`
   loop, as a ratio;
2. match time for registries of 10k, 100k and 1M synthetic templates against
   `face_recognition.face_distance` (and a plain float32 scan), as ratios, with recall@1
   of our index against exact search on real-like embeddings;
3. the time to load 100k sealed templates from SQLite into the index.

Usage: uv run python scripts/bench_recognition.py [--sizes 10000,100000,1000000] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FACES = ROOT.parent / "shared" / "testdata" / "faces"

from config import Settings  # noqa: E402
from recognition.engine import FaceEngine  # noqa: E402
from recognition.images import load_image  # noqa: E402
from recognition.index import TemplateIndex  # noqa: E402


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def real_encodings(engine: FaceEngine) -> tuple[np.ndarray, np.ndarray]:
    """Encodings of every usable labelled photo: (labels, vectors)."""
    import csv

    labels, vecs = [], []
    with (FACES / "labels.csv").open() as fh:
        for row in csv.DictReader(fh):
            ident = row["identities"]
            if not ident or ";" in ident or not row["file"].endswith((".jpg", ".jpeg", ".png")):
                continue
            crop = row["file"].startswith("dlib/examples/johns")
            a = engine.analyse(load_image(FACES / row["file"]), engine.settings.match_quality, 1,
                               face_crop=crop)
            if a.encoding is not None:
                labels.append(ident)
                vecs.append(a.encoding)
    return np.array(labels), np.stack(vecs)


def bench_frames(engine: FaceEngine, known: np.ndarray, repeats: int) -> None:
    import cv2
    import face_recognition

    print("\n== frame to identity (ms): ours vs naive face_recognition pipeline ==")
    frames: dict[str, list[np.ndarray]] = {}
    for name in ("240p", "480p", "720p", "1080p"):
        frames[name] = [load_image(FACES / f"face_recognition/examples/obama-{name}.jpg")]
    cap = cv2.VideoCapture(str(FACES / "face_recognition/examples/short_hamilton_clip.mp4"))
    clip = []
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if i % 25 == 0:
            clip.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        i += 1
    cap.release()
    frames["clip 360p"] = clip
    known_list = list(known)
    header = (f"{'input':<10} {'detect':>7} {'quality':>8} {'encode':>7} {'match':>6} "
              f"{'ours p50':>9} {'naive p50':>10} {'ratio':>6}")
    print(header)
    for name, images in frames.items():
        stages: dict[str, list[float]] = {"detect": [], "quality": [], "encode": [], "match": []}
        ours, naive = [], []
        for img in images:
            for _ in range(repeats):
                t = time.perf_counter()
                r = engine.identify_image(img)
                ours.append((time.perf_counter() - t) * 1000)
                for k in stages:
                    if k in r.timings_ms:
                        stages[k].append(r.timings_ms[k])
                t = time.perf_counter()
                locs = face_recognition.face_locations(img)
                encs = face_recognition.face_encodings(img, locs)
                for e in encs:
                    face_recognition.compare_faces(known_list, e)
                naive.append((time.perf_counter() - t) * 1000)

        def med(v: list[float]) -> str:
            return f"{statistics.median(v):.1f}" if v else "-"

        ratio = statistics.median(naive) / statistics.median(ours)
        print(f"{name:<10} {med(stages['detect']):>7} {med(stages['quality']):>8} "
              f"{med(stages['encode']):>7} {med(stages['match']):>6} "
              f"{statistics.median(ours):>9.1f} {statistics.median(naive):>10.1f} {ratio:>5.1f}x")


class RealLike:
    """Synthetic embeddings shaped like real dlib ones: citizen centres drawn from the
    covariance of real identity means, samples around them from the real within-person
    covariance, both scaled to the real genuine/impostor distance medians."""

    def __init__(self, labels: np.ndarray, vecs: np.ndarray, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        ids = np.unique(labels)
        means = np.stack([vecs[labels == i].mean(axis=0) for i in ids])
        within = np.concatenate([vecs[labels == i] - vecs[labels == i].mean(axis=0) for i in ids])
        self.mu = vecs.mean(axis=0)
        # Shrunk covariances (few samples for 128 dimensions).
        cb = np.cov(np.concatenate([means, vecs]).T)
        cw = np.cov(within.T)
        self.lb = np.linalg.cholesky(0.7 * cb + 0.3 * np.eye(128) * np.trace(cb) / 128)
        self.lw = np.linalg.cholesky(0.7 * cw + 0.3 * np.eye(128) * np.trace(cw) / 128)
        d_gen = [np.linalg.norm(a - b) for i in ids for a in vecs[labels == i]
                 for b in vecs[labels == i] if a is not b]
        d_imp = [np.linalg.norm(a - b) for a, la in zip(vecs, labels, strict=True)
                 for b, lb in zip(vecs[::3], labels[::3], strict=True) if la != lb]
        self.gen_target, self.imp_target = float(np.median(d_gen)), float(np.median(d_imp))
        self.sb, self.sw = 1.0, 1.0
        c = self.centres(2000)
        s = self.samples(c[:1000])
        self.sb = self.imp_target / float(np.median(np.linalg.norm(c[:1000] - c[1000:], axis=1)))
        self.sw = self.gen_target / float(np.median(np.linalg.norm(s - c[:1000], axis=1)) * 1.41)

    def centres(self, n: int) -> np.ndarray:
        z = self.rng.standard_normal((n, 128))
        return (self.mu + self.sb * (z @ self.lb.T)).astype(np.float32)

    def samples(self, centres: np.ndarray) -> np.ndarray:
        z = self.rng.standard_normal(centres.shape)
        return (centres + self.sw * (z @ self.lw.T)).astype(np.float32)


def bench_registry(gen: RealLike, sizes: list[int], settings: Settings, queries: int) -> None:
    import face_recognition

    print(f"\n== match time per query (ms) and recall@1 vs exact; real-like embeddings "
          f"(genuine median {gen.gen_target:.2f}, impostor median {gen.imp_target:.2f}) ==")
    print(f"{'templates':>10} {'index':>6} {'build s':>8} {'p50':>6} {'p95':>6} "
          f"{'f32 scan p50':>12} {'face_distance p50':>17} {'ratio fd':>8} {'ratio scan':>10} "
          f"{'recall genuine':>14} {'recall impostor':>15}")
    rec = settings.recognition
    for n in sizes:
        per = 2
        centres = gen.centres(n // per)
        cids = np.repeat(np.arange(1, n // per + 1), per)
        vecs = gen.samples(centres[cids - 1])
        t = time.perf_counter()
        index = TemplateIndex(rec.ann_min_templates, rec.ann_probe_lists)
        index.add(np.arange(1, n + 1), cids, vecs)
        build = time.perf_counter() - t
        pick = gen.rng.choice(n // per, queries, replace=False)
        genuine_q = gen.samples(centres[pick])
        impostor_q = gen.samples(gen.centres(queries))
        times, agree_g, agree_i = [], 0, 0
        for qs, kind in ((genuine_q, "g"), (impostor_q, "i")):
            for q in qs:
                t = time.perf_counter()
                found = index.search(q, citizens=2)
                times.append((time.perf_counter() - t) * 1000)
                exact = int(cids[np.argmin(index.distances(q))])
                ok = found and found[0].citizen_id == exact
                if kind == "g":
                    agree_g += ok
                else:
                    agree_i += ok
        scan = []
        for q in genuine_q[:20]:
            t = time.perf_counter()
            d = np.einsum("ij,ij->i", vecs, vecs) - 2 * vecs @ q
            int(np.argmin(d))
            scan.append((time.perf_counter() - t) * 1000)
        fd = []
        reps = 3 if n >= 1_000_000 else 10
        vecs64 = vecs.astype(np.float64)
        for q in genuine_q[:reps]:
            t = time.perf_counter()
            face_recognition.face_distance(vecs64, q.astype(np.float64))
            fd.append((time.perf_counter() - t) * 1000)
        del vecs64
        p50, p95 = pct(times, 50), pct(times, 95)
        print(f"{n:>10} {'ivf' if index.uses_ann else 'exact':>6} {build:>8.1f} {p50:>6.2f} "
              f"{p95:>6.2f} {statistics.median(scan):>12.1f} {statistics.median(fd):>17.1f} "
              f"{statistics.median(fd) / p50:>7.0f}x {statistics.median(scan) / p50:>9.1f}x "
              f"{agree_g / queries:>14.4f} {agree_i / queries:>15.4f}")


def bench_load(n: int, gen: RealLike) -> None:
    from benchlib import fill_registry

    from kiosk.crypto import FaceCipher
    from kiosk.registry import RegistryStore
    from kiosk.schema import make_engine

    print(f"\n== loading {n} sealed templates from SQLite into the index ==")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/kiosk.db")
        cipher = FaceCipher(b"0" * 32)
        vecs = gen.samples(gen.centres(n // 2).repeat(2, axis=0))
        fill_registry(engine, cipher, vecs)
        store = RegistryStore(engine, cipher)
        times = []
        for _ in range(3):
            index = TemplateIndex()
            t = time.perf_counter()
            loaded = store.load_index(index)
            times.append(time.perf_counter() - t)
        engine.dispose()
    print(f"loaded {loaded} templates: median {statistics.median(times):.2f} s "
          f"(best {min(times):.2f} s, target < 2 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--load", type=int, default=100_000)
    args = parser.parse_args()
    if not (FACES / "labels.csv").is_file():
        sys.exit(f"shared test photos not found at {FACES}")
    settings = Settings()
    engine = FaceEngine(settings.recognition)
    labels, vecs = real_encodings(engine)
    print(f"real encodings: {len(vecs)} photos of {len(set(labels))} people")
    known = np.stack([vecs[labels == p][0] for p in np.unique(labels)])
    for i, v in enumerate(known):
        engine.index.add([i + 1], [i + 1], v[None, :])
    bench_frames(engine, known, args.repeats)
    gen = RealLike(labels, vecs)
    bench_registry(gen, [int(s) for s in args.sizes.split(",")], settings, args.queries)
    bench_load(args.load, gen)


if __name__ == "__main__":
    main()
