"""One sync round of the registry replica with the queue server: push the enrolment
outbox and the recognitions made here (citizen and time, for ``last_seen``), then pull
the change feed page by page into the replica (and its index).

A round never raises for the server or the data: ``RoundResult.error`` says in one line
what went wrong (server unreachable, a wrong key at the server, a corrupt page, another
registry or site), and the replica keeps its last good state.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from kiosk.adapters.server_client import QueueClient, ServerError
from kiosk.replica import Replica, ReplicaError

log = logging.getLogger(__name__)
ANSWERED = ("created", "added", "refused")


@dataclass
class RoundResult:
    """What one round did (the JSON of `kiosk sync`)."""

    pulled: int = 0  # citizens added or changed in the replica
    deleted: int = 0  # citizens erased from the replica
    templates: int = 0  # templates loaded
    pushed: int = 0  # enrolments the server answered
    refused: list[dict[str, Any]] = field(default_factory=list)  # enrolments refused
    pending: int = 0  # enrolments still waiting for the server
    seen: int = 0  # recognitions reported (citizens whose last_seen the server moved on)
    cursor: int = 0
    pages: int = 0
    seconds: float = 0.0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class RegistrySync:
    """Push and pull for one kiosk database."""

    def __init__(self, client: QueueClient, replica: Replica, page: int | None = None) -> None:
        self.client = client
        self.replica = replica
        self.page = page

    def push(self, result: RoundResult) -> None:
        while True:
            batch = self.replica.pending_enrolments(50)
            if not batch:
                return
            answer = self.client.push_enrolments(batch)
            for item in answer["results"]:
                uid, kind = str(item["client_uuid"]), str(item["result"])
                status = item.get("status_code")
                if kind in ANSWERED or (status is not None and 400 <= int(status) < 500):
                    self.replica.answered(uid, item)
                    result.pushed += 1
                    if kind != "created" and kind != "added":
                        result.refused.append({"client_uuid": uid, "reason": item.get("reason")})
                else:
                    self.replica.failed(uid, str(item.get("reason") or kind))
                    return  # try again next round

    def report_seen(self, result: RoundResult) -> None:
        """Tell the server which citizens were recognised here since last time."""
        while True:
            batch = self.replica.sightings(5000)
            if not batch:
                return
            try:
                self.client.report_seen([{"citizen_id": cid, "at": at.isoformat()}
                                         for cid, at in batch])
            except ServerError as exc:
                if exc.status in (404, 405):  # a server from before /seen: kept for later
                    return
                raise
            self.replica.reported(batch)
            result.seen += len(batch)
            if len(batch) < 5000:
                return

    def pull(self, result: RoundResult) -> None:
        cursor = self.replica.cursor()
        while True:
            page = self.client.registry_changes(cursor, self.page)
            applied = self.replica.apply(page, self.client.base_url)
            result.pages += 1
            result.pulled += applied.upserted
            result.deleted += applied.deleted
            result.templates += applied.templates
            cursor = applied.cursor
            if not page.get("more"):
                return

    def round(self) -> RoundResult:
        """Push, then pull; the error (if any) in one line."""
        result = RoundResult()
        start = time.perf_counter()
        try:
            self.push(result)
            self.report_seen(result)
            self.pull(result)
        except (ServerError, ReplicaError) as exc:
            result.error = str(exc)
            log.warning("registry sync: %s", exc)
        except Exception as exc:  # a bug must not take the kiosk down
            result.error = f"registry sync failed: {type(exc).__name__}: {exc}"
            log.exception("registry sync failed")
        result.pending = self.replica.backlog()
        result.cursor = self.replica.cursor()
        result.seconds = round(time.perf_counter() - start, 3)
        return result
