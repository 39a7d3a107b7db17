"""What every `kiosk` subcommand gets: the data dir and the validated settings."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from config import ConfigError, Settings, load_settings

DEFAULT_DATA_DIR = "./var"
#: The kiosk's own config in its data dir (written by the technician's screens), read at
#: start when no --config is given.
LOCAL_CONFIG = "kiosk.toml"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class KioskContext:
    """One kiosk's state folder and its settings."""

    data_dir: Path
    settings: Settings
    #: The TOML file the settings came from (None: the shipped defaults).
    config_file: Path | None = None

    def path(self, name: str) -> Path:
        """A path under the data dir (absolute paths are returned unchanged)."""
        p = Path(name)
        return p if p.is_absolute() else self.data_dir / p


def open_context(data_dir: str | Path | None, config_file: str | Path | None) -> KioskContext:
    """Load settings and make sure the data dir exists; raise ``ConfigError`` on bad input.

    Without ``config_file``, ``<data dir>/kiosk.toml`` is used when it exists, else the
    shipped defaults.
    """
    root = Path(data_dir or os.environ.get("KIOSK_DATA_DIR") or DEFAULT_DATA_DIR)
    if config_file is None and (root / LOCAL_CONFIG).is_file():
        config_file = root / LOCAL_CONFIG
    settings = load_settings(config_file)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"data dir {root} cannot be created: {exc.strerror}") from None
    return KioskContext(data_dir=root.resolve(), settings=settings,
                        config_file=Path(config_file).resolve() if config_file else None)


def fail(message: str, code: int = 1) -> None:
    """Print one line for the user on stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def with_context(func: F) -> F:
    """Add ``--data-dir`` and ``--config`` to a subcommand and pass it a ``KioskContext``.

    A bad config stops the command with one line naming the field, exit code 2.
    """

    @click.option(
        "--data-dir",
        type=click.Path(file_okay=False),
        envvar="KIOSK_DATA_DIR",
        default=None,
        help="Folder for all of this kiosk's state (database, logs, tickets). Default ./var",
    )
    @click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        envvar="KIOSK_CONFIG",
        default=None,
        help="TOML settings file. Default: the shipped config/defaults.toml",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, data_dir: str | None, config_file: str | None, **kwargs: Any) -> Any:
        try:
            ctx = open_context(data_dir, config_file)
        except ConfigError as exc:
            fail(f"invalid configuration: {exc}", code=2)
        return func(ctx, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
