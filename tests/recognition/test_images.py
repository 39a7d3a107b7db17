"""Photos that cannot be used get a clear error, without decoding what is too large."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from recognition.images import ImageError, load_image


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="file not found"):
        load_image(tmp_path / "nope.jpg")


def test_not_an_image(tmp_path: Path) -> None:
    f = tmp_path / "notes.jpg"
    f.write_text("hello")
    with pytest.raises(ImageError, match="not an image"):
        load_image(f)


def test_truncated_jpeg(tmp_path: Path, faces_dir: Path) -> None:
    data = (faces_dir / "face_recognition/tests/test_images/obama.jpg").read_bytes()
    f = tmp_path / "cut.jpg"
    f.write_bytes(data[: len(data) // 3])
    with pytest.raises(ImageError, match="damaged or truncated"):
        load_image(f)


def test_fifty_megapixels_refused_from_the_header(tmp_path: Path) -> None:
    f = tmp_path / "huge.png"
    Image.new("L", (8000, 6250)).save(f, optimize=False)
    with pytest.raises(ImageError, match="50 megapixels"):
        load_image(f, max_pixels=40_000_000)


def test_rgba_png_and_exif_orientation(faces_dir: Path) -> None:
    rgba = load_image(faces_dir / "face_recognition/tests/test_images/32bit.png")
    assert rgba.shape == (1200, 626, 3) and rgba.dtype == np.uint8
    sample = faces_dir / "silent_face/images/sample/image_T1.jpg"
    with Image.open(sample) as im:
        raw_w, raw_h = im.size
        orientation = im.getexif().get(0x0112, 1)
    loaded = load_image(sample)
    if orientation in (5, 6, 7, 8):
        assert loaded.shape[:2] == (raw_w, raw_h)  # rotated upright
    else:
        assert loaded.shape[:2] == (raw_h, raw_w)
