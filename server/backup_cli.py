"""`queue-server backup FILE` and `queue-server restore FILE` (logic in server.backup)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from server.backup import BackupError, backup, copy_private, restore


def _secret_file(ctx: Any) -> Path | None:
    name = ctx.settings.secret_key_file
    if not name:
        return None
    p = Path(name)
    return p if p.is_absolute() else ctx.data_dir / p


def _url(ctx: Any) -> str:
    from server.db import default_sqlite_url

    return ctx.settings.database_url or default_sqlite_url(ctx.data_dir)


def register_backup_commands(group: click.Group, with_ctx: Callable, fail: Callable) -> None:
    """Add ``backup`` and ``restore`` to the ``queue-server`` group.

    ``with_ctx`` and ``fail`` are server.cli's (passed in to avoid a circular import).
    """

    @group.command("backup")
    @with_ctx
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--with-key", is_flag=True,
                  help="Also copy the signing-secret file (if one is configured) to FILE.key "
                  "(mode 0600). Keep it apart from the snapshot.")
    def backup_cmd(ctx: Any, file: str, with_key: bool) -> None:
        """Write a consistent snapshot of the database to FILE (mode 0600), while serving.

        SQLite: the online backup API; PostgreSQL: pg_dump custom format.
        """
        dest = Path(file)
        try:
            result = backup(_url(ctx), dest)
        except BackupError as exc:
            fail(str(exc))
            raise
        click.echo(f"{result.kind} snapshot written to {dest} ({result.size} bytes)")
        secret = _secret_file(ctx)
        if secret is None:
            click.echo("the signing secret is stored in the database: it is in the snapshot")
        elif with_key:
            try:
                copy_private(secret, dest.with_name(dest.name + ".key"))
            except BackupError as exc:
                fail(str(exc))
            click.echo(f"signing secret copied to {dest.name}.key (0600): store it apart "
                       "from the snapshot")
        else:
            click.echo(f"NOT in the snapshot: the signing secret {secret}; keep a copy "
                       "(or use --with-key), or staff sessions and survey links break")

    @group.command("restore")
    @with_ctx
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_cmd(ctx: Any, file: str, yes: bool) -> None:
        """Replace the database's contents by the snapshot FILE. Stop the server first."""
        url = _url(ctx)
        if not yes:
            click.confirm(f"replace everything in {url.split('@')[-1]} by {file}?",
                          abort=True)
        try:
            result = restore(Path(file), url)
        except BackupError as exc:
            fail(f"{exc}; nothing was changed" if "nothing" not in str(exc) else str(exc))
            raise
        click.echo(f"{result.kind} database restored from {file}; "
                   "run `queue-server migrate` if the snapshot came from an older release")
