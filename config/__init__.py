"""The one settings schema for every part (pydantic-settings), its defaults and loading."""

from config.errors import ConfigError
from config.settings import DEFAULTS_FILE, Settings, load_settings

__all__ = ["DEFAULTS_FILE", "ConfigError", "Settings", "load_settings"]
