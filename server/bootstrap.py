"""Opening the database for the server and the CLI: migrate, then seed an empty one."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from config.server import QueueServerSettings
from server.catalogue import apply_catalogue, default_catalogue, ensure_site
from server.db import Database, default_sqlite_url
from server.models import Service


def prepare_database(
    settings: QueueServerSettings, data_dir: Path, *, seed: bool = True, migrate: bool = True
) -> Database:
    """Open the database, migrate it and, when it has no services yet, load the default
    site and catalogue."""
    url = settings.database_url or default_sqlite_url(data_dir)
    db = Database(url)
    if migrate:
        db.migrate()
    if seed:
        with db.session() as s:
            site = ensure_site(s, settings.site_code, settings.site_name, settings.timezone)
            if s.scalar(sa.select(sa.func.count()).select_from(Service)) == 0:
                apply_catalogue(s, site, default_catalogue())
    return db
