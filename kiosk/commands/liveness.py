"""`kiosk liveness SOURCE`: the liveness check on a video file, a camera or a folder of
photos, one line (or one JSON object) per face track."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kiosk.context import KioskContext, fail, with_context

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


def _line(name: str, figures: dict[str, Any]) -> str:
    score = figures["score"]
    cues = figures["cues"]
    text = (f"{name}: {figures['verdict']:<6} score {'-' if score is None else f'{score:.3f}'}"
            f"  ({figures['reason']}; {figures['frames']} "
            f"frame{'' if figures['frames'] == 1 else 's'}, "
            f"{figures['elapsed_s']:.2f} s)")
    if cues:
        text += (f"  nonrigid {cues['nonrigid']:.3f} motion {cues['motion']:.2f} "
                 f"blink {'yes' if cues['blink'] else 'no'} ear_drop {cues['ear_drop']:.2f} "
                 f"scale {cues['scale_change']:.2f}")
    return text


def _photos(ctx: KioskContext, folder: Path) -> list[dict[str, Any]]:
    import cv2

    from recognition.engine import FaceEngine
    from recognition.images import ImageError, load_image
    from recognition.liveness import LivenessTracker

    engine = FaceEngine(ctx.settings.recognition)
    out: list[dict[str, Any]] = []
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        fail(f"{folder}: no photos (.jpg, .jpeg, .png, .bmp, .webp) in this folder", code=2)
    for path in files:
        try:
            rgb = load_image(path, ctx.settings.storage.max_photo_pixels)
        except ImageError as exc:
            out.append({"source": path.name, "track": None, "error": str(exc)})
            continue
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        faces = engine.faces_with_landmarks(rgb)
        if not faces:
            out.append({"source": path.name, "track": None, "error": "no face found"})
        for n, (box, landmarks) in enumerate(faces, start=1):
            tracker = LivenessTracker(ctx.settings.liveness)
            tracker.update(bgr, box, landmarks, 0.0)
            out.append({"source": path.name, "track": n, "box": list(box.as_tuple()),
                        **tracker.finish().figures()})
    return out


def _video(ctx: KioskContext, source: str, max_frames: int | None) -> list[dict[str, Any]]:
    import cv2

    from recognition.engine import FaceEngine
    from recognition.face_tracks import follow_faces

    is_camera = source.isdigit()
    cap = cv2.VideoCapture(int(source) if is_camera else source)
    if not cap.isOpened():
        what = f"camera {source}" if is_camera else f"{source}: not a readable video file"
        fail(f"cannot open {what}", code=2)
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    if is_camera and max_frames is None:
        max_frames = int(fps * 5)

    def frames():  # noqa: ANN202 - an iterator of BGR frames
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            yield frame

    try:
        engine = FaceEngine(ctx.settings.recognition)
        tracks = follow_faces(engine, frames(), ctx.settings.liveness, fps, max_frames)
    finally:
        cap.release()
    out = []
    for track in tracks.tracks:
        out.append({"source": source, "track": track.track_id,
                    "first_frame": track.first_frame, "last_frame": track.last_frame,
                    "box": list(track.first_box.as_tuple()), **track.result().figures()})
    return out


def _stats(ctx: KioskContext, as_json: bool) -> None:
    from kiosk.adapters.refusals import read_counts

    counts = read_counts(ctx.data_dir)
    if as_json:
        click.echo(json.dumps(counts, sort_keys=True))
        return
    if not counts:
        click.echo("no face refused by the liveness check")
    for day in sorted(counts):
        c = counts[day]
        click.echo(f"{day}: {sum(c.values())} refused (spoof {c.get('spoof', 0)}, "
                   f"unsure {c.get('unsure', 0)})")


@click.command("liveness")
@click.argument("source", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--max-frames", type=click.IntRange(min=1), default=None,
              help="Stop after this many frames (default: the whole video; 5 s of a camera).")
@click.option("--stats", is_flag=True,
              help="Instead of a check: the kiosk's refusals per day (faces that matched a "
              "citizen but were judged spoof or unsure), from the data dir.")
@with_context
def liveness(ctx: KioskContext, source: str | None, as_json: bool, max_frames: int | None,
             stats: bool) -> None:
    """Run the liveness check on SOURCE: a video file, a camera index (0, 1...) or a
    folder of photos; print per face track the verdict, the score and the cues.
    With --stats: the kiosk's liveness refusals per day instead.

    A single photo has no movement: with liveness.mode 'passive+active' it can at best be
    'unsure'; use a video or KIOSK_LIVENESS__MODE=passive to judge photos.
    """
    if stats:
        _stats(ctx, as_json)
        return
    if source is None:
        fail("give a SOURCE (video file, camera index or folder of photos) or --stats", code=2)
        return
    path = Path(source)
    if path.is_dir():
        rows = _photos(ctx, path)
    elif source.isdigit() or path.is_file():
        rows = _video(ctx, source, max_frames)
    else:
        fail(f"{source}: no such file, folder or camera index", code=2)
    if not rows:
        click.echo("no face found", err=True)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        elif "error" in row:
            click.echo(f"{row['source']}: {row['error']}")
        else:
            click.echo(_line(f"{row['source']} track {row['track']}", row))
