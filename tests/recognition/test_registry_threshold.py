"""The match threshold follows the registry's size (docs/registry.md): lowered from
``match_threshold`` as the registry grows, so the rate of *any* false accept per search
stays at ``target_false_accept``; and at the shipped defaults, the shared photos enrolled
one per person are recognised (rank-1 >= 95%) with no false accept."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from config import Settings
from recognition.calibrate import calibrate, threshold_for_registry
from recognition.engine import FaceEngine
from recognition.index import TemplateIndex
from scripts.registry_accuracy import evaluate
from tests.recognition.test_index_and_match import registry


def test_the_threshold_falls_as_the_registry_grows_and_never_exceeds_the_ceiling() -> None:
    small_ids, small = registry(20, 2, seed=5)
    big_ids, big = registry(1500, 2, seed=5)
    roomy = threshold_for_registry(small_ids, small, 0.001, ceiling=0.55)
    crowded = threshold_for_registry(big_ids, big, 0.001, ceiling=0.99)
    assert roomy.threshold == 0.55 and roomy.calibrated is not None
    assert roomy.calibrated > 0.55  # the registry allows more; the ceiling holds
    assert crowded.calibrated is not None and crowded.threshold == crowded.calibrated
    # A looser target allows a higher threshold for the same registry.
    loose = threshold_for_registry(big_ids, big, 0.1, ceiling=0.99)
    assert loose.threshold > crowded.threshold
    # Off, or too few citizens to tell: the configured threshold.
    assert threshold_for_registry(big_ids, big, 0, ceiling=0.5).threshold == 0.5
    one = threshold_for_registry(np.array([7, 7]), small[:2], 0.001, ceiling=0.5)
    assert one.threshold == 0.5 and one.calibrated is None


def test_a_sampled_calibration_still_counts_the_whole_registry() -> None:
    ids, vecs = registry(3000, 2, seed=2)
    cal = calibrate(ids, vecs, target_fmr=0.001, max_templates=1000)
    assert cal.citizens == 3000 and cal.templates == 1000
    assert cal.pair_fmr == 0.001 / 2999


def test_the_engine_matches_with_the_threshold_for_its_registry() -> None:
    settings = Settings().recognition
    ids, vecs = registry(1500, 2, seed=5)
    engine = FaceEngine(settings, TemplateIndex())
    assert engine.threshold == settings.match_threshold  # nothing loaded yet
    engine.index.add(np.arange(1, len(ids) + 1), ids, vecs)
    choice = engine.fit_threshold()
    assert engine.threshold == choice.threshold <= settings.match_threshold


def test_shared_photos_one_per_person_rank1_and_no_false_accepts(faces_dir: Path) -> None:
    report = evaluate(faces_dir, Settings().recognition)
    assert report.citizens == 11
    assert report.genuine >= 60, report  # the labelled photos past the quality gate
    assert report.rank1 >= 0.95, (report.missed, report.wrong)
    assert report.impostors >= 60
    assert report.false_accepts == []
