"""The board's spoken calls: `queue-server announce` and the audio the board fetches,
rendered from the real default voice pack (espeak-ng) on a real app."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, auth, login, make_app, new_id

from config.server import QueueServerSettings
from config.voice import VoiceSettings
from server.app import create_app

CLI = [sys.executable, "-c", "from server.cli import main; main()", "announce"]
pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/espeak-ng").exists(), reason="espeak-ng missing (scripts/setup.sh)")


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.getnframes() / w.getframerate()


def test_queue_server_announce_writes_a_call_with_the_servers_data_dir(tmp_path: Path
                                                                        ) -> None:
    out = tmp_path / "call.wav"
    env = {**os.environ, "QUEUE_SERVER_DATA_DIR": str(tmp_path / "data")}
    r = subprocess.run([*CLI, "A012", "3", "--out",
                        str(out), "--recall"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stdout
    assert 5.0 < wav_seconds(out.read_bytes()) < 9.0
    assert (tmp_path / "data" / "voice" / "default-vi" / "pack.toml").is_file()
    bad = subprocess.run([*CLI, "A012", "3", "--out",
                          str(out), "--pack", str(tmp_path / "nowhere")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode != 0 and "error" in bad.stderr.lower()


def test_board_gets_the_call_and_the_recall_as_audio(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path)
    client = TestClient(app)
    token = add_kiosk(app)
    r = client.post("/api/v1/tickets", headers=auth(token),
                    json={"id": new_id(), "service": "HT"})
    assert r.status_code == 201
    staff = login(app, "chi")
    assert staff.post("/api/v1/counters/1/call-next").status_code == 200
    assert staff.post("/api/v1/counters/1/recall").status_code == 200
    board = client.get("/board/HCC/state.json")
    assert board.status_code == 200, board.text
    calls = board.json()["recent_calls"]
    assert [c["recall"] for c in calls] == [True, False]
    assert calls[0]["announce"]["text"].startswith("Gọi lại")
    first = client.get(calls[1]["audio"])
    recall = client.get(calls[0]["audio"])
    assert first.status_code == recall.status_code == 200
    assert first.headers["content-type"] == "audio/wav"
    # "Gọi lại, ..." adds two words and a phrase pause: about 1.2 s longer
    assert 0.6 < wav_seconds(recall.content) - wav_seconds(first.content) < 2.0
    assert client.get(calls[0]["audio"]).content == recall.content  # from the cache
    missing = client.get("/board/HCC/announce/99999.wav")
    assert missing.status_code == 404
    app.state.qs.db.dispose()


def test_a_board_without_a_voice_pack_says_why_in_one_line(sqlite_url: str, tmp_path: Path
                                                           ) -> None:
    app = create_app(QueueServerSettings(database_url=sqlite_url), data_dir=tmp_path,
                     voice=VoiceSettings(pack=str(tmp_path / "no-such-pack")))
    client = TestClient(app)
    token = add_kiosk(app)
    client.post("/api/v1/tickets", headers=auth(token), json={"id": new_id(), "service": "HT"})
    login(app, "chi").post("/api/v1/counters/1/call-next")
    call = client.get("/board/HCC/state.json").json()["recent_calls"][0]
    r = client.get(call["audio"])
    assert r.status_code == 503
    assert "voice pack" in r.text and "\n" not in r.text.strip()
    assert "voice pack" in client.get("/board/HCC/state.json").json()["sound_error"]
    app.state.qs.db.dispose()
