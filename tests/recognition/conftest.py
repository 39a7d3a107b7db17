"""Fixtures of the recognition suite: one engine, photos by person from labels.csv."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from config import Settings
from recognition.engine import FaceEngine
from recognition.images import load_image


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def engine(settings: Settings) -> FaceEngine:
    return FaceEngine(settings.recognition)


@pytest.fixture(scope="session")
def labels(faces_dir: Path) -> list[dict[str, str]]:
    with (faces_dir / "labels.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def photo(faces_dir: Path) -> Callable[[str], np.ndarray]:
    """Load a shared photo by its path relative to the faces folder, as RGB."""
    cache: dict[str, np.ndarray] = {}

    def load(rel: str) -> np.ndarray:
        if rel not in cache:
            cache[rel] = load_image(faces_dir / rel)
        return cache[rel]

    return load
