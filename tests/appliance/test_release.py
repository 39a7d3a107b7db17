"""The release: the wheel installs into a fresh venv with no repository in sight, and the
installed commands find their package data (settings defaults, migrations, templates)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]

pytestmark = pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv")


def _run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT"}}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(["uv", "build", "--quiet", "--out-dir", str(out)], cwd=REPO)
    return out


def test_wheel_and_sdist_carry_the_package_data(dist: Path) -> None:
    wheel = dist / f"facekiosk-{VERSION}-py3-none-any.whl"
    assert (dist / f"facekiosk-{VERSION}.tar.gz").is_file()
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("config/defaults.toml", "server/migrations/env.py",
                   "server/migrations/script.py.mako", "server/templates/base.html",
                   "server/static/style.css", "kiosk/i18n/vi.ts", "appliance/watchdog.py"):
        assert needed in names, needed
    assert any(n.startswith("server/migrations/versions/0001") for n in names)


def test_wheel_installs_and_runs_without_the_repository(dist: Path, tmp_path: Path) -> None:
    wheel = dist / f"facekiosk-{VERSION}-py3-none-any.whl"
    # The locked versions (what CI tested), then the wheel itself; --no-deps because the
    # export is complete and face_recognition's `dlib` (a 10-minute compile) is replaced by
    # dlib-bin, which only the project's override knows.
    req = tmp_path / "requirements.txt"
    _run(["uv", "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
          "--quiet", "--output-file", str(req)], cwd=REPO)
    venv = tmp_path / "venv"
    _run(["uv", "venv", "--quiet", str(venv)], cwd=tmp_path)
    py = str(venv / "bin" / "python")
    _run(["uv", "pip", "install", "--quiet", "--no-deps", "--python", py, "-r", str(req),
          str(wheel)], cwd=tmp_path)
    bin_ = venv / "bin"
    assert _run([str(bin_ / "kiosk"), "--version"], cwd=tmp_path).stdout.strip() == (
        f"kiosk, version {VERSION}")
    assert _run([str(bin_ / "queue-server"), "--version"], cwd=tmp_path).stdout.strip() == (
        f"queue-server, version {VERSION}")
    # The modules come from the venv, not from a checkout.
    where = _run([py, "-c", "import server, kiosk; print(server.__file__, kiosk.__file__)"],
                 cwd=tmp_path).stdout
    assert str(REPO) not in where and str(venv) in where
    # Migrations and the shipped defaults are found inside the installed package.
    data = tmp_path / "server-data"
    out = _run([str(bin_ / "queue-server"), "migrate", "--data-dir", str(data)], cwd=tmp_path)
    assert "schema at revision" in out.stdout
    assert (data / "queue.db").is_file()
    kdata = tmp_path / "kiosk-data"
    _run([str(bin_ / "kiosk"), "people", "list", "--data-dir", str(kdata)], cwd=tmp_path)
    _run([str(bin_ / "kiosk"), "backup", "--data-dir", str(kdata), str(tmp_path / "k.db")],
         cwd=tmp_path)


def test_unpacked_sdist_is_an_installable_release(dist: Path, tmp_path: Path) -> None:
    with tarfile.open(dist / f"facekiosk-{VERSION}.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    release = tmp_path / f"facekiosk-{VERSION}"
    for needed in ("uv.lock", "scripts/install.sh", "scripts/setup.sh",
                   "scripts/blank_cursor_theme.py", "deploy/systemd/facekiosk-kiosk@.service",
                   "deploy/nginx/facekiosk.conf", "docs/install.md"):
        assert (release / needed).is_file(), needed
    root = tmp_path / "root"
    out = _run(["bash", str(release / "scripts/install.sh"), "kiosk", "--root", str(root),
                "--skip-env"], cwd=tmp_path).stdout
    assert f"done: kiosk {VERSION}" in out
    assert (root / "etc/systemd/system/facekiosk-kiosk@.service").is_file()
