"""The open-set decision: is the nearest citizen really this person?"""

from __future__ import annotations

from recognition.types import Candidate, Match, Reason


def decide(
    candidates: list[Candidate], threshold: float, margin: float
) -> tuple[Match | None, Reason | None]:
    """Accept the nearest citizen only when its distance is at most ``threshold`` and the
    next citizen is at least ``margin`` further away.

    Returns ``(match, None)`` when accepted, else ``(None, Reason.UNKNOWN)`` (nobody close
    enough, or an empty registry) or ``(None, Reason.AMBIGUOUS)`` (two citizens too close
    to call). ``candidates`` are nearest first, one per citizen.
    """
    if not candidates or candidates[0].distance > threshold:
        return None, Reason.UNKNOWN
    best = candidates[0]
    if len(candidates) > 1 and candidates[1].distance - best.distance < margin:
        return None, Reason.AMBIGUOUS
    return Match(best.citizen_id, best.template_id, best.distance), None
