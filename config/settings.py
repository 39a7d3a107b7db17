"""The one settings schema of the product, loaded from TOML with environment overrides.

Order of precedence, highest first: environment variables ``KIOSK_<SECTION>__<FIELD>``
(for example ``KIOSK_RECOGNITION__MATCH_THRESHOLD=0.45``), the TOML file given with
``--config``, the defaults shipped in ``config/defaults.toml`` (the same as the field
defaults below).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config.camera import CameraSettings
from config.errors import ConfigError, describe_validation_error
from config.kiosk import KioskSettings
from config.liveness import LivenessSettings
from config.printer import PrinterSettings
from config.recognition import RecognitionSettings
from config.server import QueueServerSettings
from config.storage import StorageSettings
from config.sync import SyncSettings
from config.voice import VoiceSettings

DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")


class Settings(BaseSettings):
    """Every knob of the kiosk and the server, one section per part."""

    model_config = SettingsConfigDict(
        env_prefix="KIOSK_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    recognition: RecognitionSettings = Field(
        default_factory=RecognitionSettings, description="Face pipeline."
    )
    liveness: LivenessSettings = Field(
        default_factory=LivenessSettings, description="Liveness check (presentation attacks)."
    )
    storage: StorageSettings = Field(
        default_factory=StorageSettings, description="Kiosk database and face-data protection."
    )
    camera: CameraSettings = Field(default_factory=CameraSettings, description="Kiosk camera.")
    kiosk: KioskSettings = Field(default_factory=KioskSettings, description="Kiosk app and flow.")
    printer: PrinterSettings = Field(
        default_factory=PrinterSettings, description="Ticket printer."
    )
    sync: SyncSettings = Field(
        default_factory=SyncSettings, description="Kiosk link to the queue server."
    )
    server: QueueServerSettings = Field(
        default_factory=QueueServerSettings, description="Central queue server."
    )
    voice: VoiceSettings = Field(default_factory=VoiceSettings, description="Spoken calls.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file, which is passed in as init values.
        return (env_settings, init_settings)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None


def load_settings(path: str | Path | None = None) -> Settings:
    """Load and validate the settings; raise ``ConfigError`` naming the bad field.

    ``path`` is a TOML file; ``None`` uses the shipped defaults file.
    """
    file = Path(path) if path is not None else DEFAULTS_FILE
    data = _read_toml(file)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(f"{file}: {describe_validation_error(exc)}") from None
