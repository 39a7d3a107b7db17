"""`kiosk enrol | identify | import | people | calibrate`: the registry from the shell."""

from __future__ import annotations

import csv
import getpass
import io
import json
import sys
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.context import KioskContext, fail, with_context
from kiosk.priority import PriorityGroup

if TYPE_CHECKING:
    from kiosk.adapters.registry_sync import RegistrySync
    from kiosk.enrolment import EnrolmentResult, Registry
    from recognition.types import IdentifyResult

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


#: Exit codes of the registry commands (besides 0 and 1, "some input was refused").
EXIT_USAGE = 2  # bad arguments, a bad people.csv, a wrong or damaged key file
EXIT_DATABASE = 3  # the kiosk database cannot be opened or read

MAX_NAME = 120  # the longest Vietnamese full names are under 60 characters


def check_name(value: str, what: str = "name") -> str:
    """A citizen's name, stripped; ``ValueError`` for an empty one, one longer than
    MAX_NAME characters, or one holding control or invisible format characters (line
    breaks, NUL, bidirectional overrides) that would garble a screen, a ticket or a log."""
    name = value.strip()
    if not name:
        raise ValueError(f"{what} is empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"{what} has {len(name)} characters, more than {MAX_NAME}")
    bad = next((ch for ch in name if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")),
               None)
    if bad is not None:
        raise ValueError(f"{what} holds a control character (U+{ord(bad):04X})")
    return name


def _database_failure(exc: BaseException) -> None:
    """One line for a kiosk database that cannot be read (corrupt, not a database)."""
    first = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    fail(f"the kiosk database cannot be read ({first}); restore it from a backup or move "
         "it away to start an empty one", code=EXIT_DATABASE)


def _registry(ctx: KioskContext) -> Registry:
    # Imported here: the engine pulls in dlib, which `kiosk --help` should not pay for.
    import sqlalchemy.exc
    from cryptography.exceptions import InvalidTag

    from kiosk.crypto import KeyFileError
    from kiosk.enrolment import Registry

    try:
        return Registry(ctx)
    except KeyFileError as exc:
        fail(str(exc), code=EXIT_USAGE)
    except InvalidTag:
        fail("the face key does not open this database's templates: it is another kiosk's "
             "key or was replaced; restore the key file that belongs to this database",
             code=EXIT_USAGE)
    except sqlalchemy.exc.DatabaseError as exc:
        _database_failure(exc)


def _server_sync(ctx: KioskContext, registry: Registry) -> RegistrySync | None:
    """The registry sync with the queue server (None: a standalone kiosk)."""
    from kiosk.adapters.registry_sync import RegistrySync
    from kiosk.adapters.server_client import QueueClient, ServerError, read_token
    from kiosk.replica import Replica

    sync = ctx.settings.sync
    if not sync.server_url:
        return None
    try:
        token = read_token(sync, ctx.data_dir)
    except ServerError as exc:
        fail(str(exc), code=2)
    client = QueueClient(sync.server_url, token, sync.request_timeout_s)
    return RegistrySync(client, Replica(registry.store, registry.index))


def _server_answer(sync: RegistrySync, result: EnrolmentResult) -> dict[str, Any]:
    """Push the queued enrolment now (and pull); what the server said, or that it waits."""
    assert result.queued is not None
    rnd = sync.round()
    answer = sync.replica.answer_of(result.queued)
    out = result.to_json()
    out["server"] = answer
    if answer is None:
        out["waiting"] = ("kept in the kiosk's outbox; sent at the next sync"
                          + (f" ({rnd.error})" if rnd.error else ""))
    elif rnd.error:
        out["sync_error"] = rnd.error
    return out


def _actor_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--actor", default=lambda: getpass.getuser(), show_default="the OS user",
        help="Who is doing this, for the audit log.",
    )(func)


def _dob(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 1961-08-04") from None


PRIORITY = click.Choice([p.value for p in PriorityGroup])


def _sex(value: str | None) -> str | None:
    """"male"/"female" from the card's word; a word that is neither is refused (not
    guessed); nothing given: None."""
    from kiosk.model import sex_from_text

    if not value or not value.strip():
        return None
    sex = sex_from_text(value)
    if sex is None:
        fail(f"--sex: {value!r} is not Nam / Nữ (male / female); leave it out when the card "
             "does not say", code=EXIT_USAGE)
    return sex


@click.command()
@click.option("--name", required=True, help="Full name as on the ID card.")
@click.option("--id-number", required=True, help="12-digit CCCD number.")
@click.option("--dob", help="Date of birth, YYYY-MM-DD.")
@click.option("--priority", type=PRIORITY, default="none", help="Priority group.")
@click.option("--display-name", help="The name the citizen wants the kiosk to greet them by.")
@click.option("--sex", help="As on the ID card (Nam / Nữ, male / female): the kiosk greets "
              "with Ông / Bà. Left out: no salutation.")
@click.option("--photo", "photos", multiple=True, required=True, type=click.Path(),
              help="A photo of the face; repeat for several samples.")
@click.option("--face-crop", is_flag=True, help="Photos are already face crops (ID-card photo).")
@click.option("--consent", is_flag=True,
              help="Confirms the citizen gave explicit consent to face enrolment.")
@_actor_option
@with_context
def enrol(
    ctx: KioskContext, name: str, id_number: str, dob: str | None, priority: str,
    display_name: str | None, sex: str | None, photos: tuple[str, ...], face_crop: bool,
    consent: bool, actor: str,
) -> None:
    """Enrol a citizen from photos; prints a JSON summary."""
    from kiosk.id_card import IdNumberError

    if not consent:
        fail("face data is stored only with the citizen's consent: add --consent once they "
             "have agreed (signed the consent form)", code=2)
    try:
        name = check_name(name)
        display_name = check_name(display_name, "display name") if display_name else None
    except ValueError as exc:
        fail(f"--name: {exc}", code=EXIT_USAGE)
    the_sex = _sex(sex)
    registry = _registry(ctx)
    sync = _server_sync(ctx, registry)
    try:
        result = registry.enrol_photos(
            full_name=name, id_number=id_number, photos=list(photos), actor=actor,
            date_of_birth=_dob(dob), priority_group=PriorityGroup(priority),
            display_name=display_name, face_crop=face_crop,
            outbox=sync.replica if sync else None, sex=the_sex,
        )
        out = _server_answer(sync, result) if sync and result.queued else result.to_json()
    except IdNumberError as exc:
        fail(f"--id-number: {exc}", code=2)
    finally:
        if sync:
            sync.client.close()
        registry.close()
    click.echo(json.dumps(out, ensure_ascii=False))
    if result.refused:
        fail(f"nothing stored: {result.refused}")
    answer = out.get("server") or {}
    if answer.get("result") in ("refused", "error"):
        fail(f"the server refused the enrolment: {answer.get('reason')}")


def _describe(result: IdentifyResult, names: dict[int, str]) -> str:
    if result.match:
        name = names.get(result.match.citizen_id, "?")
        return (f"{name} (citizen {result.match.citizen_id}, "
                f"distance {result.match.distance:.3f})")
    faces = f"{result.faces} face" + ("" if result.faces == 1 else "s")
    return f"{result.reason} ({faces})"


@click.command()
@click.argument("photos", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--face-crop", is_flag=True, help="Photos are already face crops.")
@with_context
def identify(ctx: KioskContext, photos: tuple[str, ...], as_json: bool, face_crop: bool) -> None:
    """Identify the citizen in each photo (one line per photo)."""
    from recognition.images import ImageError

    registry = _registry(ctx)
    names = {c.id: c.full_name for c in registry.store.list(limit=10_000_000)}
    failed = 0
    try:
        for photo in photos:
            try:
                result = registry.identify_photo(photo, face_crop=face_crop)
            except ImageError as exc:
                failed += 1
                if as_json:
                    click.echo(json.dumps({"file": photo, "faces": 0, "match": None,
                                           "reason": None, "error": str(exc)}))
                else:
                    click.echo(f"error: {exc}", err=True)
                continue
            if as_json:
                match = None
                if result.match:
                    match = {"citizen_id": result.match.citizen_id,
                             "name": names.get(result.match.citizen_id),
                             "distance": round(result.match.distance, 4)}
                click.echo(json.dumps({
                    "file": photo, "faces": result.faces, "match": match,
                    "reason": None if result.reason is None else str(result.reason),
                }, ensure_ascii=False))
            else:
                click.echo(f"{photo}: {_describe(result, names)}")
    finally:
        registry.close()
    if failed:
        sys.exit(1)


def _decode_csv(path: Path) -> str:
    """The text of a CSV file as spreadsheets save it: UTF-8 (with or without BOM) or
    UTF-16 with BOM ("Unicode text" in Excel)."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        fail(f"{path}: not UTF-8 or UTF-16 text (byte {exc.start}); save it as "
             "\"CSV UTF-8\"", code=EXIT_USAGE)
        raise  # not reached


def _read_people_csv(path: Path) -> tuple[dict[str, dict[str, str]], list[dict[str, object]]]:
    """The rows of people.csv by folder, and the problems found: a folder listed twice
    (neither row is used: which one is right?) or a row without folder name."""
    if not path.is_file():
        return {}, []
    text = _decode_csv(path)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        need = {"folder", "name", "id_number"}
        fields = [f.strip() for f in reader.fieldnames or []]
        reader.fieldnames = fields
        if not need <= set(fields):
            fail(f"{path}: needs the columns folder,name,id_number "
                 "(and optionally dob, priority)", code=EXIT_USAGE)
        rows: dict[str, dict[str, str]] = {}
        problems: list[dict[str, object]] = []
        twice: set[str] = set()
        for row in reader:
            folder = (row.get("folder") or "").strip()
            if not folder:
                problems.append({"line": reader.line_num, "reason": "no folder name"})
            elif folder in rows or folder in twice:
                twice.add(folder)
                rows.pop(folder, None)
            else:
                rows[folder] = row
    except csv.Error as exc:
        fail(f"{path}: not a readable CSV ({exc})", code=EXIT_USAGE)
    problems += [{"folder": f, "reason": "listed twice in people.csv; fix the file (neither "
                  "row was used)"} for f in sorted(twice)]
    return rows, problems


@click.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--people-csv", type=click.Path(dir_okay=False),
              help="CSV with folder,name,id_number[,dob,priority,sex]. Default DIR/people.csv")
@click.option("--face-crop", is_flag=True, help="Photos are already face crops.")
@click.option("--max-photos", type=click.IntRange(1, 1000), default=None,
              help="Use at most this many photos per person (sorted by name).")
@click.option("--consent", is_flag=True,
              help="Confirms every citizen listed gave explicit consent.")
@_actor_option
@with_context
def import_dir(
    ctx: KioskContext, directory: str, people_csv: str | None, face_crop: bool,
    max_photos: int | None, consent: bool, actor: str,
) -> None:
    """Bulk enrolment: one sub-folder of photos per person; names and id numbers from
    people.csv. Prints a progress bar, then a JSON summary."""
    from tqdm import tqdm

    from kiosk.id_card import IdNumberError
    from kiosk.model import sex_from_text

    if not consent:
        fail("face data is stored only with consent: add --consent once every citizen in "
             "the folder has agreed", code=2)
    root = Path(directory)
    people, skipped = _read_people_csv(
        Path(people_csv) if people_csv else root / "people.csv")
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    names = {f.name for f in folders}
    skipped += [{"folder": f, "reason": "listed in people.csv but there is no such folder"}
                for f in sorted(people) if f not in names]
    registry = _registry(ctx)
    sync = _server_sync(ctx, registry)
    queued: dict[str, str] = {}  # client UUID -> folder
    summary: dict[str, object] = {"enrolled": 0, "templates": 0, "skipped": []}
    try:
        for folder in tqdm(folders, desc="import", unit="person", file=sys.stderr):
            row = people.get(folder.name)
            if row is None:
                if not any(s.get("folder") == folder.name for s in skipped):
                    skipped.append({"folder": folder.name, "reason": "not listed in "
                                    "people.csv (a name and id number are needed)"})
                continue
            photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            photos = photos[:max_photos] if max_photos else photos
            try:
                result = registry.enrol_photos(
                    full_name=check_name(row.get("name") or ""),
                    id_number=(row.get("id_number") or "").strip(), photos=photos,
                    actor=actor, date_of_birth=_dob(row.get("dob") or None),
                    priority_group=PriorityGroup(row.get("priority") or "none"),
                    face_crop=face_crop, outbox=sync.replica if sync else None,
                    channel="import", sex=sex_from_text(row.get("sex")),
                )
            except (IdNumberError, ValueError, click.BadParameter) as exc:
                skipped.append({"folder": folder.name, "reason": str(exc)})
                continue
            if result.refused:
                skipped.append({"folder": folder.name, "reason": result.refused,
                                "photos_rejected": [r.to_json() for r in result.rejected]})
                continue
            if result.queued:
                queued[result.queued] = folder.name
                continue
            summary["enrolled"] = int(summary["enrolled"]) + 1
            summary["templates"] = int(summary["templates"]) + result.stored
        if sync is not None:  # through the server: push everything, then read the answers
            rnd = sync.round()
            waiting = []
            for uid, folder_name in queued.items():
                answer = sync.replica.answer_of(uid)
                if answer is None:
                    waiting.append(folder_name)
                elif answer.get("result") in ("created", "added"):
                    summary["enrolled"] = int(summary["enrolled"]) + 1
                    summary["templates"] = int(summary["templates"]) + int(answer["templates"])
                else:
                    skipped.append({"folder": folder_name, "reason": answer.get("reason")})
            summary["via_server"] = True
            summary["waiting_in_outbox"] = waiting
            summary["sync_error"] = rnd.error
    finally:
        if sync is not None:
            sync.client.close()
        registry.close()
    summary["skipped"] = skipped
    click.echo(json.dumps(summary, ensure_ascii=False))


@click.command("replace-face")
@click.option("--citizen", "citizen_id", type=click.IntRange(1, 2**31 - 1), required=True,
              help="The citizen's number in the centre's registry (queue-server citizens "
              "list).")
@click.option("--photo", "photos", multiple=True, required=True, type=click.Path(),
              help="A photo of the citizen's face now; repeat for several samples.")
@click.option("--face-crop", is_flag=True, help="Photos are already face crops.")
@click.option("--admin", "admin_user", required=True,
              help="An administrator of the queue server (replacing a face is an admin "
              "action, audited under this name).")
@click.option("--password", prompt=True, hide_input=True, envvar="QUEUE_SERVER_PASSWORD",
              help="The administrator's password (asked when not given).")
@with_context
def replace_face(ctx: KioskContext, citizen_id: int, photos: tuple[str, ...], face_crop: bool,
                 admin_user: str, password: str) -> None:
    """Replace a citizen's face in the centre's registry with new photos (their old
    templates are erased at the server and on every kiosk at its next sync). Prints JSON."""
    import httpx

    server_url = ctx.settings.sync.server_url
    if not server_url:
        fail("this kiosk is standalone: delete the citizen (`kiosk people delete`) and enrol "
             "them again", code=2)
    registry = _registry(ctx)
    try:
        samples = [registry.sample(p, face_crop=face_crop) for p in photos]
    finally:
        registry.close()
    from kiosk.enrolment import Rejected
    from kiosk.replica import encode_vector

    rejected = [s.to_json() for s in samples if isinstance(s, Rejected)]
    good = [encode_vector(s.vector) for s in samples if not isinstance(s, Rejected)]
    if not good:
        click.echo(json.dumps({"photos_rejected": rejected}, ensure_ascii=False))
        fail("nothing replaced: no photo passed the quality check")
    timeout = ctx.settings.sync.request_timeout_s
    try:
        with httpx.Client(base_url=server_url.rstrip("/"), timeout=timeout) as http:
            r = http.post("/api/v1/auth/login",
                          json={"username": admin_user, "password": password})
            if r.status_code != 200:
                fail(f"the queue server refused the log-in of {admin_user!r} "
                     f"({r.status_code})", code=2)
            r = http.post(f"/api/v1/registry/citizens/{citizen_id}/replace-face",
                          json={"templates": good})
            http.post("/api/v1/auth/logout")
    except httpx.HTTPError as exc:
        fail(f"queue server {server_url} unreachable ({exc}); nothing replaced", code=2)
    try:
        answer = r.json()
    except ValueError:
        answer = {"detail": r.text[:200]}
    if r.status_code != 200:
        fail(f"nothing replaced: {answer.get('detail')}")
    out = {**answer, "photos_rejected": rejected}
    registry = _registry(ctx)
    sync = _server_sync(ctx, registry)
    try:  # this kiosk's replica now; the others at their next sync
        if sync is not None:
            out["sync_error"] = sync.round().error
    finally:
        if sync is not None:
            sync.client.close()
        registry.close()
    click.echo(json.dumps(out, ensure_ascii=False))


@click.group()
def people() -> None:
    """List, show and delete enrolled citizens."""


@people.command("list")
@click.option("--search", help="Only names containing this text.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_context
def people_list(ctx: KioskContext, search: str | None, as_json: bool) -> None:
    """List enrolled citizens (id numbers masked)."""
    import sqlalchemy.exc

    from kiosk.db import database_url
    from kiosk.registry import RegistryStore
    from kiosk.schema import make_engine

    try:
        engine = make_engine(database_url(ctx.settings, ctx.data_dir))
        try:
            # Listing needs no key: names and masked numbers are stored in the clear.
            rows = RegistryStore(engine, cipher=None).list(search)  # type: ignore[arg-type]
        finally:
            engine.dispose()
    except sqlalchemy.exc.DatabaseError as exc:
        _database_failure(exc)
        return
    for c in rows:
        if as_json:
            click.echo(json.dumps(c.to_json(), ensure_ascii=False))
        else:
            dob = c.date_of_birth.isoformat() if c.date_of_birth else "-"
            click.echo(f"{c.id:>6}  {c.full_name:<30} {c.id_number_masked}  {dob}  "
                       f"{c.priority_group:<9} {c.templates} template(s)")
    if not rows and not as_json:
        click.echo("no citizens enrolled", err=True)


@people.command("show")
@click.argument("citizen_id", type=int)
@_actor_option
@with_context
def people_show(ctx: KioskContext, citizen_id: int, actor: str) -> None:
    """Show one citizen as JSON (the viewing is audited)."""
    registry = _registry(ctx)
    try:
        info = registry.store.get(citizen_id, actor=actor)
    finally:
        registry.close()
    if info is None:
        fail(f"no citizen {citizen_id}")
    click.echo(json.dumps(info.to_json(), ensure_ascii=False))


@people.command("delete")
@click.argument("citizen_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_actor_option
@with_context
def people_delete(ctx: KioskContext, citizen_id: int, yes: bool, actor: str) -> None:
    """Delete a citizen and all their face templates (consent withdrawn)."""
    if ctx.settings.sync.server_url:
        fail("this kiosk replicates the centre's registry: erase the citizen at the queue "
             "server (`queue-server citizens delete ID`); every kiosk drops them at its next "
             "sync", code=2)
    registry = _registry(ctx)
    try:
        info = registry.store.get(citizen_id)
        if info is None:
            fail(f"no citizen {citizen_id}")
        if not yes and not click.confirm(
            f"Delete {info.full_name} ({info.id_number_masked}) and {info.templates} face "
            "template(s)?", default=False,
        ):
            fail("not deleted")
        n = registry.store.delete(citizen_id, actor=actor, index=registry.index)
    finally:
        registry.close()
    click.echo(f"deleted citizen {citizen_id} and {n} template(s)")


@click.command()
@click.option("--target-fmr", type=click.FloatRange(1e-9, 0.5), default=0.001, show_default=True,
              help="Acceptable rate of any false match per 1:N search.")
@with_context
def calibrate(ctx: KioskContext, target_fmr: float) -> None:
    """Genuine/impostor distance distributions and a threshold for a target false-match
    rate at this registry's size, rank-1 and the expected false matches per search at the
    configured threshold (JSON)."""
    from kiosk.calibration import calibrate_registry

    registry = _registry(ctx)
    try:
        result = calibrate_registry(registry, target_fmr)
    finally:
        registry.close()
    if result is None:
        fail("calibration needs at least two enrolled templates")
    out = result.to_json()
    configured = ctx.settings.recognition.match_threshold
    out["configured_threshold"] = configured
    out["expected_false_accepts_at_configured"] = result.false_accepts(configured)
    # What the kiosk matches with now (recognition.target_false_accept, docs/registry.md).
    out["threshold_in_use"] = registry.threshold.threshold
    out["threshold_rule"] = registry.threshold.note
    click.echo(json.dumps(out, indent=2))


@click.command("sync")
@click.option("--reset", is_flag=True,
              help="Forget the replica first (e.g. the kiosk was moved to another server) and "
              "pull the whole registry again.")
@with_context
def sync_cmd(ctx: KioskContext, reset: bool) -> None:
    """Run one registry sync round with the queue server now: push enrolments waiting in
    the outbox, pull the changes. Prints JSON (pulled, pushed, deleted...); exit 1 when
    the round failed (the last good replica is kept)."""
    from kiosk.adapters.registry_sync import RegistrySync
    from kiosk.adapters.server_client import QueueClient, ServerError, read_token
    from kiosk.crypto import FaceCipher, KeyFileError, load_or_create_key
    from kiosk.db import database_url
    from kiosk.registry import RegistryStore
    from kiosk.replica import Replica
    from kiosk.schema import make_engine

    settings = ctx.settings
    if not settings.sync.server_url:
        fail("this kiosk is standalone (sync.server_url is empty): its registry is its own",
             code=2)
    try:
        key = load_or_create_key(ctx.path(settings.storage.key_file or "face.key"))
        token = read_token(settings.sync, ctx.data_dir)
    except (KeyFileError, ServerError) as exc:
        fail(str(exc), code=2)
    engine = make_engine(database_url(settings, ctx.data_dir))
    client = QueueClient(settings.sync.server_url or "", token, settings.sync.request_timeout_s)
    try:
        replica = Replica(RegistryStore(engine, FaceCipher(key)))
        reset_n = replica.reset() if reset else None
        result = RegistrySync(client, replica).round()
    finally:
        client.close()
        engine.dispose()
    out = result.to_json()
    if reset_n is not None:
        out["reset"] = reset_n
    click.echo(json.dumps(out, ensure_ascii=False))
    if result.error:
        sys.exit(1)
