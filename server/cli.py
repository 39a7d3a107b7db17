"""The `queue-server` console command: serve, migrate, kiosks, staff users, catalogue."""

from __future__ import annotations

import copy
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from config import ConfigError, load_settings
from config.server import QueueServerSettings
from config.voice import VoiceSettings
from server.backup_cli import register_backup_commands

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_DATA_DIR = "./var"


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class Ctx:
    """Settings and data dir of one command run."""

    def __init__(self, settings: QueueServerSettings, data_dir: Path,
                 voice: VoiceSettings | None = None) -> None:
        self.settings = settings
        self.data_dir = data_dir
        self.voice = voice or VoiceSettings()

    def database(self, *, seed: bool = True):  # type: ignore[no-untyped-def]
        from server.bootstrap import prepare_database

        try:
            return prepare_database(self.settings, self.data_dir, seed=seed)
        except Exception as exc:  # a bad URL, an unreachable server, a broken schema
            fail(f"database {self.settings.database_url or self.data_dir / 'queue.db'}: "
                 f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            raise


def with_ctx(func: F) -> F:
    """Add ``--db``, ``--data-dir`` and ``--config`` to a subcommand and pass a ``Ctx``."""

    @click.option("--db", "db_url", envvar="QUEUE_SERVER_DB", default=None,
                  help="Database URL (sqlite:///path or postgresql+psycopg://...). "
                  "Default: SQLite queue.db under the data dir.")
    @click.option("--data-dir", type=click.Path(file_okay=False), envvar="QUEUE_SERVER_DATA_DIR",
                  default=None, help="Folder for the server's state. Default ./var")
    @click.option("--config", "config_file", type=click.Path(dir_okay=False),
                  envvar="KIOSK_CONFIG", default=None,
                  help="TOML settings file (section [server]). Default: shipped defaults.")
    @functools.wraps(func)
    def wrapper(*args: Any, db_url: str | None, data_dir: str | None,
                config_file: str | None, **kwargs: Any) -> Any:
        try:
            everything = load_settings(config_file)
            settings = everything.server
        except ConfigError as exc:
            fail(f"invalid configuration: {exc}", code=2)
            raise
        if db_url:
            settings = settings.model_copy(update={"database_url": db_url})
        root = Path(data_dir or DEFAULT_DATA_DIR)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"data dir {root} cannot be created: {exc.strerror}", code=2)
        return func(Ctx(settings, root.resolve(), everything.voice), *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="facekiosk", prog_name="queue-server")
def cli() -> None:
    """Central queue server: numbering, counters, display board, survey and reports."""


@cli.command()
@with_ctx
@click.option("--host", default=None, help="Address to listen on. Default 127.0.0.1")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="TCP port. Default 8000")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes (needs PostgreSQL for more than one).")
@click.option("--access-log/--no-access-log", default=False, help="Log every request.")
def serve(ctx: Ctx, host: str | None, port: int | None, workers: int | None,
          access_log: bool) -> None:
    """Run the server (migrates an empty database and loads the default catalogue)."""
    import uvicorn

    from server.app import create_app

    updates = {k: v for k, v in {"host": host, "port": port, "workers": workers}.items()
               if v is not None}
    settings = ctx.settings.model_copy(update=updates)
    db = ctx.database()
    db.dispose()
    where = settings.database_url or f"sqlite:///{ctx.data_dir / 'queue.db'}"
    click.echo(f"queue-server: http://{settings.host}:{settings.port} database {where}",
               err=True)
    common: dict[str, Any] = {"host": settings.host, "port": settings.port,
                              "access_log": access_log, "log_level": "warning",
                              "timeout_graceful_shutdown": 3}
    if settings.workers > 1:
        if "sqlite" in where.split(":", 1)[0]:
            fail("several workers need PostgreSQL (--db postgresql+psycopg://...)", 2)
        os.environ["QUEUE_SERVER_SETTINGS_JSON"] = settings.model_dump_json()
        os.environ["QUEUE_SERVER_DATA_DIR"] = str(ctx.data_dir)
        os.environ["QUEUE_SERVER_VOICE_JSON"] = ctx.voice.model_dump_json()
        uvicorn.run("server.app:create_app_from_env", factory=True, workers=settings.workers,
                    **common)
    else:
        uvicorn.run(create_app(settings, data_dir=ctx.data_dir, seed=False, serving=True,
                               voice=ctx.voice),
                    **common)


