"""Reading photos safely: clear errors for files that are missing, not images, damaged
or too large, and EXIF orientation applied (phone and ID-card scanner photos)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class ImageError(Exception):
    """A photo that cannot be used; the message says why and what to do."""


def load_image(path: str | Path, max_pixels: int = 40_000_000) -> np.ndarray:
    """Read a photo as RGB ``uint8`` of shape (H, W, 3).

    The size is checked from the header before anything is decoded, so a 50-megapixel
    photo is refused without using the memory to decode it.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = Path(path)
    if not p.exists():
        raise ImageError(f"{p}: file not found")
    if not p.is_file():
        raise ImageError(f"{p}: not a file")
    try:
        with Image.open(p) as img:
            width, height = img.size
            if width * height > max_pixels:
                raise ImageError(
                    f"{p}: photo is {width}x{height} ({width * height / 1e6:.0f} megapixels), "
                    f"over the limit of {max_pixels / 1e6:.0f}; resize it or raise "
                    "storage.max_photo_pixels"
                )
            img.load()
            oriented = ImageOps.exif_transpose(img)
            if oriented.mode.startswith("I"):
                # 16-bit greyscale (PNG "I;16", or "I"): Pillow's convert("RGB") clips every
                # value above 255 to white; scale 0..65535 down to 0..255 instead.
                grey = np.asarray(oriented, dtype=np.uint32) // 257
                return np.repeat(grey.clip(0, 255).astype(np.uint8)[..., None], 3, axis=2)
            rgb = oriented.convert("RGB")
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(f"{p}: not an image file (expected JPEG or PNG)") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{p}: photo is too large to decode safely; resize it") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{p}: image is damaged or truncated ({exc})") from None
    return np.asarray(rgb, dtype=np.uint8)
