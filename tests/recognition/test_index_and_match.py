"""The template index (exact and IVF) and the open-set decision, on synthetic vectors."""

from __future__ import annotations

import numpy as np

from recognition.calibrate import calibrate
from recognition.index import TemplateIndex
from recognition.match import decide
from recognition.types import Candidate, Reason


def registry(citizens: int, per: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Clustered vectors like dlib's: citizens far apart (~0.9), own samples close (~0.35)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 0.9 / np.sqrt(2 * 128), size=(citizens, 128)).astype(np.float32)
    cids = np.repeat(np.arange(1, citizens + 1), per)
    vecs = centres[cids - 1] + rng.normal(0, 0.25 / np.sqrt(128), size=(len(cids), 128))
    return cids, vecs.astype(np.float32)


def brute_force(vecs: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.linalg.norm(vecs - q, axis=1)


def test_exact_search_finds_the_nearest_citizen_per_template() -> None:
    cids, vecs = registry(300, 3)
    index = TemplateIndex()
    index.add(range(1, len(cids) + 1), cids, vecs)
    rng = np.random.default_rng(5)
    for i in rng.choice(len(cids), 50, replace=False):
        q = vecs[i] + rng.normal(0, 0.01, 128).astype(np.float32)
        d = brute_force(vecs, q)
        found = index.search(q, citizens=2)
        assert found[0].citizen_id == cids[np.argmin(d)]
        assert abs(found[0].distance - d.min()) < 1e-4
        other = d[cids != found[0].citizen_id].min()
        assert abs(found[1].distance - other) < 1e-4
        assert found[1].citizen_id != found[0].citizen_id


def test_remove_citizen_forgets_all_their_templates() -> None:
    cids, vecs = registry(10, 4)
    index = TemplateIndex()
    index.add(range(1, 41), cids, vecs)
    assert index.remove_citizen(3) == 4
    assert len(index) == 36
    found = index.search(vecs[cids == 3][0], citizens=10)
    assert 3 not in [c.citizen_id for c in found]
    assert index.remove_citizen(3) == 0


def test_ivf_index_keeps_recall_against_exact_search() -> None:
    cids, vecs = registry(3000, 2, seed=2)
    exact = TemplateIndex()
    ivf = TemplateIndex(ann_min_templates=1000, ann_probe_lists=8)
    ids = np.arange(1, len(cids) + 1)
    exact.add(ids, cids, vecs)
    ivf.add(ids, cids, vecs)
    assert ivf.uses_ann and not exact.uses_ann
    rng = np.random.default_rng(9)
    picks = rng.choice(len(cids), 300, replace=False)
    queries = vecs[picks] + rng.normal(0, 0.2 / np.sqrt(128), (300, 128)).astype(np.float32)
    agree = sum(
        exact.search(q, 1)[0].citizen_id == ivf.search(q, 1)[0].citizen_id for q in queries
    )
    assert agree / len(queries) >= 0.99
    # Changes reach the IVF index too.
    ivf.remove_citizen(int(cids[picks[0]]))
    assert ivf.search(vecs[picks[0]], 1)[0].citizen_id != cids[picks[0]]


def test_decision_threshold_and_margin() -> None:
    c = Candidate
    assert decide([], 0.55, 0.06) == (None, Reason.UNKNOWN)
    assert decide([c(1, 1, 0.6)], 0.55, 0.06) == (None, Reason.UNKNOWN)
    match, reason = decide([c(1, 1, 0.30), c(2, 5, 0.50)], 0.55, 0.06)
    assert reason is None and match.citizen_id == 1 and match.template_id == 1
    assert decide([c(1, 1, 0.40), c(2, 5, 0.43)], 0.55, 0.06) == (None, Reason.AMBIGUOUS)


def test_calibration_separates_genuine_and_impostor() -> None:
    cids, vecs = registry(60, 4, seed=3)
    cal = calibrate(cids, vecs, target_fmr=0.01)
    assert cal.citizens == 60 and cal.templates == 240
    assert cal.genuine_pairs == 60 * 6
    assert cal.genuine_percentiles["p50"] < cal.impostor_percentiles["p50"]
    assert cal.threshold is not None
    # The threshold sits below the impostors and accepts most genuine pairs.
    assert cal.threshold <= cal.impostor_percentiles["p1"]
    assert cal.genuine_accept is not None and cal.genuine_accept > 0.9


def test_calibration_gives_rank1_and_expected_false_accepts_at_any_threshold() -> None:
    cids, vecs = registry(60, 4, seed=3)
    cal = calibrate(cids, vecs, target_fmr=0.01)
    assert cal.rank1 == 1.0 and cal.rank1_probes == 240  # clusters far apart
    assert "impostor_cdf" not in cal.to_json() and cal.to_json()["rank1"] == 1.0
    # At the suggested threshold about the target; far above it every other citizen.
    assert cal.threshold is not None
    at = cal.false_accepts(cal.threshold)
    assert at is not None and at <= 0.05
    assert cal.false_accepts(1.5) == 59.0
    assert cal.false_accepts(0.01) == 0.0
    # Mixed-up labels: half the templates' nearest neighbour is another "citizen".
    swapped = cids.copy()
    swapped[::4] = np.roll(swapped[::4], 1)
    assert calibrate(swapped, vecs).rank1 < 0.9
    single = calibrate(np.arange(1, 6), vecs[:5])  # one template each: rank-1 unknown
    assert single.rank1 is None and single.rank1_probes == 0
