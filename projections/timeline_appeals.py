"""Timeline entries of appeals: what the person's timeline shows after the decision — the
appeal filed (its escalation and outcomes as the workflow grows), in the same per-person,
log-ordered list as the decision.

Built on the timeline's own entry step (its first argument is the evaluation the entry
belongs to).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.fold import Args, Step, Tables

A = "domain.appeal:Appeal."


def appeal_entries(entry: Callable[[Tables, Args], None]) -> dict[str, Step]:
    """Steps of the timeline fold for appeal events."""

    def filed(e: Any, pos: int) -> Args:
        return (e.evaluation_id, pos, "appeal_filed", e.level_claimed, None, e.actor,
                e.capacity, e.timestamp)

    return {A + "Filed": Step(filed, entry)}
