"""Is this kiosk ready to serve? The checks behind `kiosk doctor` and the technician's
screens, each a ``Check`` (one line for people, values for --json).

Checks, in order: the config is valid; the camera opens (frames per second); a face is
detected within a few seconds of frames (a warning, not a failure, when nobody is in front
of the camera); the printer's status; the queue server is reachable, accepts the kiosk's
token and agrees on the time (skipped when standalone); the face registry loads (how many
citizens); free disk space for the data dir. Every check is bounded in time and never
raises.
"""

from __future__ import annotations

import email.utils
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kiosk.context import KioskContext

Status = Literal["ok", "warn", "fail", "skip"]
#: Free space under which the data dir fails / warns (bytes).
DISK_FAIL = 200 * 1024**2
DISK_WARN = 1024**3
#: Clock offset to the server above which doctor warns (seconds; HTTP dates are whole).
CLOCK_WARN_S = 10.0


@dataclass
class Check:
    """One line of the report: ``status`` ok, warn, fail or skip; ``values`` for --json."""

    name: str
    status: Status
    detail: str
    values: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return f"{self.status:<4}  {self.name}: {self.detail}"


class _Paced:
    """Reads a source as the capture worker does: files and folders at their own rate."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.next_at = time.monotonic()

    def read(self) -> Any:
        interval = self.source.frame_interval
        if interval:
            time.sleep(max(0.0, self.next_at - time.monotonic()))
            self.next_at = max(self.next_at + interval, time.monotonic() - interval)
        return self.source.read()


def check_camera(ctx: KioskContext, seconds: float, face_seconds: float) -> list[Check]:
    """Open the configured camera, measure its frame rate over ``seconds``, then look for
    a face in the frames of up to ``face_seconds``."""
    import os

    from kiosk.camera import CameraError, Transform, make_source

    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # one line of ours, not V4L2's
    settings = ctx.settings
    try:
        source = make_source(settings.camera.source, settings.camera)
        source.open()
    except (CameraError, OSError, ValueError) as exc:
        skip = Check("face", "skip", "no camera")
        return [Check("camera", "fail", f"{settings.camera.source!r} does not open: {exc}"),
                skip]
    name = source.name
    paced = _Paced(source)
    try:
        frames, shape, start = 0, None, time.monotonic()
        while time.monotonic() - start < seconds:
            image = paced.read()
            if image is None:
                continue
            frames += 1
            shape = image.shape
        elapsed = time.monotonic() - start
        if not frames or shape is None:
            return [Check("camera", "fail", f"{name} opened but gave no frame in {seconds:g} s"),
                    Check("face", "skip", "no frames")]
        fps = frames / elapsed
        cam = Check("camera", "ok" if fps >= 5 else "warn",
                    # figures first: a long source path is what a short line may cut
                    f"{shape[1]}x{shape[0]}, {fps:.1f} frames/s from {name}",
                    {"source": name, "width": int(shape[1]), "height": int(shape[0]),
                     "fps": round(fps, 1)})
        return [cam, _check_face(paced, Transform.from_settings(settings.camera), ctx,
                                 face_seconds)]
    finally:
        source.close()


def _check_face(source: Any, transform: Any, ctx: KioskContext, seconds: float) -> Check:
    import cv2
    import numpy as np

    from recognition.detect import detect_faces

    # Load the detector first (seconds on a cold start): the time given is for frames.
    detect_faces(np.zeros((32, 32, 3), np.uint8), ctx.settings.recognition)
    start, looked = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        image = source.read()
        if image is None:
            continue
        looked += 1
        rgb = cv2.cvtColor(transform.apply(image), cv2.COLOR_BGR2RGB)
        boxes = detect_faces(rgb, ctx.settings.recognition)
        if boxes:
            took = time.monotonic() - start
            b = boxes[0]
            return Check("face", "ok", f"face found after {took:.1f} s ({b.width}x{b.height} "
                         f"px)", {"seconds": round(took, 2), "frames": looked})
    return Check("face", "warn", f"no face in {looked} frames over {seconds:g} s "
                 "(nobody in front of the camera?)", {"frames": looked})


def check_printer(ctx: KioskContext) -> Check:
    """The printer's status (the same as `kiosk printer status`)."""
    from printer.errors import PrinterConfigError
    from printer.service import TicketPrinter

    try:
        status = TicketPrinter(ctx.settings.printer, data_dir=ctx.data_dir).status()
    except PrinterConfigError as exc:
        return Check("printer", "fail", str(exc))
    level: Status = "ok" if status.state == "ready" else (
        "warn" if status.can_print else "fail")
    return Check("printer", level, status.line(), {"state": status.state})


