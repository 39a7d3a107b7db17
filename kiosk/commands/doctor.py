"""`kiosk doctor [--json]`: is this kiosk ready to serve? One line per check (the checks
are in ``kiosk/adapters/diagnostics.py``). Exit 0 only when no check failed."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click

from kiosk.context import open_context


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of lines.")
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="KIOSK_DATA_DIR",
              default=None, help="The kiosk's data dir. Default ./var")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              envvar="KIOSK_CONFIG", default=None, help="TOML settings file.")
@click.option("--camera-seconds", default=2.0, show_default=True, type=click.FloatRange(0.2, 30),
              help="Seconds of frames to measure the frame rate.")
@click.option("--face-seconds", default=5.0, show_default=True, type=click.FloatRange(0.2, 60),
              help="Seconds of frames to look for a face in.")
def doctor(as_json: bool, data_dir: str | None, config_file: str | None,
           camera_seconds: float, face_seconds: float) -> None:
    """Check the kiosk's config, camera, face detection, printer, server, registry and disk.

    Exit 0 only when no check failed (warnings do not fail).
    """
    from config import ConfigError
    from kiosk.adapters.diagnostics import Check, run_checks

    try:
        ctx = open_context(data_dir, config_file)
    except ConfigError as exc:
        checks = [Check("config", "fail", str(exc).replace("\n", " "))]
    else:
        source = config_file or "shipped defaults"
        checks = [Check("config", "ok", f"valid ({source})")]
        checks += run_checks(ctx, camera_seconds, face_seconds)
    failed = any(c.status == "fail" for c in checks)
    if as_json:
        click.echo(json.dumps({"ok": not failed, "checks": [asdict(c) for c in checks]},
                              ensure_ascii=False))
    else:
        for c in checks:
            click.echo(c.line())
    sys.exit(1 if failed else 0)
