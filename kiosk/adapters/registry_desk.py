"""The admin's desk on the citizen registry: what the enrolment wizard and the people page
on the kiosk's touchscreen do (kiosk/ui/staff/enrol_wizard.py, people.py).

Every method blocks (the face engine, the database, the queue server): call them through
``submit``, which runs them one at a time on the desk's own worker thread, never in the GUI
thread. The registry (engine, index, database) opens on first use and is released by
``close`` when staff mode locks, so the kiosk holds no second copy of the index while
citizens use it.

Saving goes through ``kiosk.enrolment.Registry.enrol_photos``, the one save path (the same
quality, duplicate and re-enrolment checks as ``kiosk enrol``); with a queue server it goes
through the kiosk's registry outbox and is pushed at once (``kiosk.adapters.registry_sync``),
the server making the checks over the whole centre. Erasing with a queue server is done at
the server, as the admin signed in (their server session), then pulled back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import cv2
import numpy as np

from kiosk.adapters.id_card_reader import CardScan, IdCardReader
from kiosk.id_card import validate_id_number

if TYPE_CHECKING:
    from kiosk.context import KioskContext
    from kiosk.enrolment import Registry
    from kiosk.registry import CitizenRecord
    from kiosk.staff.audit import AuditLog
    from kiosk.staff.enrolment_draft import EnrolmentDraft
    from recognition.types import FaceAnalysis

log = logging.getLogger(__name__)
T = TypeVar("T")
#: ``session_of(username)``: cookies of the admin's server session, or None
SessionOf = Callable[[str], Any]


@dataclass(frozen=True)
class SaveOutcome:
    """What saving an enrolment gave.

    ``kind``: 'created' (new citizen), 'updated' (samples added to the citizen with this id
    number), 'refused' (nothing stored: ``reason``), 'waiting' (kept in the kiosk's outbox,
    the server did not answer yet) or 'error' (nothing stored: ``reason``).
    """

    kind: str
    reason: str = ""
    citizen_id: int | None = None
    templates: int = 0
    duplicate_of: int | None = None


@dataclass(frozen=True)
class EraseOutcome:
    """What erasing gave: ``ok``; else ``reason`` ('not_found', 'needs_server_login',
    'server_refused', 'unreachable') and ``detail``."""

    ok: bool
    templates: int = 0
    reason: str = ""
    detail: str = ""


class RegistryDesk:
    """Enrolment and people operations for one kiosk, on a worker thread of their own."""

    def __init__(self, ctx: KioskContext, audit: AuditLog | None = None,
                 session_of: SessionOf | None = None) -> None:
        self.ctx = ctx
        self.audit = audit
        self.session_of = session_of
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="registry-desk")
        self._registry: Registry | None = None
        self._reader: IdCardReader | None = None
        self._lock = threading.Lock()
        self._shut = False

    @property
    def online(self) -> bool:
        """A queue server holds the centre's registry (this kiosk replicates it)."""
        return bool(self.ctx.settings.sync.server_url)

    def submit(self, work: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``work(*args)`` on the desk's thread."""
        return self._pool.submit(work, *args)

    def registry(self) -> Registry:
        """The registry, opened on first use (loads the engine lazily and the index)."""
        with self._lock:
            if self._registry is None:
                from kiosk.enrolment import Registry

                self._registry = Registry(self.ctx)
            return self._registry

    def close(self) -> None:
        """Release the registry (index, database connections); runs on the desk's thread
        after whatever was submitted before."""

        def release() -> None:
            with self._lock:
                if self._registry is not None:
                    self._registry.close()
                    self._registry = None
                self._reader = None

        if not self._shut:
            self._pool.submit(release)

    def shutdown(self) -> None:
        """Release everything and stop the thread (the app's end)."""
        self.close()
        self._shut = True
        self._pool.shutdown(wait=True)

    def _record(self, who: str, action: str, outcome: str, detail: str = "") -> None:
        if self.audit is not None:
            self.audit.record(who, action, outcome, detail)

    # -- the wizard

    def record_consent(self, draft: EnrolmentDraft, outcome: str) -> None:
        """The consent step's end in the staff audit: 'given' (citizen's tap and the
        admin's confirmation) or 'refused'; the version, never a name or number."""
        self._record(draft.admin, "enrol_consent", outcome,
                     f"consent text {draft.consent_version}")

    def scan_card(self, frame_bgr: np.ndarray) -> CardScan:
        """Look for an ID card's QR code in a camera frame."""
        if self._reader is None:
            self._reader = IdCardReader()
        return self._reader.read(frame_bgr)

    def analyse(self, frame_bgr: np.ndarray) -> tuple[np.ndarray, FaceAnalysis]:
        """(the frame as RGB, its analysis with the enrolment limits): live guidance, so
        one encoding pass (the saved template is encoded again with more at save)."""
        registry = self.registry()
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        rec = self.ctx.settings.recognition
        return rgb, registry.engine.analyse(rgb, rec.enrol_quality, 1)

    def save(self, draft: EnrolmentDraft) -> SaveOutcome:
        """Save a complete draft through the one save path; audited either way."""
        from kiosk.id_card import IdNumberError

        ident = draft.identity
        if not draft.consented or ident is None or not draft.ready():
            raise ValueError("the enrolment is not complete (consent, identity, samples)")
        registry = self.registry()
        sync = self._registry_sync(registry) if self.online else None
        try:
            result = registry.enrol_photos(
                full_name=ident.full_name, id_number=ident.id_number,
                photos=[s.image_rgb for s in draft.samples], actor=draft.admin,
                date_of_birth=ident.date_of_birth, priority_group=ident.priority_group,
                sex=ident.sex, outbox=sync.replica if sync is not None else None, channel="kiosk")
        except IdNumberError as exc:
            outcome = SaveOutcome("error", str(exc))
        else:
            if result.refused:
                outcome = SaveOutcome("refused", result.refused,
                                      duplicate_of=result.duplicate_of)
            elif result.queued is not None and sync is not None:
                outcome = self._server_answer(sync, result.queued, result.stored)
            else:
                assert result.citizen is not None
                outcome = SaveOutcome("created" if result.created else "updated",
                                      citizen_id=result.citizen.id, templates=result.stored)
        finally:
            if sync is not None:
                sync.client.close()
        self._record(draft.admin, "enrol", outcome.kind,
                     f"citizen {outcome.citizen_id}; {len(draft.samples)} sample(s); "
                     f"consent text {draft.consent_version}" if outcome.citizen_id else
                     f"{len(draft.samples)} sample(s); {outcome.reason[:120]}")
        return outcome

    def _registry_sync(self, registry: Registry) -> Any:
        from kiosk.adapters.registry_sync import RegistrySync
        from kiosk.adapters.server_client import QueueClient, read_token
        from kiosk.replica import Replica

        s = self.ctx.settings.sync
        client = QueueClient(s.server_url or "", read_token(s, self.ctx.data_dir),
                             s.request_timeout_s)
        return RegistrySync(client, Replica(registry.store, registry.index))

    @staticmethod
    def _server_answer(sync: Any, client_uuid: str, templates: int) -> SaveOutcome:
        """Push the queued enrolment now and pull; the server's answer, or 'waiting'."""
        rnd = sync.round()
        answer = sync.replica.answer_of(client_uuid)
        if answer is None:
            return SaveOutcome("waiting", rnd.error or "", templates=templates)
        kind = {"created": "created", "added": "updated"}.get(str(answer.get("result")),
                                                                 "refused")
        return SaveOutcome(kind, str(answer.get("reason") or ""),
                           citizen_id=answer.get("citizen_id"),
                           templates=int(answer.get("templates") or 0))

    # -- people

    def search(self, text: str, limit: int = 50) -> list[CitizenRecord]:
        """Citizens whose name contains ``text``, or the one with this 12-digit id number
        (standalone; a replica holds no full id numbers)."""
        registry = self.registry()
        text = " ".join(text.split())
        digits = text.replace(" ", "")
        if digits.isdigit() and len(digits) == 12:
            try:
                found = registry.store.find_by_id_number(validate_id_number(digits))
            except ValueError:
                return []
            return [found] if found is not None else []
        return registry.store.list(text or None, limit=limit)

    def view(self, citizen_id: int, actor: str) -> CitizenRecord | None:
        """One citizen (masked); the viewing is audited with the admin's name."""
        return self.registry().store.get(citizen_id, actor=actor)

    def erase(self, citizen_id: int, actor: str, withdraw: bool = False) -> EraseOutcome:
        """Erase a citizen's face data (``withdraw``: because they withdrew consent);
        audited. With a queue server, at the server as ``actor``, then pulled here."""
        action = "withdraw_consent" if withdraw else "delete"
        if self.online:
            outcome = self._erase_at_server(citizen_id, actor, withdraw)
        else:
            registry = self.registry()
            n = registry.store.delete(citizen_id, actor=actor, index=registry.index,
                                      action=action)
            outcome = EraseOutcome(True, n) if n is not None else \
                EraseOutcome(False, reason="not_found")
        self._record(actor, action, "ok" if outcome.ok else outcome.reason,
                     f"citizen {citizen_id}")
        return outcome

    def _erase_at_server(self, citizen_id: int, actor: str, withdraw: bool) -> EraseOutcome:
        import httpx

        cookies = self.session_of(actor) if self.session_of is not None else None
        if not cookies:
            return EraseOutcome(False, reason="needs_server_login")
        s = self.ctx.settings.sync
        base = (s.server_url or "").rstrip("/") + f"/api/v1/registry/citizens/{citizen_id}"
        try:
            with httpx.Client(cookies=cookies, timeout=s.request_timeout_s) as client:
                reply = (client.post(base + "/withdraw-consent") if withdraw
                         else client.delete(base))
        except httpx.HTTPError as exc:
            return EraseOutcome(False, reason="unreachable", detail=str(exc)[:200])
        if reply.status_code == 404:
            return EraseOutcome(False, reason="not_found")
        if reply.status_code != 200:
            try:
                detail = str(reply.json().get("detail", ""))[:200]
            except ValueError:
                detail = f"HTTP {reply.status_code}"
            reason = "needs_server_login" if reply.status_code in (401, 403) \
                else "server_refused"
            return EraseOutcome(False, reason=reason, detail=detail)
        n = int(reply.json().get("templates_deleted") or 0)
        sync = self._registry_sync(self.registry())
        try:
            rnd = sync.round()  # the erasure comes back as a delete: gone from this kiosk
        finally:
            sync.client.close()
        return EraseOutcome(True, n, detail=rnd.error or "")