@cli.command()
@with_ctx
def migrate(ctx: Ctx) -> None:
    """Bring the database schema up to date (and load the default catalogue if empty)."""
    from server.db import current_revision

    db = ctx.database()
    click.echo(f"schema at revision {current_revision(db.engine)}")
    db.dispose()


def _site(session, code: str | None):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from server.models import Site

    stmt = (sa.select(Site).where(Site.code == code) if code
            else sa.select(Site).order_by(Site.id).limit(1))
    site = session.scalar(stmt)
    if site is None:
        fail(f"no site {code!r}")
    return site


@cli.group()
def kiosk() -> None:
    """Kiosks and their tokens."""


@kiosk.command("add")
@with_ctx
@click.argument("name")
@click.option("--site", "site_code", default=None, help="Site code. Default: the first site.")
def kiosk_add(ctx: Ctx, name: str, site_code: str | None) -> None:
    """Register a kiosk; its token is printed once, as the last line."""
    from server.models import Kiosk
    from server.security import hash_token, new_token

    if not 1 <= len(name) <= 100:
        fail("kiosk name must be 1 to 100 characters", 2)
    db = ctx.database()
    token = new_token()
    with db.session() as s:
        site = _site(s, site_code)
        k = Kiosk(site_id=site.id, name=name, token_hash=hash_token(token))
        s.add(k)
        s.flush()
        kid, scode = k.id, site.code
    db.dispose()
    click.echo(f"kiosk {name!r} (id {kid}) added to site {scode}; its token, shown only now:")
    click.echo(token)


@kiosk.command("list")
@with_ctx
def kiosk_list(ctx: Ctx) -> None:
    """List kiosks (tokens cannot be shown: only their hashes are stored)."""
    import sqlalchemy as sa

    from server.models import Kiosk, Site

    db = ctx.database()
    with db.read_session() as s:
        for k, code in s.execute(sa.select(Kiosk, Site.code).join(Site).order_by(Kiosk.id)):
            click.echo(f"{k.id}\t{code}\t{'active' if k.active else 'disabled'}\t{k.name}")
    db.dispose()


@kiosk.command("disable")
@with_ctx
@click.argument("kiosk_id", type=int)
def kiosk_disable(ctx: Ctx, kiosk_id: int) -> None:
    """Revoke a kiosk's token."""
    from server.models import Kiosk

    db = ctx.database()
    with db.session() as s:
        k = s.get(Kiosk, kiosk_id)
        if k is None:
            fail(f"no kiosk {kiosk_id}")
        k.active = False
    db.dispose()
    click.echo(f"kiosk {kiosk_id} disabled")


@cli.group()
def user() -> None:
    """Staff users (counter staff, managers, admins)."""


@user.command("add")
@with_ctx
@click.argument("username")
@click.option("--role", type=click.Choice(["staff", "manager", "admin"]), default="staff",
              show_default=True)
@click.option("--password", envvar="QUEUE_SERVER_PASSWORD", default=None,
              help="Password (else asked for; or set QUEUE_SERVER_PASSWORD).")
@click.option("--full-name", default="", help="Name shown in the console.")
@click.option("--site", "site_code", default=None,
              help="Site code. Default: the first site; admins of every site: --site '*'.")
