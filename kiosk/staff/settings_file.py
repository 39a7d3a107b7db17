"""The kiosk's own TOML config, changed from the technician's screens.

``SettingsFile.apply(changes)`` merges ``{"section": {"field": value}}`` (``None`` removes
the field, so the default applies) into the file, validates the result exactly as a start
does (``config.load_settings``) and only then replaces the file atomically, keeping the
previous one as ``<name>.bak``. An invalid value raises ``ConfigError`` naming the field,
and the file is untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from config import ConfigError, Settings, load_settings
from config.defaults import toml_value


def to_toml(data: Mapping[str, Any], table: str = "") -> str:
    """TOML text of nested dicts of str, numbers, booleans and lists (no None)."""
    plain = [f"{k} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, Mapping)]
    out = ([f"[{table}]"] if table and plain else []) + plain
    for k, v in data.items():
        if isinstance(v, Mapping):
            sub = to_toml(v, f"{table}.{k}" if table else k)
            if sub:
                out += ([""] if out else []) + [sub]
    return "\n".join(out)


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in changes.items():
        if isinstance(v, Mapping):
            out[k] = _merge(dict(out.get(k) or {}), v)
        elif v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


class SettingsFile:
    """One TOML file of settings (it need not exist yet)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.backup = path.with_name(path.name + ".bak")

    def read(self) -> dict[str, Any]:
        """The file's tables (empty when there is no file yet)."""
        if not self.path.exists():
            return {}
        try:
            with self.path.open("rb") as fh:
                return tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {self.path} cannot be read: {exc}") from None

    def apply(self, changes: Mapping[str, Mapping[str, Any]]) -> Settings:
        """Validate and write the merged settings; return them. Raises ``ConfigError``."""
        data = _merge(self.read(), changes)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                        suffix=".toml")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write("# Written by the kiosk's technician screens; the previous file is "
                        f"{self.backup.name}.\n" + to_toml(data) + "\n")
                f.flush()
                os.fsync(f.fileno())
            try:
                settings = load_settings(tmp)
            except ConfigError as exc:  # name the field, not the temp file
                raise ConfigError(str(exc).replace(f"{tmp}: ", "")) from None
            if self.path.exists():
                shutil.copy2(self.path, self.backup)
            os.replace(tmp, self.path)
            return settings
        finally:
            tmp.unlink(missing_ok=True)
