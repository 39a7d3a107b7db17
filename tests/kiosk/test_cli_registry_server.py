"""`kiosk enrol | import | identify | sync` on two kiosks that replicate one centre's
registry from a real queue-server process (real photos, real HTTP on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from kiosk.cli import cli
from tests.support.queue_server import QueueServerProcess

TI = "face_recognition/tests/test_images/"
EX_BIDEN = "face_recognition/examples/knn_examples/train/biden/biden2.jpg"


def kiosk_dir(root: Path, name: str, server: QueueServerProcess) -> Path:
    """A kiosk data dir whose config points at ``server`` with a token of its own."""
    data = root / name
    data.mkdir(parents=True)
    (data / "kiosk.toml").write_text(
        f'[sync]\nserver_url = "{server.url}"\ntoken = "{server.add_kiosk(name)}"\n')
    return data


def run(data: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--data-dir", str(data),
                                    "--config", str(data / "kiosk.toml")])


def test_enrol_at_one_kiosk_recognised_at_the_other_erased_everywhere(
        server: QueueServerProcess, tmp_path: Path, faces_dir: Path) -> None:
    a, b = kiosk_dir(tmp_path, "a", server), kiosk_dir(tmp_path, "b", server)
    r = run(a, "enrol", "--name", "Barack Obama", "--id-number", "001061012345",
            "--photo", str(faces_dir / TI / "obama.jpg"), "--consent", "--actor", "nv.lan")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["via_server"] and out["server"]["result"] == "created"
    obama = out["server"]["citizen_id"]

    # Kiosk B: the same face under another id number is refused over the whole centre.
    r = run(b, "enrol", "--name", "Someone", "--id-number", "001090000001",
            "--photo", str(faces_dir / TI / "obama3.jpg"), "--consent")
    assert r.exit_code == 1 and "already enrolled" in r.output
    # ... and Obama's id number with Biden's face is refused, not merged.
    r = run(b, "enrol", "--name", "Barack Obama", "--id-number", "001061012345",
            "--photo", str(faces_dir / TI / "biden.jpg"), "--consent")
    assert r.exit_code == 1
    assert "does not match the face enrolled with this id number" in r.output

    r = run(b, "sync")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["error"] is None
    r = run(b, "identify", "--json", str(faces_dir / TI / "obama3.jpg"))
    assert json.loads(r.stdout)["match"]["citizen_id"] == obama
    # Erasure is the server's: the kiosk says where to do it.
    r = run(b, "people", "delete", str(obama), "--yes")
    assert r.exit_code == 2 and "queue-server citizens delete" in r.output

    server.run("citizens", "delete", str(obama), "--yes")
    for kiosk in (a, b):
        r = run(kiosk, "sync")
        summary = json.loads(r.stdout)
        assert r.exit_code == 0 and summary["deleted"] == 1, r.output
        r = run(kiosk, "identify", "--json", str(faces_dir / TI / "obama3.jpg"))
        assert json.loads(r.stdout)["match"] is None


def test_sync_of_a_standalone_kiosk_and_of_an_unreachable_server(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["sync", "--data-dir", str(tmp_path / "alone")])
    assert r.exit_code == 2 and "standalone" in r.output
    data = tmp_path / "k"
    data.mkdir()
    (data / "kiosk.toml").write_text(
        '[sync]\nserver_url = "http://127.0.0.1:9"\ntoken = "abcdefgh12345678"\n'
        'request_timeout_s = 1\n')
    r = run(data, "sync")
    assert r.exit_code == 1
    assert "unreachable" in json.loads(r.stdout)["error"]


def test_sex_from_the_card_and_an_admin_replacing_a_face_from_a_kiosk(
        server: QueueServerProcess, tmp_path: Path, faces_dir: Path) -> None:
    a, b = kiosk_dir(tmp_path, "a", server), kiosk_dir(tmp_path, "b", server)
    r = run(a, "enrol", "--name", "Barack Obama", "--id-number", "001061012345",
            "--sex", "Giraffe", "--photo", str(faces_dir / TI / "obama.jpg"), "--consent")
    assert r.exit_code == 2 and "not Nam / Nữ" in r.output  # never guessed
    r = run(a, "enrol", "--name", "Barack Obama", "--id-number", "001061012345",
            "--sex", "Nam", "--photo", str(faces_dir / TI / "obama.jpg"), "--consent")
    assert r.exit_code == 0, r.output
    obama = json.loads(r.stdout)["server"]["citizen_id"]
    assert run(b, "sync").exit_code == 0
    shown = json.loads(run(b, "people", "show", str(obama)).stdout)
    assert shown["sex"] == "male"

    # The wrong face was enrolled: an admin replaces it from kiosk B with the right photo.
    server.run("user", "add", "quantri", "--role", "admin", "--password", "mat khau quan tri")
    r = run(b, "replace-face", "--citizen", str(obama), "--photo",
            str(faces_dir / TI / "biden.jpg"), "--admin", "quantri", "--password", "sai")
    assert r.exit_code == 2 and "refused the log-in" in r.output
    r = run(b, "replace-face", "--citizen", str(obama), "--photo",
            str(faces_dir / TI / "biden.jpg"), "--admin", "quantri",
            "--password", "mat khau quan tri")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["result"] == "replaced" and out["templates_erased"] == 1
    assert out["sync_error"] is None
    # Kiosk A at its next sync: the old face is gone from its index, the new one is there.
    assert json.loads(run(a, "sync").stdout)["pulled"] == 1
    r = run(a, "identify", "--json", str(faces_dir / TI / "obama3.jpg"))
    assert json.loads(r.stdout)["match"] is None
    r = run(a, "identify", "--json", str(faces_dir / EX_BIDEN))
    assert json.loads(r.stdout)["match"]["citizen_id"] == obama
    assert "replace" in server.run("citizens", "export", str(obama))
