"""Fixtures shared by every suite: the shared test photos, output folder, databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(Path(__file__).parent / "output"))

REPO_ROOT = Path(__file__).resolve().parents[1]
FACES_DIR = REPO_ROOT.parent / "shared" / "testdata" / "faces"
OUTPUT_DIR = REPO_ROOT / "tests" / "output"
POSTGRES_URL = os.environ.get(
    "KIOSK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    """`../shared/testdata/faces`; skipped if missing, fails if KIOSK_REQUIRE_TEST_FACES=1."""
    if not (FACES_DIR / "labels.csv").is_file():
        message = f"shared test photos not found at {FACES_DIR}"
        if os.environ.get("KIOSK_REQUIRE_TEST_FACES") == "1":
            pytest.fail(message + " (KIOSK_REQUIRE_TEST_FACES=1 forbids skipping)")
        pytest.skip(message)
    return FACES_DIR


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """`tests/output/`: screenshots and rendered tickets for a person to look at."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


def _postgres_available() -> bool:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server used in tests; a failure in CI when it is not running."""
    if not _postgres_available():
        message = f"PostgreSQL not reachable at {POSTGRES_URL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL schema for one test (dropped afterwards).

    The URL carries ``options=-csearch_path=<schema>`` so every connection uses it.
    """
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    sep = "&" if "?" in postgres_server_url else "?"
    yield f"{postgres_server_url}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'drop schema "{schema}" cascade'))
    admin.dispose()
