"""The in-memory index of every face template, and nearest-citizen search.

Exact search is one float32 matrix-vector product over the whole registry (BLAS; about
16 ms for 100k templates here). From ``ann_min_templates`` on, an inverted-file index
(faiss ``IndexIVFFlat``) visits only the ``ann_probe_lists`` lists nearest the query and
computes exact distances inside them; the figures and the recall against exact search are
in ``scripts/bench_recognition.py`` and ``docs/recognition-index.md``.

Distances are Euclidean, the unit of face_recognition's ``face_distance``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from recognition.types import EMBEDDING_SIZE, Candidate

if TYPE_CHECKING:
    import faiss


class TemplateIndex:
    """All templates of all citizens; thread-safe (searches and changes take a lock)."""

    def __init__(self, ann_min_templates: int = 200_000, ann_probe_lists: int = 24) -> None:
        self._lock = threading.RLock()
        self._vectors = np.empty((0, EMBEDDING_SIZE), dtype=np.float32)
        self._norms = np.empty(0, dtype=np.float32)
        self._template_ids = np.empty(0, dtype=np.int64)
        self._citizen_ids = np.empty(0, dtype=np.int64)
        self._citizen_of: dict[int, int] = {}
        self.ann_min_templates = ann_min_templates
        self.ann_probe_lists = ann_probe_lists
        self._ivf: faiss.IndexIVFFlat | None = None  # when the registry is large

    def __len__(self) -> int:
        return int(self._template_ids.shape[0])

    @property
    def citizen_count(self) -> int:
        return len(set(self._citizen_of.values()))

    @property
    def uses_ann(self) -> bool:
        """True when searches go through the approximate (IVF) index."""
        return self._ivf is not None

    def add(
        self,
        template_ids: Iterable[int],
        citizen_ids: Iterable[int],
        vectors: np.ndarray,
    ) -> None:
        """Add templates: ids (N,), citizen ids (N,), vectors float32 (N, 128)."""
        tids = np.asarray(list(template_ids), dtype=np.int64)
        cids = np.asarray(list(citizen_ids), dtype=np.int64)
        vecs = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, EMBEDDING_SIZE)
        if not (len(tids) == len(cids) == len(vecs)):
            raise ValueError("template ids, citizen ids and vectors differ in length")
        with self._lock:
            self._vectors = np.concatenate([self._vectors, vecs])
            self._norms = np.concatenate([self._norms, np.einsum("ij,ij->i", vecs, vecs)])
            self._template_ids = np.concatenate([self._template_ids, tids])
            self._citizen_ids = np.concatenate([self._citizen_ids, cids])
            self._citizen_of.update(zip(tids.tolist(), cids.tolist(), strict=True))
            if self._ivf is not None:
                self._ivf.add_with_ids(vecs, tids)
            elif len(self) >= self.ann_min_templates:
                self._build_ivf()

    def remove_citizen(self, citizen_id: int) -> int:
        """Remove every template of one citizen; return how many were removed."""
        return self.remove_citizens([citizen_id])

    def remove_citizens(self, citizen_ids: Iterable[int]) -> int:
        """Remove every template of these citizens in one pass (one copy of the matrix,
        however many citizens); return how many templates were removed."""
        wanted = np.asarray(list(citizen_ids), dtype=np.int64)
        with self._lock:
            if wanted.size == 0:
                return 0
            gone = np.isin(self._citizen_ids, wanted)
            count = int(gone.sum())
            if count == 0:
                return 0
            removed_ids = self._template_ids[gone]
            keep = ~gone
            self._vectors = self._vectors[keep]
            self._norms = self._norms[keep]
            self._template_ids = self._template_ids[keep]
            self._citizen_ids = self._citizen_ids[keep]
            for tid in removed_ids.tolist():
                self._citizen_of.pop(tid, None)
            if self._ivf is not None:
                import faiss

                self._ivf.remove_ids(faiss.IDSelectorBatch(removed_ids))
                if len(self) < self.ann_min_templates // 2:
                    self._ivf = None
            return count

    def clear(self) -> None:
        """Forget every template."""
        with self._lock:
            self.__init__(self.ann_min_templates, self.ann_probe_lists)  # type: ignore[misc]

    def _build_ivf(self) -> None:
        import faiss

        n = len(self)
        nlist = max(16, int(math.sqrt(n)))
        quantizer = faiss.IndexFlatL2(EMBEDDING_SIZE)
        ivf = faiss.IndexIVFFlat(quantizer, EMBEDDING_SIZE, nlist, faiss.METRIC_L2)
        rng = np.random.default_rng(0)
        sample = self._vectors[rng.choice(n, size=min(n, nlist * 64), replace=False)]
        ivf.train(sample)
        ivf.add_with_ids(self._vectors, self._template_ids)
        ivf.nprobe = self.ann_probe_lists
        self._ivf = ivf

    def distances(self, query: np.ndarray) -> np.ndarray:
        """Exact Euclidean distance from ``query`` (128,) to every template, shape (N,)."""
        q = np.asarray(query, dtype=np.float32).reshape(EMBEDDING_SIZE)
        with self._lock:
            d2 = self._norms - 2.0 * (self._vectors @ q) + float(q @ q)
        return np.sqrt(np.maximum(d2, 0.0))

    def search(self, query: np.ndarray, citizens: int = 2, templates: int = 32) -> list[Candidate]:
        """The ``citizens`` nearest citizens to ``query`` (128,), each by its closest
        template, nearest first. ``templates`` bounds how many nearest templates are looked
        at to find them (citizens have several templates each)."""
        q = np.asarray(query, dtype=np.float32).reshape(1, EMBEDDING_SIZE)
        with self._lock:
            n = len(self)
            if n == 0:
                return []
            k = min(templates, n)
            if self._ivf is not None:
                d2, ids = self._ivf.search(q, k)
                pairs = [
                    (float(np.sqrt(max(d, 0.0))), int(t))
                    for d, t in zip(d2[0], ids[0], strict=True)
                    if t >= 0
                ]
                found = [(d, t, self._citizen_of[t]) for d, t in pairs]
            else:
                dist = self.distances(q[0])
                top = np.argpartition(dist, k - 1)[:k] if k < n else np.arange(n)
                top = top[np.argsort(dist[top])]
                found = [
                    (float(dist[i]), int(self._template_ids[i]), int(self._citizen_ids[i]))
                    for i in top
                ]
        best: dict[int, Candidate] = {}
        for d, tid, cid in sorted(found):
            if cid not in best:
                best[cid] = Candidate(citizen_id=cid, template_id=tid, distance=d)
                if len(best) == citizens:
                    break
        return list(best.values())

    def citizen_templates(self, citizen_id: int) -> np.ndarray:
        """The vectors of one citizen, float32 (M, 128)."""
        with self._lock:
            vectors: np.ndarray = self._vectors[self._citizen_ids == citizen_id]
            return vectors.copy()

    def snapshot(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(template ids, citizen ids, vectors) copies, for calibration."""
        with self._lock:
            return self._template_ids.copy(), self._citizen_ids.copy(), self._vectors.copy()
