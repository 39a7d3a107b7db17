"""``announce NUMBER COUNTER --out FILE.wav``: write one spoken call, to hear a pack.

Meant to be registered as ``queue-server announce`` (and on the ``kiosk`` command); it
only needs the settings file and a data dir for the cached default pack.
"""

from __future__ import annotations

from pathlib import Path

import click

from config import ConfigError, load_settings
from ticketing.numbers import NumberError
from voice.announcement import announce_wav
from voice.build import open_pack
from voice.numbers_vi import NumberReading
from voice.pack import VoicePackError


@click.command("announce")
@click.argument("number")
@click.argument("counter")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="WAV file to write (mono, 16-bit).")
@click.option("--pack", "pack_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of a voice pack. Default: the settings' voice.pack.")
@click.option("--recall", is_flag=True, help="Announce a recall ('Gọi lại, mời số ...').")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="TOML settings file. Default: the shipped config/defaults.toml")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("./var"), show_default=True,
              help="Folder where the default pack is built and cached (voice/).")
def announce(number: str, counter: str, out: Path, pack_dir: Path | None, recall: bool,
             config_file: str | None, data_dir: Path) -> None:
    """Write the call of ticket NUMBER (e.g. A012) to COUNTER (e.g. 3) as a WAV file."""
    try:
        voice = load_settings(config_file).voice
        if pack_dir is not None:
            voice = voice.model_copy(update={"pack": str(pack_dir.resolve())})
        pack = open_pack(voice, data_dir)
        audio = announce_wav(
            number, counter, recall=recall, pack=pack,
            reading=NumberReading(voice.dialect, voice.four_after_tens),
            ticket_digits=voice.ticket_digits, pause_ms=voice.pause_ms,
            phrase_pause_ms=voice.phrase_pause_ms, chime=voice.chime,
        )
    except (ConfigError, NumberError, VoicePackError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        out.write_bytes(audio)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    seconds = (len(audio) - 44) / 2 / pack.sample_rate
    click.echo(f"wrote {out} ({seconds:.1f} s, {pack.sample_rate} Hz, pack {pack.name!r})")
