"""The one error type every part raises for bad configuration."""

from __future__ import annotations

from pydantic import ValidationError


class ConfigError(Exception):
    """Invalid configuration: the message names the field and the reason, on one line."""


def describe_validation_error(error: ValidationError, prefix: str = "") -> str:
    """Turn a pydantic error into one line per problem: ``section.field: reason (got X)``."""
    lines = []
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"] if part != "__root__")
        if prefix:
            loc = f"{prefix}.{loc}" if loc else prefix
        got = item.get("input")
        shown = "" if isinstance(got, dict) or got is None else f" (got {got!r})"
        lines.append(f"{loc or 'config'}: {item['msg']}{shown}")
    return "; ".join(lines)
