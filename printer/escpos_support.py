"""Loading python-escpos with sane process-wide settings, and its capability profiles.

python-escpos writes a pickle of its capability database on first import, into a fresh
temporary folder unless ``ESCPOS_CAPABILITIES_PICKLE_DIR`` is set. We point it at a cache
folder that is kept between runs (unless the variable is already set) and import the
library lazily, so importing ``printer`` has no side effects.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from types import ModuleType
from typing import Any

from printer.errors import PrinterConfigError

DEFAULT_WIDTH_DOTS = 576
_PICKLE_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def _pickle_dir() -> Path:
    configured = os.environ.get(_PICKLE_ENV)
    if configured:
        return Path(configured)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "facekiosk" / "escpos"


def escpos() -> ModuleType:
    """Import python-escpos (``escpos.printer``) after preparing its pickle folder."""
    folder = _pickle_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        import tempfile

        folder = Path(tempfile.gettempdir())
    os.environ[_PICKLE_ENV] = str(folder)
    import escpos.printer

    module: ModuleType = escpos.printer  # python-escpos ships no type information
    return module


def _profile_width(profile: Any) -> int | None:
    try:
        return int(profile.profile_data["media"]["width"]["pixels"])
    except (KeyError, TypeError, ValueError):
        return None


def make_profile(name: str, width_dots: int | None) -> tuple[Any, int]:
    """The python-escpos profile ``name`` with its media width set, and that width in dots.

    The width is ``width_dots`` if given, else the profile's own, else 576. Setting it on
    the profile (a private copy: python-escpos shares profile data between instances)
    silences the library's "media.width.pixel field ... is not set" line on stdout.
    """
    escpos()
    from escpos.capabilities import CAPABILITIES, get_profile

    if name not in CAPABILITIES["profiles"]:
        raise PrinterConfigError(
            f"printer.profile: unknown python-escpos profile {name!r} "
            "(try 'default', 'TM-T20II', 'TM-T88V' or 'POS-5890')"
        )
    profile = get_profile(name)
    profile.profile_data = copy.deepcopy(profile.profile_data)
    width = width_dots or _profile_width(profile) or DEFAULT_WIDTH_DOTS
    width -= width % 8  # raster rows are whole bytes
    media = profile.profile_data.setdefault("media", {})
    media.setdefault("width", {})
    if not isinstance(media["width"], dict):
        media["width"] = {}
    media["width"]["pixels"] = width
    return profile, width