def user_add(ctx: Ctx, username: str, role: str, password: str | None, full_name: str,
             site_code: str | None) -> None:
    """Add a staff user (or reset an existing user's password, role and site)."""
    import sqlalchemy as sa

    from server.domain.audit import audit
    from server.models import User
    from server.security import hash_password
    from server.sessions import end_user_sessions

    if not 1 <= len(username) <= 64:
        fail("username must be 1 to 64 characters", 2)
    if password is None:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        fail("password must have at least 8 characters", 2)
    db = ctx.database()
    with db.session() as s:
        site_id = None if site_code == "*" else _site(s, site_code).id
        u = s.scalar(sa.select(User).where(User.username == username))
        verb = "updated"
        if u is None:
            u = User(username=username)
            s.add(u)
            verb = "added"
        u.role, u.full_name, u.site_id, u.active = role, full_name, site_id, True
        u.password_hash = hash_password(password)
        s.flush()
        ended = end_user_sessions(s, u.id)  # a new password ends the old log-ins
        audit(s, None, f"user_{verb}", site_id=site_id, detail=f"{username} as {role} (CLI)")
    db.dispose()
    click.echo(f"user {username!r} {verb} ({role})"
               + (f"; {ended} session(s) ended" if ended else ""))


@user.command("disable")
@with_ctx
@click.argument("username")
def user_disable(ctx: Ctx, username: str) -> None:
    """Disable a staff user: their sessions end now and they cannot log in again (until
    `user add` sets a new password)."""
    import sqlalchemy as sa

    from server.domain.audit import audit
    from server.models import User
    from server.sessions import end_user_sessions

    db = ctx.database()
    with db.session() as s:
        u = s.scalar(sa.select(User).where(User.username == username))
        if u is None:
            db.dispose()
            fail(f"no user {username!r}", 2)
            return
        u.active = False
        ended = end_user_sessions(s, u.id)
        audit(s, None, "user_disabled", site_id=u.site_id, detail=f"{username} (CLI)")
    db.dispose()
    click.echo(f"user {username!r} disabled; {ended} session(s) ended")


@cli.group()
def services() -> None:
    """The catalogue of services."""


@services.command("load")
@with_ctx
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--site", "site_code", default=None, help="Site code. Default: the first site.")
def services_load(ctx: Ctx, file: str, site_code: str | None) -> None:
    """Replace the catalogue with FILE (TOML or JSON; see docs/server.md)."""
    from server.catalogue import CatalogueError, apply_catalogue, read_catalogue

    try:
        catalogue = read_catalogue(file)
    except CatalogueError as exc:
        fail(str(exc), 2)
        raise
    db = ctx.database()
    with db.session() as s:
        counts = apply_catalogue(s, _site(s, site_code), catalogue)
    db.dispose()
    click.echo(f"catalogue loaded: {counts['created']} created, {counts['updated']} updated, "
               f"{counts['deactivated']} deactivated")


@services.command("list")
@with_ctx
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def services_list(ctx: Ctx, as_json: bool) -> None:
    """Print the active services of every site."""
    import sqlalchemy as sa

    from server.models import Service, Site

    db = ctx.database()
    rows = []
    with db.read_session() as s:
        for svc, code in s.execute(sa.select(Service, Site.code).join(Site).where(
                Service.active.is_(True)).order_by(Site.id, Service.sort_order)):
            rows.append({"site": code, "code": svc.code, "prefix": svc.prefix,
                         "name_vi": svc.name_vi, "name_en": svc.name_en,
                         "counters": [c.number for c in svc.counters]})
    db.dispose()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            counters = ",".join(map(str, r["counters"]))
            click.echo(f"{r['site']}\t{r['code']}\t{r['prefix']}\t{counters}\t{r['name_vi']}"
                       f" / {r['name_en']}")


def _announce_command() -> click.Command:
    """``voice.cli.announce`` as ``queue-server announce``: the same command, with its data
    dir and settings file following the server's (QUEUE_SERVER_DATA_DIR, KIOSK_CONFIG), so
    the default pack it uses is the one the board's audio comes from."""
    from voice.cli import announce

    command = copy.copy(announce)
    params = []
    for param in command.params:
        if param.name in ("data_dir", "config_file"):
            param = copy.copy(param)
            param.envvar = ("QUEUE_SERVER_DATA_DIR" if param.name == "data_dir"
                            else "KIOSK_CONFIG")
            param.show_envvar = True
        params.append(param)
    command.params = params
    return command


cli.add_command(_announce_command(), "announce")


register_backup_commands(cli, with_ctx, fail)


def main() -> None:
    """Entry point of the `queue-server` command."""
    cli()
