"""`kiosk doctor` on real parts: the shared clip as the camera, the fake network printer
(a loopback ESC/POS printer), a real queue server process, a real data dir."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from tests.support.fake_printer import FakeNetworkPrinter


def write_config(path: Path, camera: str, printer: str, server: str = "",
                 token: str = "") -> Path:
    lines = ["[camera]", f"source = {camera!r}", "[printer]", f"url = {printer!r}"]
    if server:
        lines += ["[sync]", f"server_url = {server!r}", f"token = {token!r}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def doctor(tmp_path: Path, config: Path, *extra: str) -> tuple[int, dict]:
    out = CliRunner().invoke(cli, ["doctor", "--json", "--data-dir", str(tmp_path / "var"),
                                   "--config", str(config), "--camera-seconds", "1",
                                   "--face-seconds", "4", *extra])
    assert out.output.strip(), out
    report = json.loads(out.output)
    return out.exit_code, {c["name"]: c for c in report["checks"]} | {"ok": report["ok"]}


@pytest.fixture
def clip(faces_dir: Path) -> str:
    return str(faces_dir / "face_recognition" / "examples" / "short_hamilton_clip.mp4")


def test_a_ready_kiosk_with_a_server(tmp_path: Path, clip: str, server) -> None:
    token = server.add_kiosk()
    with FakeNetworkPrinter() as printer:
        code, r = doctor(tmp_path, write_config(tmp_path / "k.toml", clip, printer.url,
                                                server.url, token))
    assert code == 0 and r["ok"], r
    assert r["config"]["status"] == "ok"
    cam = r["camera"]
    assert cam["status"] == "ok" and (cam["values"]["width"], cam["values"]["height"]) == \
        (640, 360)
    assert 20 <= cam["values"]["fps"] <= 35  # the clip plays at its own 29.97 fps
    assert r["face"]["status"] == "ok"
    assert r["printer"]["status"] == "ok" and r["printer"]["values"]["state"] == "ready"
    srv = r["server"]
    assert srv["status"] == "ok" and srv["values"]["token_valid"] is True
    assert abs(srv["values"]["clock_offset_s"]) <= 2  # same machine, whole-second dates
    assert r["registry"]["status"] == "warn" and r["registry"]["values"]["citizens"] == 0
    assert r["disk"]["status"] == "ok" and r["disk"]["values"]["free_mb"] > 0


def test_failures_are_named_and_exit_non_zero(tmp_path: Path, clip: str, server) -> None:
    server.add_kiosk()
    with FakeNetworkPrinter(status=FakeNetworkPrinter.PAPER_OUT) as printer:
        code, r = doctor(tmp_path, write_config(tmp_path / "k.toml", clip, printer.url,
                                                server.url, "not-a-token"))
    assert code == 1 and not r["ok"]
    assert r["printer"]["status"] == "fail" and r["printer"]["values"]["state"] == "paper_out"
    assert r["server"]["status"] == "fail" and r["server"]["values"]["token_valid"] is False
    assert "token" in r["server"]["detail"]
    server.stop()
    with FakeNetworkPrinter() as printer:
        code, r = doctor(tmp_path, write_config(tmp_path / "k.toml", clip, printer.url,
                                                server.url, "not-a-token"))
    assert code == 1 and "unreachable" in r["server"]["detail"]
    assert r["camera"]["status"] == "ok"


def test_nobody_in_front_is_a_warning_and_standalone_skips_the_server(tmp_path: Path) -> None:
    empty = tmp_path / "empty-room"
    empty.mkdir()
    for i in range(3):
        cv2.imwrite(str(empty / f"{i}.png"), np.full((360, 640, 3), 90 + i, np.uint8))
    with FakeNetworkPrinter() as printer:
        code, r = doctor(tmp_path, write_config(tmp_path / "k.toml", str(empty), printer.url),
                         "--face-seconds", "1")
    assert code == 0, r
    assert r["face"]["status"] == "warn" and r["face"]["values"]["frames"] > 0
    assert r["server"]["status"] == "skip"


def test_an_invalid_config_or_a_missing_camera_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[kiosk]\ndaily_ticket_cap = 0\n", encoding="utf-8")
    code, r = doctor(tmp_path, bad)
    assert code == 1 and r["config"]["status"] == "fail"
    assert "daily_ticket_cap" in r["config"]["detail"]
    out = CliRunner().invoke(cli, ["doctor", "--data-dir", str(tmp_path / "var"), "--config",
                                   str(write_config(tmp_path / "k.toml",
                                                    str(tmp_path / "no-such.mp4"),
                                                    "image://tickets"))])
    assert out.exit_code == 1
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("ok    config") and lines[1].startswith("fail  camera")
    assert len(lines) == 7  # one line per check
