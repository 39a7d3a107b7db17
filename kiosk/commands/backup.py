"""`kiosk backup FILE` and `kiosk restore FILE`: the kiosk's database, its key apart."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.context import KioskContext, fail, with_context


def _paths(ctx: KioskContext) -> tuple[Path, Path]:
    from kiosk.backup import BackupError, sqlite_path
    from kiosk.db import database_url

    try:
        db = sqlite_path(database_url(ctx.settings, ctx.data_dir))
    except BackupError as exc:
        fail(str(exc))
        raise
    return db, ctx.path(ctx.settings.storage.key_file or "face.key")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--with-key", is_flag=True,
              help="Also write the face key to FILE.key (mode 0600); store it apart.")
@with_context
def backup(ctx: KioskContext, file: str, with_key: bool) -> None:
    """Write a consistent snapshot of the kiosk database to FILE (0600), even while running.

    The face key is not in the snapshot.
    """
    from kiosk.backup import BackupError, backup_database, key_backup

    db, key = _paths(ctx)
    dest = Path(file)
    try:
        result = backup_database(db, dest)
    except BackupError as exc:
        fail(str(exc))
        raise
    click.echo(f"kiosk snapshot written to {dest} ({result.size} bytes)")
    if with_key:
        if not key.exists():
            click.echo(f"no face key at {key} (no faces enrolled yet): nothing else to keep")
            return
        try:
            written = key_backup(key, dest.with_name(dest.name + ".key"))
        except BackupError as exc:
            fail(str(exc))
            raise
        click.echo(f"face key written to {written} (0600): store it apart from the snapshot")
    else:
        click.echo(f"NOT in the snapshot: the face key {key}. Without it the enrolled faces "
                   "cannot be opened; keep a copy apart (or use --with-key)")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A face key written by `backup --with-key`, installed as the kiosk's key "
              "(a different key there is kept as <key>.replaced-<time>).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_context
def restore(ctx: KioskContext, file: str, key_file: str | None, yes: bool) -> None:
    """Replace the kiosk database by the snapshot FILE. Stop the kiosk first."""
    from kiosk.backup import BackupError, key_restore, restore_database

    db, key = _paths(ctx)
    if not yes:
        click.confirm(f"replace the kiosk database {db} by {file}?", abort=True)
    try:
        result = restore_database(Path(file), db)
    except BackupError as exc:
        fail(str(exc))
        raise
    click.echo(f"kiosk database restored from {file} ({result.size} bytes)")
    if key_file:
        try:
            kept = key_restore(Path(key_file), key)
        except BackupError as exc:
            fail(f"database restored, but the key was not: {exc}")
            raise
        click.echo(f"face key installed at {key}" +
                   (f" (the previous one kept as {kept.name})" if kept else ""))
    elif not key.exists():
        click.echo(f"no face key at {key}: enrolled faces stay unreadable until you restore "
                   "it (`kiosk restore FILE --key FILE.key`)")
