"""The soak (scripts/soak.py) in small: about a minute of two real kiosks issuing through
cuttable proxies to a real server on PostgreSQL while the server is killed, a kiosk is
killed with -9, the network is cut or slowed past the issue timeout and a printer runs out
of paper. Nothing issued, shown or printed may be lost, no number may be given twice and no
ticket nobody holds may stay waiting on the server.

Marked ``soak`` (``-m "not soak"`` leaves it out); it takes about 90-120 s on 2 cores.
PostgreSQL itself is not restarted here: other suites share that server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.soak


def test_a_minute_of_faults_loses_nothing_and_duplicates_nothing(
        postgres_server_url: str, faces_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "soak"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "soak.py"), "--minutes", "1",
         "--db", postgres_server_url, "--out", str(out), "--seed", "7",
         "--faults", "server_kill,kiosk_kill,net_cut,net_delay,printer_paper_out",
         "--fault-gap", "2", "6", "--drain-s", "90"],
        cwd=ROOT, capture_output=True, text=True, timeout=400, check=False,
    )
    report = out / "soak.json"
    assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(report.read_text())
    detail = proc.stdout[-3000:]
    # the kiosks really worked under faults
    assert result["issued"] >= 10, detail
    assert sum(result["faults"].values()) >= 2, detail
    assert all(k["citizens_served"] > 0 for k in result["kiosks"]), detail
    # nothing lost: every kiosk ticket on the server, every number shown in a kiosk db,
    # every printed ticket known to its kiosk
    assert result["lost"] == 0, json.dumps(result["lost_detail"]) + detail
    assert result["uploaded"] == result["issued"], detail
    assert result["duplicated"] == 0, json.dumps(result["duplicated_detail"]) + detail
    assert result["number_differs_on_server"] == 0, detail
    # no ghost: a timed-out online request's ticket was withdrawn, not left waiting
    assert result["ghosts"] == 0, json.dumps(result["server_only_tickets"]) + detail
    assert result["printed_tickets"] > 0, detail
    assert proc.returncode == 0, detail
