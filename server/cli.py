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
    from server.domain.kiosks import new_kiosk
    from server.errors import QueueError

    if not 1 <= len(name) <= 100:
        fail("kiosk name must be 1 to 100 characters", 2)
    db = ctx.database()
    try:
        with db.session() as s:
            site = _site(s, site_code)
            # a token whose emergency number slot no other kiosk of the site uses
            k, token = new_kiosk(s, site.id, name, site.code)
            kid, scode = k.id, site.code
    except QueueError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    click.echo(f"kiosk {name!r} (id {kid}) added to site {scode}; its token, shown only now:")
    click.echo(token)


@kiosk.command("list")
@with_ctx
def kiosk_list(ctx: Ctx) -> None:
    """List kiosks: id, site, state, emergency number slot, name (tokens cannot be shown:
    only their hashes are stored). Active kiosks of a site sharing a slot (added before
    slots were drawn apart) are marked: give one of them a new token (`kiosk add`)."""
    import sqlalchemy as sa

    from server.domain.kiosks import slot_of_hash
    from server.models import Kiosk, Site

    db = ctx.database()
    with db.read_session() as s:
        rows = s.execute(sa.select(Kiosk, Site.code).join(Site).order_by(Kiosk.id)).all()
    db.dispose()
    first: dict[tuple[str, int], int] = {}
    for k, code in rows:
        slot = slot_of_hash(k.token_hash)
        shared = ""
        if k.active:
            other = first.setdefault((code, slot), k.id)
            if other != k.id:
                shared = f"\t(shares emergency slot {slot} with kiosk {other}: add it again)"
        click.echo(f"{k.id}\t{code}\t{'active' if k.active else 'disabled'}\tslot {slot}"
                   f"\t{k.name}{shared}")


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


@cli.group()
def citizens() -> None:
    """The citizen registry: list, show, export, delete (erasure), retention."""


def _registry_sealer(ctx: Ctx, s):  # type: ignore[no-untyped-def]
    from server.registry_key import open_sealer
    from ticketing.sealing import KeyFileError

    try:
        return open_sealer(s, ctx.settings, ctx.data_dir)
    except KeyFileError as exc:
        fail(str(exc), 2)


def _registry_call(ctx: Ctx, action: Callable[..., Any], *args: Any) -> Any:
    """Run ``action(session, *args)`` in one write transaction; a registry error is one line."""
    from server.domain.citizens import RegistryError
    from ticketing.sealing import InvalidTag

    db = ctx.database()
    try:
        with db.session() as s:
            return action(s, *args)
    except RegistryError as exc:
        fail(str(exc), 1)
    except InvalidTag:
        fail("a stored template or id number does not open with the registry key "
             "(corrupt, or sealed with another key)", 2)
    finally:
        db.dispose()


@citizens.command("list")
@with_ctx
@click.option("--search", "text", default=None,
              help="Names containing this text, or the last 4 digits of the id number.")
@click.option("--site", "site_code", default=None, help="Only this site. Default: every site.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--actor", default=lambda: os.environ.get("USER", "cli"),
              help="Who is asking, for the audit log. Default: the OS user.")
def citizens_list(ctx: Ctx, text: str | None, site_code: str | None, as_json: bool,
                  actor: str) -> None:
    """List enrolled citizens (id numbers masked). The search is audited."""
    from server.domain.citizens import audit_citizen, search

    def run(s):  # type: ignore[no-untyped-def]
        site_id = _site(s, site_code).id if site_code else None
        rows = search(s, site_id, text, limit=10_000_000)
        audit_citizen(s, site_id, None, actor, "search", f"{len(rows)} result(s) (CLI)")
        return rows

    rows = _registry_call(ctx, run)
    for c in rows:
        if as_json:
            click.echo(json.dumps(c, ensure_ascii=False))
        else:
            click.echo(f"{c['citizen_id']:>7}  {c['name']:<30} {c['id_number']}  "
                       f"{c['date_of_birth'] or '-'}  {c['priority_group']:<9} "
                       f"{c['templates']} template(s)  seen {c['last_seen_at'][:10]}")
    if not rows and not as_json:
        click.echo("no citizens enrolled", err=True)


@citizens.command("show")
@with_ctx
@click.argument("citizen_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--actor", default=lambda: os.environ.get("USER", "cli"),
              help="Who is asking, for the audit log. Default: the OS user.")
def citizens_show(ctx: Ctx, citizen_id: int, actor: str) -> None:
    """One citizen as JSON (id masked, consents). The viewing is audited."""
    from server.domain.citizens import show

    click.echo(json.dumps(_registry_call(ctx, show, None, citizen_id, actor),
                          ensure_ascii=False, indent=2))


