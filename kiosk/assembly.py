"""The one place the kiosk app is assembled from settings: used by `kiosk run`, the
benchmarks (scripts/bench_kiosk.py) and the tests (tests/support/kiosk_app.py).

It opens the kiosk database, the face key and the registry store once; builds the ticket
store, the issuer (standalone or server), the printer, the camera, recognition (a child
process) and the sync worker; and hands them to the Qt app. Nothing here raises for a
missing camera, printer, server or recognition engine: each falls back to what works and
the screen says so. The only module of ``kiosk`` that imports ``kiosk.ui``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kiosk.adapters.card_holders import CardHolders
from kiosk.adapters.consent_voice import ConsentReader
from kiosk.adapters.identification import RecognitionPlug, citizen_lookup, make_recognition
from kiosk.adapters.issuing import Issuer, ServerIssuer, StandaloneIssuer
from kiosk.adapters.printing import make_printer
from kiosk.adapters.registry_desk import RegistryDesk
from kiosk.adapters.registry_sync import RegistrySync
from kiosk.adapters.server_client import QueueClient, read_token
from kiosk.adapters.speech import NumberSpeaker
from kiosk.adapters.sync import SyncWorker, kiosk_catalogue, server_open_tickets
from kiosk.camera import CameraWorker
from kiosk.context import KioskContext
from kiosk.db import database_url, make_sessionmaker
from kiosk.events import EventLog
from kiosk.replica import Replica
from kiosk.schema import make_engine
from kiosk.tickets import TicketStore
from ticketing.numbers import emergency_slot

if TYPE_CHECKING:
    import sqlalchemy as sa

    from kiosk.registry import RegistryStore
    from kiosk.staff.gate import StaffGate
    from kiosk.ui.app import KioskApp

log = logging.getLogger(__name__)


def open_registry(ctx: KioskContext, db: sa.Engine) -> RegistryStore | None:
    """The registry replica on the already open database, sealed with the face key
    (created on first start); None, logged, when the key cannot be read."""
    try:
        from kiosk.crypto import FaceCipher, load_or_create_key
        from kiosk.registry import RegistryStore

        key = load_or_create_key(ctx.path(ctx.settings.storage.key_file or "face.key"))
        return RegistryStore(db, FaceCipher(key))
    except Exception as exc:
        log.warning("face recognition disabled: %s", exc)
        return None


def open_staff_gate(ctx: KioskContext) -> StaffGate:
    """Staff login for this kiosk: PIN, lockout and audit under the data dir; accounts
    checked on the queue server when one is configured."""
    from kiosk.adapters.staff_accounts import ServerAccounts
    from kiosk.staff.gate import StaffGate
    from kiosk.staff.lockout import LockoutPolicy

    k = ctx.settings.kiosk
    url = ctx.settings.sync.server_url
    checker = ServerAccounts(url, ctx.settings.sync.request_timeout_s) if url else None
    return StaffGate(ctx.data_dir, LockoutPolicy(k.staff_free_tries, k.staff_lock_s),
                     checker=checker, idle_lock_s=k.staff_idle_lock_s)


def build_app(ctx: KioskContext, recognition: bool = True) -> KioskApp:
    """Assemble the app from ``ctx.settings``; a ``QApplication`` must exist.

    ``recognition=False`` leaves the engine out (tickets without faces only). The caller
    shows the window, calls ``start()`` and at the end ``shutdown()`` (which releases what
    is opened here).
    """
    from kiosk.ui.app import KioskApp, Parts
    from kiosk.ui.i18n import Translations, compile_translations

    settings = ctx.settings
    online = bool(settings.sync.server_url)
    # With a server: its catalogue as cached by the last sync, until the next one.
    services = kiosk_catalogue(ctx)
    db = make_engine(database_url(settings, ctx.data_dir))
    closers: list[Callable[[], None]] = []
    store = TicketStore(make_sessionmaker(db), services)
    left = store.unprinted_today()
    if left:
        log.warning("%d ticket(s) of today were never printed (e.g. %s): they can be reprinted",
                    len(left), ", ".join(t.number for t in left[:5]))
    events = EventLog(ctx.data_dir / "logs" / "events.jsonl")
    report_health = None
    sync = None
    open_tickets = None
    if online:
        token = read_token(settings.sync, ctx.data_dir)
        client = QueueClient(settings.sync.server_url or "", token,
                             settings.sync.request_timeout_s)
        closers.append(client.close)
        sync = SyncWorker(client, store, settings.sync, ctx.data_dir)
        sync.on_withdrawn = lambda outcome: events.note("ticket_withdrawn", reason=outcome)
        # A number always: past the leases, the kiosk's own slot of the emergency series.
        issuer: Issuer = ServerIssuer(client, store, settings.sync, on_offline=sync.wake,
                                      emergency_slot=emergency_slot(token or ""))
        open_tickets = functools.partial(server_open_tickets, client, store)
        report_health = client.report_health
    else:
        issuer = StandaloneIssuer(store, settings.kiosk.standalone_minutes_per_ticket)
    plug = RecognitionPlug(None, None, lambda: None)
    registry = open_registry(ctx, db)
    card_holders = None
    if registry is not None:
        if recognition:
            plug = make_recognition(ctx, registry)
            if sync is not None:  # the replica: pulled at start and every sync round
                sync.registry = RegistrySync(client, Replica(registry))
        # The ID card instead of the face: no engine needed (kiosk/adapters/card_holders.py).
        card_holders = CardHolders(store, registry.cipher, registry, citizen_lookup(registry),
                                   client if online else None, settings.sync.issue_timeout_s)
    closers[:0] = [plug.close]
    closers.append(db.dispose)
    speaker = None
    if settings.voice.kiosk_speaks_number:
        speaker = NumberSpeaker(settings.voice, ctx.data_dir)
        closers.insert(0, speaker.close)
    parts = Parts(
        store=store, issuer=issuer, printer=make_printer(settings, ctx.data_dir),
        camera=CameraWorker(settings.camera), identifier=plug.identifier,
        citizen_lookup=plug.citizen_lookup,
        translations=Translations(compile_translations(ctx.data_dir / "i18n")),
        sync=sync, open_tickets=open_tickets, speaker=speaker, staff=open_staff_gate(ctx),
        report_health=report_health,
        events=events,
        card_holders=card_holders,
    )
    app: Any = KioskApp(settings, parts, services)
    # Technician set-up saves the TOML; what can apply at once does: the printer, and the
    # camera's rotation and mirror (source and resolution need a restart).
    staff = app.window.staff
    staff.setup.kiosk_ctx = ctx
    staff.setup.on_saved = lambda new: setattr(app.parts, "printer",
                                               make_printer(new, ctx.data_dir))
    # The admin's enrolment wizard and people page: the registry on a thread of their
    # own (opened when first used), the app's camera (read, never opened twice).
    gate = parts.staff
    desk = RegistryDesk(ctx, audit=gate.audit if gate else None,
                        session_of=getattr(gate.checker if gate else None, "session_of", None))
    staff.enrol.desk = staff.people.desk = desk
    staff.enrol.camera = app.parts.camera
    # The consent text read aloud: its own player, never over an issued number.
    reader = ConsentReader(settings.voice, ctx.data_dir)
    staff.enrol.reader = reader
    closers.insert(0, desk.shutdown)
    closers.insert(0, reader.close)
    # The camera page pauses the app's camera while it previews; a save reconfigures it
    # (source, size, rotation, mirror, region of interest) without a restart.
    staff.camera_setup.app_camera = app.parts.camera
    staff.camera_setup.on_saved = lambda new: app.parts.camera.reconfigure(new.camera)
    # The services page: the citizens' tiles follow a save at once.
    staff.services_setup.catalogue = lambda: list(app.services.values())
    staff.services_setup.on_saved = lambda new: app.set_tile_order(
        new.kiosk.services_order, new.kiosk.services_hidden)
    # The recognition page: a new threshold restarts the recognition process with it (in
    # a thread: the restart waits for the frame being identified).
    staff.recognition_setup.on_saved = lambda new: threading.Thread(
        target=plug.restart, args=(replace(ctx, settings=new),), daemon=True).start()
    app.closers = closers
    return app
