"""Calibration: genuine and impostor distance distributions of the enrolled templates and
the threshold that keeps false matches at a target rate for the registry's size."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Thresholds at which the impostor distances' cumulative rate is kept (``false_accepts``):
#: 0.01 to 1.50 (``recognition.match_threshold``'s range) in steps of 0.01.
CDF_STEP = 0.01
CDF_GRID = np.round(np.arange(1, 151) * CDF_STEP, 2)


@dataclass(frozen=True)
class Calibration:
    """Distance statistics of a registry and the threshold they suggest.

    ``pair_fmr`` is the false-match rate per comparison that keeps the rate of *any* false
    match in a 1:N search at ``target_fmr`` (``target / (citizens - 1)``, the union bound).
    ``threshold`` is the impostor-distance quantile at ``pair_fmr`` (conservative: below
    the smallest impostor distance when there are too few pairs to estimate it).
    ``genuine_accept`` is the share of genuine pairs that threshold accepts.
    ``rank1`` is the share of templates whose nearest other template is the same citizen's,
    over the ``rank1_probes`` templates whose citizen has another one (None: none has).
    ``impostor_cdf`` holds the share of impostor pairs at or below each ``CDF_GRID``
    distance (not in ``to_json``); ``false_accepts`` reads it.
    """

    citizens: int
    templates: int
    genuine_pairs: int
    impostor_pairs: int
    genuine_percentiles: dict[str, float]
    impostor_percentiles: dict[str, float]
    target_fmr: float
    pair_fmr: float
    threshold: float | None
    genuine_accept: float | None
    note: str
    rank1: float | None = None
    rank1_probes: int = 0
    impostor_cdf: tuple[float, ...] = field(default=(), repr=False)

    def to_json(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "impostor_cdf"}

    def false_accepts(self, threshold: float) -> float | None:
        """Expected false matches per 1:N search at ``threshold``: the share of impostor
        pairs at or below it (read at the next ``CDF_GRID`` step up, so never
        underestimated) times the other citizens. None without impostor pairs."""
        if not self.impostor_cdf:
            return None
        i = min(int(np.searchsorted(CDF_GRID, threshold - 1e-9)), len(CDF_GRID) - 1)
        return self.impostor_cdf[i] * max(1, self.citizens - 1)


def _percentiles(d: np.ndarray) -> dict[str, float]:
    if d.size == 0:
        return {}
    qs = [0, 1, 5, 50, 95, 99, 100]
    return {f"p{q}": round(float(v), 4) for q, v in zip(qs, np.percentile(d, qs), strict=True)}


def calibrate(
    citizen_ids: np.ndarray,
    vectors: np.ndarray,
    target_fmr: float = 0.001,
    max_templates: int = 5000,
    seed: int = 0,
) -> Calibration:
    """Compute distributions from templates: ``citizen_ids`` (N,), ``vectors`` (N, 128).

    At most ``max_templates`` templates (a random sample) are paired, all pairs with all;
    the per-comparison rate still follows the size of the whole registry.
    """
    n = len(citizen_ids)
    citizens = len(np.unique(citizen_ids))  # the registry's size, not the sample's
    if n > max_templates:
        pick = np.random.default_rng(seed).choice(n, size=max_templates, replace=False)
        citizen_ids, vectors = citizen_ids[pick], vectors[pick]
        n = max_templates
    v = vectors.astype(np.float64)
    sq = (v * v).sum(axis=1)
    d = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * v @ v.T, 0))
    iu = np.triu_indices(n, k=1)
    same = (citizen_ids[:, None] == citizen_ids[None, :])[iu]
    dist = d[iu]
    genuine, impostor = dist[same], dist[~same]
    rank1, probes = _rank1(d, citizen_ids)
    cdf: tuple[float, ...] = ()
    if impostor.size:
        counts = np.searchsorted(np.sort(impostor), CDF_GRID, side="right")
        cdf = tuple(float(c) / impostor.size for c in counts)
    pair_fmr = target_fmr / max(1, citizens - 1)
    threshold = None
    accept = None
    note = ""
    if impostor.size:
        if impostor.size * pair_fmr >= 1:
            threshold = float(np.quantile(impostor, pair_fmr))
            note = "threshold is the impostor quantile at the per-comparison rate"
        else:
            threshold = float(impostor.min()) - 1e-4
            note = (
                f"only {impostor.size} impostor pairs: too few to estimate a rate of "
                f"{pair_fmr:.2g}; threshold set just below the closest impostor pair"
            )
        if genuine.size:
            accept = float((genuine <= threshold).mean())
    else:
        note = "fewer than two citizens: no impostor pairs"
    return Calibration(
        citizens=citizens, templates=n, genuine_pairs=int(genuine.size),
        impostor_pairs=int(impostor.size), genuine_percentiles=_percentiles(genuine),
        impostor_percentiles=_percentiles(impostor), target_fmr=target_fmr, pair_fmr=pair_fmr,
        threshold=None if threshold is None else round(threshold, 4),
        genuine_accept=None if accept is None else round(accept, 4), note=note,
        rank1=rank1, rank1_probes=probes, impostor_cdf=cdf,
    )


@dataclass(frozen=True)
class ThresholdChoice:
    """The threshold a kiosk matches with, and why: ``calibrated`` is the rule's figure
    for this registry (None when it cannot tell: fewer than two citizens), ``threshold``
    the one used (the calibrated one, never above ``ceiling``)."""

    threshold: float
    calibrated: float | None
    ceiling: float
    citizens: int
    target_fmr: float
    note: str


def threshold_for_registry(
    citizen_ids: np.ndarray,
    vectors: np.ndarray,
    target_fmr: float,
    ceiling: float,
    max_templates: int = 2000,
) -> ThresholdChoice:
    """The match threshold for a registry of this size (docs/registry.md): the impostor
    quantile that keeps the rate of *any* false accept per 1:N search at ``target_fmr``
    (``calibrate``), never above ``ceiling`` (the configured ``match_threshold``).
    ``target_fmr`` 0 turns the rule off (the ceiling is used)."""
    n = len(np.unique(citizen_ids))
    if target_fmr <= 0:
        return ThresholdChoice(ceiling, None, ceiling, n, target_fmr, "rule off")
    if n < 2:
        return ThresholdChoice(ceiling, None, ceiling, n, target_fmr,
                               "fewer than two citizens: the configured threshold")
    cal = calibrate(citizen_ids, vectors, target_fmr=target_fmr, max_templates=max_templates)
    if cal.threshold is None:
        return ThresholdChoice(ceiling, None, ceiling, n, target_fmr, cal.note)
    used = min(ceiling, cal.threshold)
    why = ("the configured threshold (the registry allows more)" if used == ceiling
           else f"lowered for {n} citizens: {cal.note}")
    return ThresholdChoice(round(used, 4), cal.threshold, ceiling, n, target_fmr, why)


def _rank1(d: np.ndarray, citizen_ids: np.ndarray) -> tuple[float | None, int]:
    """Leave-one-out rank-1: (share of probes whose nearest other template is the same
    citizen's, probes), over templates whose citizen has at least two."""
    _, inverse, counts = np.unique(citizen_ids, return_inverse=True, return_counts=True)
    probes = np.flatnonzero(counts[inverse] >= 2)
    if probes.size == 0:
        return None, 0
    rows = d[probes].copy()
    rows[np.arange(probes.size), probes] = np.inf
    nearest = rows.argmin(axis=1)
    hits = citizen_ids[nearest] == citizen_ids[probes]
    return round(float(hits.mean()), 4), int(probes.size)
