"""Open-set accuracy of the shipped recognition defaults on the shared photos, with the
threshold chosen by the registry-size rule (docs/registry.md).

One photo per person is enrolled (the 6 people of face_recognition's photos, the 5 Johns of
dlib's 150x150 crops: 11 citizens); every other photo of theirs is a genuine probe. Rank-1
is the share of genuine probes that passed the quality gate and were accepted as the right
citizen. False accepts are counted on three kinds of impostors: each enrolled person's own
photos with that person left out of the registry (leave-one-out), the detection scenes of
dlib's examples (strangers), and the anti-spoofing samples' faces.

Usage: uv run python scripts/registry_accuracy.py [--target 0.001]
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FACES = ROOT.parent / "shared" / "testdata" / "faces"

from config import Settings  # noqa: E402
from config.recognition import RecognitionSettings  # noqa: E402
from recognition.engine import FaceEngine  # noqa: E402
from recognition.images import load_image  # noqa: E402
from recognition.index import TemplateIndex  # noqa: E402
from tests.support.face_photos import ENROL  # noqa: E402

STRANGERS = ("dlib/examples/faces/", "silent_face/images/sample/")
IMAGES = (".jpg", ".jpeg", ".png")


@dataclass
class Report:
    citizens: int = 0
    threshold: float = 0.0
    rule: str = ""
    genuine: int = 0  # probes that passed the quality gate
    refused_by_gate: list[str] = field(default_factory=list)
    correct: int = 0
    wrong: list[str] = field(default_factory=list)  # accepted as someone else
    missed: list[str] = field(default_factory=list)  # not accepted (unknown / ambiguous)
    impostors: int = 0
    false_accepts: list[str] = field(default_factory=list)

    @property
    def rank1(self) -> float:
        return self.correct / self.genuine if self.genuine else 0.0


def _encode(engine: FaceEngine, path: Path, *, enrol: bool, crop: bool) -> np.ndarray | None:
    image = load_image(path)
    s = engine.settings
    analysis = (engine.analyse_for_enrolment(image, face_crop=crop) if enrol
                else engine.analyse(image, s.match_quality, s.match_jitters, face_crop=crop))
    return analysis.encoding


def _engine(settings: RecognitionSettings, enrolled: dict[str, np.ndarray],
            names: list[str]) -> FaceEngine:
    index = TemplateIndex(settings.ann_min_templates, settings.ann_probe_lists)
    people = [n for n in names if n in enrolled]
    if people:
        ids = [names.index(n) + 1 for n in people]
        index.add(ids, ids, np.stack([enrolled[n] for n in people]))
    engine = FaceEngine(settings, index)
    engine.fit_threshold()
    return engine


def evaluate(faces: Path = FACES, settings: RecognitionSettings | None = None) -> Report:
    settings = settings or Settings().recognition
    encoder = FaceEngine(settings)
    with (faces / "labels.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    enrolled: dict[str, np.ndarray] = {}
    for person, rel in ENROL.items():
        enc = _encode(encoder, faces / rel, enrol=True, crop=False)
        if enc is None:
            raise RuntimeError(f"{rel} does not pass the enrolment gate")
        enrolled[person] = enc
    johns = faces / "dlib/examples/johns"
    enrolled_files = {faces / rel for rel in ENROL.values()}
    for folder in sorted(p for p in johns.iterdir() if p.is_dir()):
        for f in sorted(folder.glob("*.jpg")):
            enc = _encode(encoder, f, enrol=True, crop=True)
            if enc is not None:
                enrolled[folder.name] = enc
                enrolled_files.add(f)
                break
    names = sorted(enrolled)
    # Genuine probes: every other single-face photo of an enrolled person.
    probes: list[tuple[str, str, np.ndarray | None]] = []
    for row in rows:
        rel, person = row["file"], row["identities"]
        path = faces / rel
        if (person not in enrolled or row["faces"] != "1" or path in enrolled_files
                or not rel.lower().endswith(IMAGES)):
            continue
        crop = rel.startswith("dlib/examples/johns/")
        probes.append((person, rel, _encode(encoder, path, enrol=False, crop=crop)))
    strangers = [(row["file"], _encode(encoder, faces / row["file"], enrol=False, crop=False))
                 for row in rows if row["file"].startswith(STRANGERS)
                 and row["file"].lower().endswith(IMAGES) and row["faces"] != "0"]

    full = _engine(settings, enrolled, names)
    report = Report(citizens=len(names), threshold=full.threshold,
                    rule=f"target {settings.target_false_accept}, ceiling "
                         f"{settings.match_threshold}")
    for person, rel, enc in probes:
        if enc is None:
            report.refused_by_gate.append(rel)
            continue
        report.genuine += 1
        match, _reason, _c = full.match_encoding(enc)
        if match is None:
            report.missed.append(rel)
        elif names[match.citizen_id - 1] == person:
            report.correct += 1
        else:
            report.wrong.append(f"{rel} -> {names[match.citizen_id - 1]}")
            report.false_accepts.append(f"{rel} -> {names[match.citizen_id - 1]}")
    # Impostors: each person's photos against the registry without them; strangers.
    for person in names:
        without = _engine(settings, {k: v for k, v in enrolled.items() if k != person}, names)
        for who, rel, enc in probes:
            if who != person or enc is None:
                continue
            report.impostors += 1
            match, _reason, _c = without.match_encoding(enc)
            if match is not None:
                report.false_accepts.append(f"{rel} (left out) -> {names[match.citizen_id - 1]}")
    for rel, enc in strangers:
        if enc is None:
            continue
        report.impostors += 1
        match, _reason, _c = full.match_encoding(enc)
        if match is not None:
            report.false_accepts.append(f"{rel} -> {names[match.citizen_id - 1]}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=None,
                        help="recognition.target_false_accept (default: the shipped one)")
    args = parser.parse_args()
    settings = Settings().recognition
    if args.target is not None:
        settings = settings.model_copy(update={"target_false_accept": args.target})
    r = evaluate(FACES, settings)
    print(f"citizens enrolled (one photo each): {r.citizens}")
    print(f"threshold in use: {r.threshold:.4f} ({r.rule})")
    print(f"genuine probes past the quality gate: {r.genuine} "
          f"(refused by the gate: {len(r.refused_by_gate)})")
    print(f"rank-1: {r.correct}/{r.genuine} = {100 * r.rank1:.1f}%  "
          f"missed {len(r.missed)}, wrong person {len(r.wrong)}")
    print(f"impostor probes: {r.impostors}; false accepts: {len(r.false_accepts)}")
    for line in r.missed:
        print(f"  missed: {line}")
    for line in r.false_accepts:
        print(f"  FALSE ACCEPT: {line}")


if __name__ == "__main__":
    main()
