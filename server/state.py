"""What every request handler reaches: the server's state (settings, database, signer,
templates, the ticket issuer) and how to get it from a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.types import Scope

from config.server import QueueServerSettings
from server.announcements import Announcer
from server.batching import Batcher
from server.board_feed import BoardHub
from server.db import Database
from server.security import Signer
from server.webhooks import Webhooks

API_VERSION = "1.0"

@dataclass
class ServerState:
    """What every request handler reaches through ``request.app.state.qs``."""

    settings: QueueServerSettings
    db: Database
    signer: Signer
    templates: Jinja2Templates
    data_dir: Path
    # Stores the tickets of POST /tickets in batches (group commit); set by create_app.
    issuer: Batcher = field(init=False)
    # Spoken calls of the display board; set by create_app.
    announcer: Announcer = field(init=False)
    # Notifications to the centre's webhook (turn near, called); set by create_app.
    webhooks: Webhooks = field(init=False)
    # The display boards' event streams of this process (one poller per site).
    board_hub: BoardHub = field(init=False)
    _bases: dict[tuple, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.board_hub = BoardHub(self.settings.board_streams_per_site,
                                  self.settings.board_streams_total)

    def public_base(self, request: Request) -> str:
        """Base URL of survey links: the configured public URL, else the request's."""
        return self.base_for_scope(request.scope)

    def base_for_scope(self, scope: Scope) -> str:
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        host = next((v for k, v in scope["headers"] if k == b"host"), None)
        server = scope.get("server")
        key = (scope.get("scheme"), host, scope.get("root_path"),
               tuple(server) if server else None)
        base = self._bases.get(key)
        if base is None:  # worked out once per address the server is reached at
            base = str(Request(scope).base_url).rstrip("/")
            if len(self._bases) < 1000:
                self._bases[key] = base
        return base



def state_of(request: Request) -> ServerState:
    """The :class:`ServerState` of the app serving ``request``."""
    return request.app.state.qs