def check_server(ctx: KioskContext) -> Check:
    """Reach, token and clock offset of the queue server (skip when standalone)."""
    import httpx

    from kiosk.adapters.server_client import QueueClient, ServerError, read_token

    sync = ctx.settings.sync
    if not sync.server_url:
        return Check("server", "skip", "standalone (no sync.server_url)")
    url = sync.server_url.rstrip("/")
    try:
        t0 = time.time()
        reply = httpx.get(f"{url}/api/v1/health", timeout=sync.request_timeout_s)
        t1 = time.time()
    except httpx.HTTPError as exc:
        return Check("server", "fail", f"{url} unreachable: {type(exc).__name__}")
    if reply.status_code != 200:
        return Check("server", "fail", f"{url} answers HTTP {reply.status_code} to health")
    offset = None
    if "date" in reply.headers:
        server_time = email.utils.parsedate_to_datetime(reply.headers["date"]).timestamp()
        # The Date header is truncated to the second: +0.5 s centres the error (±0.5 s).
        offset = server_time + 0.5 - (t0 + t1) / 2
    values: dict[str, Any] = {"url": url, "latency_ms": round((t1 - t0) * 1000),
                              "clock_offset_s": None if offset is None else round(offset, 1)}
    try:
        token = read_token(sync, ctx.data_dir)
    except ServerError as exc:
        return Check("server", "fail", str(exc), values)
    if not token:
        return Check("server", "fail", f"{url} reachable but no kiosk token is configured "
                     "(sync.token_file)", values)
    client = QueueClient(url, token, sync.request_timeout_s)
    try:
        client.services()
    except ServerError as exc:
        values["token_valid"] = False if exc.status == 401 else None
        return Check("server", "fail", str(exc), values)
    finally:
        client.close()
    values["token_valid"] = True
    clock = "clock offset unknown" if offset is None else f"clock offset {offset:+.0f} s"
    level: Status = "warn" if offset is None or abs(offset) > CLOCK_WARN_S else "ok"
    return Check("server", level, f"{url}: token valid, {values['latency_ms']} ms, {clock}",
                 values)


def check_registry(ctx: KioskContext) -> Check:
    """The registry replica opens with the face key; how many citizens and templates."""
    import sqlalchemy as sa

    from kiosk.db import database_url
    from kiosk.schema import make_engine

    try:
        from kiosk.crypto import FaceCipher, load_or_create_key
        from kiosk.registry import Citizen, FaceTemplate, RegistryStore

        engine = make_engine(database_url(ctx.settings, ctx.data_dir))
        try:
            key = load_or_create_key(ctx.path(ctx.settings.storage.key_file or "face.key"))
            RegistryStore(engine, FaceCipher(key))
            with engine.connect() as conn:
                people = conn.scalar(sa.select(sa.func.count()).select_from(Citizen)) or 0
                faces = conn.scalar(sa.select(sa.func.count()).select_from(FaceTemplate)) or 0
        finally:
            engine.dispose()
    except Exception as exc:
        return Check("registry", "fail", f"cannot be loaded: {type(exc).__name__}: "
                     f"{str(exc)[:160]}")
    level: Status = "ok" if people else "warn"
    return Check("registry", level, f"{people} citizens, {faces} face templates",
                 {"citizens": int(people), "templates": int(faces)})


def check_disk(data_dir: Path) -> Check:
    """Free space where the data dir lives."""
    usage = shutil.disk_usage(data_dir)
    free_mb = usage.free // 1024**2
    level: Status = "fail" if usage.free < DISK_FAIL else (
        "warn" if usage.free < DISK_WARN else "ok")
    return Check("disk", level, f"{free_mb} MB free for {data_dir}",
                 {"free_mb": int(free_mb), "data_dir": str(data_dir)})


def run_checks(ctx: KioskContext, camera_s: float = 2.0, face_s: float = 5.0) -> list[Check]:
    """Every check after the config's, in the order of the report."""
    checks = check_camera(ctx, camera_s, face_s)
    checks += [check_printer(ctx), check_server(ctx), check_registry(ctx),
               check_disk(ctx.data_dir)]
    return checks


def test_print(ctx: KioskContext) -> Check:
    """Print the test ticket (every Vietnamese letter, the QR code, a ruler)."""
    from printer.errors import PrinterConfigError
    from printer.service import TicketPrinter
    from printer.ticket import sample_ticket

    try:
        tp = TicketPrinter(ctx.settings.printer, data_dir=ctx.data_dir)
        result = tp.print_test(sample_ticket(ctx.settings.kiosk.centre_name, language="vi"))
    except PrinterConfigError as exc:
        return Check("test print", "fail", str(exc))
    except Exception as exc:  # the screen must get a line, not a crash
        return Check("test print", "fail", f"{type(exc).__name__}: {str(exc)[:160]}")
    if result.ok:
        return Check("test print", "ok", result.message)
    return Check("test print", "fail", f"not printed ({result.reason}): {result.message}")
