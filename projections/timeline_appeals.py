"""Timeline entries of appeals and amendments: what the person's timeline shows after the
decision — the appeal, its escalation and outcomes, and the amended rating citing it.

Built on the timeline's own entry statement (``$1`` = the evaluation the entry belongs to),
so an appeal's entries sit in the same per-person, log-ordered list as the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.base import Handler, Statement

A = "domain.appeal:Appeal."


def appeal_entries(entry_sql: str) -> dict[str, Handler]:
    """Handlers for the timeline projection; ``entry_sql`` has ``{s}`` for the schema."""

    def entry(name: str, evaluation: Callable[[Any], Any], level: Callable[[Any], Any],
              score: Callable[[Any], Any]) -> Handler:
        def handle(s: str, e: Any, pos: int) -> list[Statement]:
            return [(entry_sql.format(s=s), (evaluation(e), pos, name, level(e), score(e),
                                             e.actor, e.capacity, e.timestamp))]
        return handle

    none: Callable[[Any], Any] = lambda e: None  # noqa: E731
    by_appeal: Callable[[Any], Any] = lambda e: e.evaluation_id  # noqa: E731
    return {
        A + "Filed": entry("appeal_filed", by_appeal, lambda e: e.level_claimed, none),
        "domain.evaluation:Evaluation.RatingAmended": entry(
            "amended", lambda e: e.originator_id, lambda e: e.level, lambda e: e.score),
    }
