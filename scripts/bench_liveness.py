"""Liveness benchmark in ISO/IEC 30107-3 terms.

- APCER: share of attack presentations accepted as live (any face track of the attack
  video, or the single photo, got the verdict ``live``).
- BPCER: share of bona fide (live) presentations not accepted (``spoof`` or ``unsure``).

Material (``../shared/testdata/faces``):
- passive, single photos: the Silent-Face samples (one live capture, two attacks; EXIF
  orientation applied) and the single-face photos of people as live captures;
- attack videos synthesised from the single-face photos (``scripts/attack_videos.py``:
  shake, zoom, tilt, perspective, glare, moire, phone bezel, held still, held close);
- live video: the Hamilton clip, as sessions that start every ``--session-step`` frames
  (each face track of a session is one presentation); time to the verdict is reported.

Identities are split in two: thresholds were tuned on ``tune`` (and the clip's first half);
the ``report`` split is what docs/liveness.md quotes.

    uv run python scripts/bench_liveness.py [--json out.json] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import Settings  # noqa: E402
from config.liveness import LivenessSettings  # noqa: E402
from recognition.detect import detect_faces  # noqa: E402
from recognition.engine import FaceEngine  # noqa: E402
from recognition.face_tracks import FaceTracks, follow_faces  # noqa: E402
from recognition.images import load_image  # noqa: E402
from recognition.liveness import LivenessTracker, Verdict  # noqa: E402
from scripts.attack_videos import ATTACKS, AttackSpec, attack_frames, face_photo  # noqa: E402

FACES = ROOT.parent / "shared" / "testdata" / "faces"
CLIP = FACES / "face_recognition" / "examples" / "short_hamilton_clip.mp4"
TUNE_IDS = {"obama", "John_Savage", "John_Schneider", "rose_leslie", "silent_face"}


def single_face_photos(per_john: int) -> list[tuple[str, str]]:
    """(relative path, identity) of every single-face photo of a person, johns limited."""
    out: list[tuple[str, str]] = []
    johns: dict[str, int] = {}
    with (FACES / "labels.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["faces"] != "1" or "partial" in row["note"] or "_F" in row["file"]:
                continue
            if "RGBA copy" in row["note"]:
                continue
            ident = row["identities"] or "silent_face"
            if "/johns/" in row["file"]:
                ident = row["file"].split("/")[-2]
                johns[ident] = johns.get(ident, 0) + 1
                if johns[ident] > per_john:
                    continue
            out.append((row["file"], ident))
    return out


def rate(bad: int, total: int) -> float | None:
    return None if total == 0 else round(100.0 * bad / total, 2)


def passive_photos(settings: Settings) -> dict[str, object]:
    """Single photos, passive only: Silent-Face samples and live photos."""
    live = settings.liveness.model_copy(update={"mode": "passive"})
    det = settings.recognition.model_copy(update={"detection_upsample": 1})
    rows = []
    for rel, ident in single_face_photos(per_john=11) + [
        ("silent_face/images/sample/image_F1.jpg", "attack"),
        ("silent_face/images/sample/image_F2.jpg", "attack"),
    ]:
        rgb = load_image(FACES / rel)
        if "/johns/" in rel:  # aligned 150x150 crops: the whole picture is the face
            rgb = cv2.copyMakeBorder(rgb, 75, 75, 75, 75, cv2.BORDER_REPLICATE)
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        boxes = detect_faces(rgb, det)
        if not boxes:
            rows.append({"file": rel, "attack": ident == "attack", "verdict": "no_face"})
            continue
        from recognition.encode import landmarks68

        tracker = LivenessTracker(live)
        tracker.update(bgr, boxes[0], landmarks68(rgb, boxes[0]), 0.0)
        result = tracker.finish()
        rows.append({"file": rel, "attack": ident == "attack", "verdict": result.verdict.value,
                     "score": round(result.score or 0.0, 4)})
    attacks = [r for r in rows if r["attack"] and r["verdict"] != "no_face"]
    lives = [r for r in rows if not r["attack"] and r["verdict"] != "no_face"]
    photos = [r for r in lives if "/johns/" not in r["file"]]
    crops = [r for r in lives if "/johns/" in r["file"]]
    return {
        "BPCER_camera_photos_%": rate(sum(r["verdict"] != "live" for r in photos), len(photos)),
        "camera_photos": len(photos),
        "BPCER_aligned_crops_%": rate(sum(r["verdict"] != "live" for r in crops), len(crops)),
        "aligned_crops": len(crops),
        "APCER_%": rate(sum(r["verdict"] == "live" for r in attacks), len(attacks)),
        "attacks": len(attacks),
        "BPCER_%": rate(sum(r["verdict"] != "live" for r in lives), len(lives)),
        "live": len(lives),
        "no_face": [r["file"] for r in rows if r["verdict"] == "no_face"],
        "refused_live": [(r["file"], r["score"]) for r in lives if r["verdict"] != "live"],
        "accepted_attacks": [(r["file"], r["score"]) for r in attacks if r["verdict"] == "live"],
    }


def attack_videos(engine: FaceEngine, settings: LivenessSettings, frames: int,
                  per_john: int) -> tuple[dict[str, dict[str, object]], list[float]]:
    """APCER on synthetic attack videos, per split and per kind."""
    det = engine.settings.model_copy(update={"detection_upsample": 1})
    splits: dict[str, dict[str, object]] = {}
    timings: list[float] = []
    for rel, ident in single_face_photos(per_john):
        split = "tune" if ident in TUNE_IDS else "report"
        rgb = load_image(FACES / rel)
        boxes = detect_faces(rgb, det)
        if not boxes:
            continue
        photo = face_photo(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), boxes[0].as_tuple())
        for seed, kind in enumerate(ATTACKS):
            spec = AttackSpec(kind, frames=frames, seed=seed)
            tracks = follow_faces(engine, attack_frames(photo, spec), settings, spec.fps)
            timings.extend(ms for ms in tracks.liveness_ms if ms > 0)
            verdicts = [t.result().verdict for t in tracks.tracks]
            s = splits.setdefault(split, {"trials": 0, "accepted": 0, "no_face": 0,
                                          "by_kind": {}, "accepted_list": [],
                                          "verdicts": {}})
            k = s["by_kind"].setdefault(kind, [0, 0])  # type: ignore[union-attr]
            if not verdicts:
                s["no_face"] += 1  # type: ignore[operator]
                continue
            accepted = Verdict.LIVE in verdicts
            s["trials"] += 1  # type: ignore[operator]
            k[0] += 1
            for v in verdicts:
                s["verdicts"][v.value] = s["verdicts"].get(v.value, 0) + 1  # type: ignore
            if accepted:
                s["accepted"] += 1  # type: ignore[operator]
                k[1] += 1
                s["accepted_list"].append(f"{rel}:{kind}")  # type: ignore[union-attr]
    for s in splits.values():
        s["APCER_%"] = rate(s["accepted"], s["trials"])  # type: ignore[arg-type]
    return splits, timings


def clip_frames() -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(CLIP))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def live_clip(engine: FaceEngine, settings: LivenessSettings,
              step: int) -> tuple[dict[str, dict[str, object]], list[float]]:
    """BPCER on the Hamilton clip: a session starts every ``step`` frames."""
    frames = clip_frames()
    fps = 29.97
    faces = [engine.faces_with_landmarks(cv2.cvtColor(f, cv2.COLOR_BGR2RGB)) for f in frames]
    window = int(settings.window_s * fps) + 2
    half = len(frames) // 2
    splits: dict[str, dict[str, object]] = {}
    timings: list[float] = []
    for start in range(0, len(frames) - settings.min_frames, step):
        tracks = FaceTracks(settings)
        for i in range(start, min(len(frames), start + window)):
            tracks.update(frames[i], faces[i], i, i / fps)
        timings.extend(ms for ms in tracks.liveness_ms if ms > 0)
        split = "tune" if start < half else "report"
        s = splits.setdefault(split, {"sessions": 0, "refused": 0, "verdicts": {},
                                      "decided_s": []})
        for track in tracks.tracks:
            if len(track.boxes) < settings.min_frames:
                continue  # a face seen for a moment only: not a presentation
            result = track.result()
            s["sessions"] += 1  # type: ignore[operator]
            s["verdicts"][result.verdict.value] = s["verdicts"].get(result.verdict.value, 0) + 1  # type: ignore
            if result.verdict is Verdict.LIVE:
                s["decided_s"].append(round(result.elapsed_s, 3))  # type: ignore[union-attr]
            else:
                s["refused"] += 1  # type: ignore[operator]
    for s in splits.values():
        s["BPCER_%"] = rate(s["refused"], s["sessions"])  # type: ignore[arg-type]
        d = s.pop("decided_s")
        s["time_to_live_s"] = (
            {"median": float(np.median(d)), "max": float(np.max(d))} if d else None
        )
    return splits, timings


def timing_check(engine: FaceEngine, settings: LivenessSettings) -> dict[str, float]:
    """Time of ``LivenessTracker.update`` per frame over a whole undecided window (the
    worst case: the verdict never comes early), on the clip's first visible face."""
    frames = clip_frames()[82:82 + int(settings.window_s * 30)]
    undecided = settings.model_copy(update={"live_score": 1.0, "spoof_score": 0.0,
                                            "window_s": 10.0})
    tracker = LivenessTracker(undecided)
    spent = []
    for i, frame in enumerate(frames):
        faces = engine.faces_with_landmarks(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        if not faces:
            continue
        t0 = time.perf_counter()
        tracker.update(frame, faces[0][0], faces[0][1], i / 30.0)
        spent.append((time.perf_counter() - t0) * 1000.0)
    ms = np.array(spent[1:])  # the first frame loads the networks
    return {"median": round(float(np.median(ms)), 2), "p95": round(float(np.percentile(ms, 95)), 2),
            "max": round(float(ms.max()), 2), "n": int(ms.size)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    parser.add_argument("--quick", action="store_true", help="Fewer photos and frames.")
    parser.add_argument("--session-step", type=int, default=10,
                        help="Frames between the starts of two live sessions on the clip.")
    args = parser.parse_args()
    if not (FACES / "labels.csv").is_file():
        sys.exit(f"error: shared test photos not found at {FACES}")
    settings = Settings()
    engine = FaceEngine(settings.recognition)
    live = settings.liveness
    t0 = time.perf_counter()
    report: dict[str, object] = {"settings": live.model_dump()}
    report["passive_photos"] = passive_photos(settings)
    print("passive photos:", json.dumps(report["passive_photos"]), flush=True)
    frames = 24 if args.quick else int(live.window_s * 30) + 6
    report["attack_videos"], t_att = attack_videos(engine, live, frames, 1 if args.quick else 3)
    print("attack videos:", json.dumps(report["attack_videos"]), flush=True)
    report["live_clip"], t_live = live_clip(engine, live, args.session_step)
    print("live clip:", json.dumps(report["live_clip"]), flush=True)
    ms = np.array(t_att + t_live)
    report["liveness_ms_per_face_frame"] = {
        "median": round(float(np.median(ms)), 2), "p95": round(float(np.percentile(ms, 95)), 2),
        "max": round(float(ms.max()), 2), "n": int(ms.size),
    }
    quiet = timing_check(engine, live)
    report["liveness_ms_single_face_window"] = quiet
    print("one face, one window, networks on every frame (ms):", quiet)
    report["wall_s"] = round(time.perf_counter() - t0, 1)
    print("time added per frame (ms):", report["liveness_ms_per_face_frame"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
