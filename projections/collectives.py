"""Read model of the annual rounds of collectives (rm_collective_ratings): one row per unit
and year, pending until the head of the unit above rates it."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.collective import rating_order

from projections.base import Handler, Projection, Statement


def _opened(s: str, e: Any, pos: int) -> list[Statement]:
    units: dict[str, dict[str, Any]] = e.units
    return [(
        f"INSERT INTO {s}.rm_collective_ratings (round_id, unit_id, year, unit_name, kind, "
        "parent_id, rank, status, position) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) "
        "ON CONFLICT (round_id, unit_id) DO NOTHING",
        (e.originator_id, UUID(unit_id), e.year, units[unit_id]["name"],
         units[unit_id]["kind"], UUID(units[unit_id]["parent"]), rank, pos),
    ) for rank, unit_id in enumerate(rating_order(units, list(e.order)))]


def _rated(s: str, e: Any, pos: int) -> list[Statement]:
    return [(
        f"UPDATE {s}.rm_collective_ratings SET status = 'decided', level = $3, score = $4, "
        "reasons = $5, policy_version = $6, authority = $7, decided_by = $8, decided_at = $9, "
        "position = $10 WHERE round_id = $1 AND unit_id = $2",
        (e.originator_id, UUID(e.unit_id), e.level, e.score, e.reasons, e.policy_version,
         e.authority, e.actor, e.timestamp, pos),
    )]


class CollectivesProjection(Projection):
    name = "collectives"
    tables = ("rm_collective_ratings",)
    handlers: ClassVar[dict[str, Handler]] = {
        "domain.collective:CollectiveRound.Opened": _opened,
        "domain.collective:CollectiveRound.CollectiveRated": _rated,
    }
