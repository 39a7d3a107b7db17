"""Benchmark of the kiosk app (issue 5). Prints, on this machine:

1. greeting: from the first frame of the Hamilton clip in which the enrolled person can be
   identified (found by running the engine on each frame offline) to the greeting screen,
   over several loops of the clip: median and worst (target < 1 s); with the liveness
   check in each mode of ``--liveness`` (default: passive+active, then off for the ratio),
   alternated over ``--rounds`` rounds in the same run;
2. preview: preview and camera frame rates on the guidance screen while the engine works
   on every newest frame (target: the source's 29.97 fps);
3. startup: `kiosk run` cold start to the idle screen, and until the recognition process
   has loaded the registry, with N synthetic face templates (target < 3 s with 100k);
   resident memory of the app and of its recognition process.

Usage: uv run python scripts/bench_kiosk.py [greeting|preview|startup|all]
           [--loops 3] [--templates 100000] [--liveness passive+active,off] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.context import KioskContext

warnings.filterwarnings("ignore")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
# The offscreen platform warns "does not support propagateSizeHints()" on every resize.
os.environ.setdefault("QT_LOGGING_RULES", "default.warning=false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchlib import child_pids  # noqa: E402 - scripts/ is on the path when run

EXAMPLES = ROOT.parent / "shared" / "testdata" / "faces" / "face_recognition" / "examples"
CLIP = EXAMPLES / "short_hamilton_clip.mp4"


def _app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _wait(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _enrol(ctx: KioskContext) -> None:
    from kiosk.enrolment import Registry

    registry = Registry(ctx)
    try:
        res = registry.enrol_photos(full_name="Lin-Manuel Miranda", id_number="079080001234",
                                    photos=[EXAMPLES / "lin-manuel-miranda.png"], actor="bench")
        assert res.stored == 1, res.to_json()
    finally:
        registry.close()


def first_identifiable_frame(ctx: KioskContext) -> int:
    """Index (0-based) of the first clip frame the engine identifies someone in."""
    import cv2

    from kiosk.enrolment import Registry

    registry = Registry(ctx)
    cap = cv2.VideoCapture(str(CLIP))
    try:
        i = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                raise SystemExit("no frame of the clip is identified: check the enrolment")
            if i >= 60 and registry.engine.identify_frame(frame).match is not None:
                return i
            i += 1
    finally:
        cap.release()
        registry.close()


def bench_greeting(loops: int, liveness: str = "passive+active") -> list[float]:
    """Greeting latencies in seconds, one per loop of the clip, with liveness ``liveness``."""
    from config import Settings
    from kiosk import flow
    from kiosk.assembly import build_app
    from kiosk.context import KioskContext

    print(f"== greeting: first identifiable frame -> greeting screen (liveness {liveness}) ==")
    _app()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate({"camera": {"source": str(CLIP)},
                                            "liveness": {"mode": liveness}})
        ctx = KioskContext(Path(tmp), settings)
        _enrol(ctx)
        first = first_identifiable_frame(ctx)
        frames_per_loop = 275
        print(f"first identifiable frame: {first} of {frames_per_loop} "
              f"({first / 29.97:.2f} s into the clip)")
        kiosk = build_app(ctx)
        stamps: dict[int, float] = {}
        kiosk.parts.camera.on_frame = lambda f: stamps.__setitem__(f.seq, f.timestamp)
        kiosk.window.resize(1080, 1920)
        kiosk.window.show()
        kiosk.start()
        latencies: list[float] = []
        try:
            # The recognition process must be up before the first loop counts.
            deadline = time.monotonic() + 60
            while kiosk.recognizer.processed == 0 and time.monotonic() < deadline:
                _wait(50)
            loop_no = (kiosk.parts.camera.latest().seq // frames_per_loop) + 1
            for _ in range(loops):
                target = loop_no * frames_per_loop + first + 1  # seq counts from 1
                while kiosk.window.current == flow.IDENTIFIED or \
                        kiosk.parts.camera.latest().seq < target - 30:
                    if kiosk.window.current == flow.IDENTIFIED:
                        kiosk._on_action("done", None)
                    _wait(20)
                while kiosk.window.current != flow.IDENTIFIED:
                    _wait(5)
                greeted = time.monotonic()
                if target in stamps:
                    latencies.append(greeted - stamps[target])
                    rec = kiosk.last_recognition
                    print(f"  loop {loop_no}: greeted {latencies[-1] * 1000:.0f} ms after "
                          "the first identifiable frame (liveness "
                          f"{rec.liveness if rec is not None else '?'})")
                loop_no += 1
                kiosk._on_action("done", None)
        finally:
            kiosk.shutdown()
    if latencies:
        print(f"greeting latency over {len(latencies)} loops: median "
              f"{statistics.median(latencies) * 1000:.0f} ms, worst "
              f"{max(latencies) * 1000:.0f} ms (target < 1000 ms)")
    return latencies


def bench_greetings(loops: int, modes: list[str], rounds: int) -> None:
    """``bench_greeting`` for each liveness mode, alternated over ``rounds``; the summary
    per mode and the ratio of medians to the last mode (e.g. 'off')."""
    by_mode: dict[str, list[float]] = {m: [] for m in modes}
    for _ in range(rounds):
        for mode in modes:
            by_mode[mode] += bench_greeting(loops, mode)
    print("\n== greeting latency by liveness mode ==")
    medians = {}
    for mode, values in by_mode.items():
        if values:
            medians[mode] = statistics.median(values)
            print(f"liveness {mode}: {len(values)} greetings, median "
                  f"{medians[mode] * 1000:.0f} ms, worst {max(values) * 1000:.0f} ms")
    base = modes[-1]
    for mode in modes[:-1]:
        if mode in medians and medians.get(base):
            print(f"ratio {mode} / {base}: {medians[mode] / medians[base]:.2f}")


def bench_preview(seconds: float = 5.0) -> None:
    from config import Settings
    from kiosk import flow
    from kiosk.assembly import build_app
    from kiosk.context import KioskContext

    print("\n== preview frame rate while the engine works ==")
    _app()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate({"camera": {"source": str(CLIP)},
                                            "kiosk": {"unknown_confirm_s": 10.0}})
        kiosk = build_app(KioskContext(Path(tmp), settings))
        kiosk.window.resize(1920, 1080)
        kiosk.window.show()
        kiosk.start()
        try:
            deadline = time.monotonic() + 60
            while kiosk.recognizer.processed == 0 and time.monotonic() < deadline:
                _wait(50)
            while kiosk.window.current != flow.GUIDANCE:
                _wait(20)
            cam, prev = kiosk.parts.camera, kiosk.window.preview
            f0, s0, r0, t0 = prev.frames_shown, cam.latest().seq, kiosk.recognizer.processed, \
                time.monotonic()
            while time.monotonic() - t0 < seconds and kiosk.window.current == flow.GUIDANCE:
                _wait(50)
            dt = time.monotonic() - t0
            preview_fps = (prev.frames_shown - f0) / dt
            camera_fps = (cam.latest().seq - s0) / dt
            engine_fps = (kiosk.recognizer.processed - r0) / dt
            print(f"over {dt:.1f} s on the guidance screen: preview {preview_fps:.1f} fps, "
                  f"camera {camera_fps:.1f} fps (source 29.97), engine {engine_fps:.1f} frames/s")
        finally:
            kiosk.shutdown()


def _fill_registry(data_dir: Path, n: int) -> None:
    import numpy as np
    from benchlib import fill_registry

    from kiosk.crypto import FaceCipher, load_or_create_key
    from kiosk.schema import make_engine

    cipher = FaceCipher(load_or_create_key(data_dir / "face.key"))
    engine = make_engine(f"sqlite:///{data_dir / 'kiosk.db'}")
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(n, 128)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) * 2.5
    fill_registry(engine, cipher, vecs)
    engine.dispose()


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_startup(templates: int) -> None:
    print(f"\n== cold start with {templates} face templates ==")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        t = time.perf_counter()
        _fill_registry(data, templates)
        print(f"(registry filled in {time.perf_counter() - t:.1f} s)")
        env = dict(os.environ, KIOSK_QUIT_AFTER_S="60", PYTHONUNBUFFERED="1")
        cmd = [sys.executable, "-c", "from kiosk.cli import main; main()", "run",
               "--data-dir", str(data), "--windowed", "--camera", str(CLIP)]
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        idle = ready = None
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                now = time.monotonic() - start
                if "kiosk ready" in line and idle is None:
                    idle = now
                if "face template(s) loaded" in line:
                    ready = now
                    time.sleep(2.0)
                    break
            parent = _rss_mb(proc.pid)
            kids = sum(_rss_mb(c) for c in child_pids(proc.pid))
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"idle screen shown {idle:.2f} s after launch (target < 3 s)" if idle else
          "idle screen not seen")
    print(f"recognition ready {ready:.2f} s after launch (registry loaded in the "
          "recognition process)" if ready else "recognition never became ready")
    print(f"resident memory: app {parent:.0f} MB + recognition process {kids:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all",
                        choices=["greeting", "preview", "startup", "all"])
    parser.add_argument("--loops", type=int, default=3)
    parser.add_argument("--templates", type=int, default=100_000)
    parser.add_argument("--liveness", default="passive+active,off",
                        help="comma-separated liveness modes for the greeting benchmark; "
                        "the last is the base of the ratio")
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of the greeting benchmark, modes alternated")
    args = parser.parse_args()
    if args.what in ("greeting", "all"):
        bench_greetings(args.loops, args.liveness.split(","), args.rounds)
    if args.what in ("preview", "all"):
        bench_preview()
    if args.what in ("startup", "all"):
        bench_startup(args.templates)


if __name__ == "__main__":
    main()
