"""Priority groups (ưu tiên): a plain enum, cheap to import (the CLI needs it at start)."""

from __future__ import annotations

import enum


class PriorityGroup(enum.StrEnum):
    """Who gets a priority ticket (ưu tiên)."""

    NONE = "none"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    MERIT = "merit"  # người có công
