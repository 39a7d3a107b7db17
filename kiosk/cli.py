"""The `kiosk` console command. Each group of subcommands lives in `kiosk/commands/`."""

from __future__ import annotations

import warnings

import click

from kiosk.commands.backup import backup, restore
from kiosk.commands.doctor import doctor
from kiosk.commands.liveness import liveness
from kiosk.commands.pin import set_pin
from kiosk.commands.printer import printer
from kiosk.commands.registry import (
    calibrate,
    enrol,
    identify,
    import_dir,
    people,
    replace_face,
    sync_cmd,
)
from kiosk.commands.run import run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="facekiosk", prog_name="kiosk")
def cli() -> None:
    """Face-recognition queue kiosk: enrol citizens, identify faces, print tickets."""


for command in (doctor, enrol, identify, import_dir, people, calibrate, printer, run, set_pin,
                liveness, backup, restore, sync_cmd, replace_face):
    cli.add_command(command)


def main() -> None:
    """Entry point of the `kiosk` command."""
    # face_recognition_models imports pkg_resources, which warns on every start.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    cli()