@citizens.command("export")
@with_ctx
@click.argument("citizen_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--actor", default=lambda: os.environ.get("USER", "cli"),
              help="Who is asking, for the audit log. Default: the OS user.")
def citizens_export(ctx: Ctx, citizen_id: int, actor: str) -> None:
    """Everything held about one citizen as JSON, to hand to that citizen (right of
    access): it holds the full id number and face templates. Audited."""
    from server.domain.citizens import export

    def run(s):  # type: ignore[no-untyped-def]
        return export(s, _registry_sealer(ctx, s), None, citizen_id, actor)

    click.echo(json.dumps(_registry_call(ctx, run), ensure_ascii=False, indent=2))


@citizens.command("delete")
@with_ctx
@click.argument("citizen_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--actor", default=lambda: os.environ.get("USER", "cli"),
              help="Who is doing this, for the audit log. Default: the OS user.")
def citizens_delete(ctx: Ctx, citizen_id: int, yes: bool, actor: str) -> None:
    """Erase a citizen: record, consents and face templates; every kiosk drops them at its
    next sync."""
    from server.domain.citizens import erase, get_citizen

    def ask(s):  # type: ignore[no-untyped-def]
        c = get_citizen(s, None, citizen_id)
        return f"{c.full_name} ({c.id_number_masked})"

    who = _registry_call(ctx, ask)
    if not yes and not click.confirm(f"Erase {who} and all their face data?", default=False):
        fail("not deleted")
    n = _registry_call(ctx, erase, None, citizen_id, actor)
    click.echo(f"erased citizen {citizen_id} and {n} template(s)")


@citizens.command("retention")
@with_ctx
@click.option("--days", type=click.IntRange(1, 36500), default=None,
              help="Erase citizens not seen for this many days, at every site. Default: each "
              "site's setting (admin page), else server.registry_retention_days (0: off).")
def citizens_retention(ctx: Ctx, days: int | None) -> None:
    """The daily retention job (run it from a timer): erase citizens not seen for the
    configured number of days. Off by default."""
    from server.domain.citizens import run_retention

    done = _registry_call(ctx, run_retention, ctx.settings.registry_retention_days, days)
    if not done:
        click.echo("retention is off (server.registry_retention_days = 0 and no site sets "
                   "its own): nothing erased")
        return
    for code, n in done.items():
        click.echo(f"{code}: erased {n} citizen(s) not seen for the site's retention period")


@cli.group()
def keys() -> None:
    """The key that seals the citizen registry."""


@keys.command("rotate")
@with_ctx
def keys_rotate(ctx: Ctx) -> None:
    """Make a new registry key and re-seal every template and id number with it (one
    transaction). Needs the key file (not QUEUE_SERVER_REGISTRY_KEY)."""
    import secrets

    from server.domain.citizens import reseal_all
    from server.models import AppSecret
    from server.registry_key import ENV_KEY, FINGERPRINT, key_path, open_sealer
    from ticketing.sealing import KeyFileError, Sealer, key_fingerprint, write_key_file

    if os.environ.get(ENV_KEY):
        fail(f"the key comes from {ENV_KEY}: rotation writes a new key file, so put the "
             "current key in server.registry_key_file and unset the variable first", 2)
    path = key_path(ctx.settings, ctx.data_dir)
    pending = path.with_name(path.name + ".new")
    db = ctx.database()
    try:
        with db.session() as s:
            try:
                old = open_sealer(s, ctx.settings, ctx.data_dir)
            except KeyFileError as exc:
                fail(str(exc), 2)
                raise
            if pending.exists():
                if key_fingerprint(pending.read_bytes()) == old.fingerprint:
                    os.replace(pending, path)  # a rotation committed but not finished
                    click.echo(f"finished an earlier rotation (fingerprint {old.fingerprint});"
                               " run again to rotate once more")
                    return
                pending.unlink()  # left by a rotation that never committed
            new_key = secrets.token_bytes(32)
            write_key_file(pending, new_key)
            new = Sealer(new_key)
            counts = reseal_all(s, old, new)
            row = s.get(AppSecret, FINGERPRINT)
            assert row is not None
            row.value = new.fingerprint
    finally:
        db.dispose()
    os.replace(pending, path)  # after the commit: the .new file matched until now
    click.echo(f"registry key rotated (fingerprint {new.fingerprint}): "
               f"{counts[0]} id number(s) and {counts[1]} template(s) re-sealed")


def main() -> None:
    """Entry point of the `queue-server` command."""
    cli()
