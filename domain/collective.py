"""The annual round of collectives (đánh giá, xếp loại tập thể): Party organisations and units
rated as collectives, in the policy's order.

Domain (Party Reg. 366/2025; Decree 335/2025): "lower units before higher, collectives before
their members, heads last". Lower means deeper in the tenant's tree (cấp dưới): every unit of
a deeper level is rated before any unit of a higher one; within one level, the policy's order
of kinds decides (by default Party cells, then units, then Party committees). That order is
total, so a round can always be completed, whatever the tree. The round copies the tenant's
units (kind and parent) and the annual policy's order of kinds when it is opened, like a
period copies its members: a later reorganisation never re-orders a round under way. The
unit at the top of the tenant is rated by the level above the tenant, outside this service,
so it is not in the round.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.errors import (
    AlreadyDecidedError,
    LevelScoreMismatchError,
    NotInPeriodError,
    OrderViolationError,
)
from domain.evaluation import check_score
from domain.levels import Level
from domain.policy import Policy

GENERIC_KIND = "unit"  # the place in the order of any kind the policy does not name


def kind_rank(order: list[str], kind: str) -> int:
    """Where a unit kind stands in the policy's order (lower is rated first); a kind the
    policy does not name stands with the generic "unit"."""
    if kind in order:
        return order.index(kind)
    return order.index(GENERIC_KIND) if GENERIC_KIND in order else len(order)


def depths(units: dict[str, dict[str, Any]]) -> dict[str, int]:
    """How many units of the round stand above each one (0: just below the top)."""
    found: dict[str, int] = {}
    for unit_id in units:
        depth, parent, seen = 0, units[unit_id]["parent"], {unit_id}
        while parent in units and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = units[parent]["parent"]
        found[unit_id] = depth
    return found


def rating_order(units: dict[str, dict[str, Any]], order: list[str]) -> list[str]:
    """The units in the order they are rated: deepest level first, then by kind, then name."""
    depth = depths(units)
    return sorted(units, key=lambda u: (-depth[u], kind_rank(order, units[u]["kind"]),
                                        units[u]["name"], u))


class CollectiveRound(TenantAggregate):
    @event("Opened")
    def __init__(self, id: UUID, year: int, order: list[str], units: dict[str, dict[str, Any]],
                 policy: dict[str, Any]) -> None:
        # units: unit id → {"name", "kind", "parent"} as they were at opening
        self.year = year
        self.order = order
        self.units = units
        self.policy_state = policy
        self.decisions: dict[str, str] = {}

    @property
    def policy(self) -> Policy:
        return Policy.from_state(self.policy_state)

    def includes(self, unit_id: UUID) -> bool:
        return str(unit_id) in self.units

    def _waiting_before(self, unit_id: str) -> list[str]:
        """Collectives still to be rated before ``unit_id``: every unit of a deeper level
        (its sub-units among them), and those of its own level the policy rates earlier."""
        depth = depths(self.units)
        rank = kind_rank(self.order, self.units[unit_id]["kind"])

        def earlier(other: str) -> bool:
            if depth[other] != depth[unit_id]:
                return depth[other] > depth[unit_id]
            return kind_rank(self.order, self.units[other]["kind"]) < rank

        return [u for u in self.units
                if u != unit_id and u not in self.decisions and earlier(u)]

    def ensure_in_round(self, unit_id: UUID) -> None:
        """Every unit below the top of the tenant, as it was when the round opened."""
        if str(unit_id) not in self.units:
            raise NotInPeriodError(
                f"Đơn vị này không thuộc đợt xếp loại tập thể năm {self.year} (đơn vị cấp cao "
                "nhất do cấp trên của địa phương xếp loại).",
                f"This unit is not in the {self.year} round of collectives (the top unit is "
                "rated by the level above the tenant).",
            )

    def rate(self, unit_id: UUID, level: Level, score: float, reasons: str,
             authority: str) -> None:
        """Rate a collective (its competent rater checked by the caller: the head of the unit
        above), in the round's order: deeper levels first, then the policy's order of kinds
        within a level; one rating per collective and year."""
        self.ensure_in_round(unit_id)
        key = str(unit_id)
        unit = self.units[key]
        if key in self.decisions:
            raise AlreadyDecidedError(
                f"Tập thể '{unit['name']}' đã được xếp loại năm {self.year}.",
                f"The collective '{unit['name']}' is already rated for {self.year}.",
            )
        waiting = self._waiting_before(key)
        if waiting:
            names = ", ".join(sorted(self.units[u]["name"] for u in waiting))
            raise OrderViolationError(
                f"Xếp loại tập thể theo thứ tự cấp dưới trước, cấp trên sau: cần xếp loại "
                f"trước {names}.",
                f"Collectives are rated lower before higher: rate {names} first.",
            )
        check_score(score)
        policy = self.policy
        earned = policy.bands.level_for(score)
        if level.rank > earned.rank:
            raise LevelScoreMismatchError(
                f"Mức '{policy.label(level)}' không phù hợp với số điểm {score:g}.",
                f"Level {level.value} is higher than score {score:g} allows ({earned.value}).",
            )
        self._collective_rated(key, level.value, score, reasons, policy.version, authority)

    @event("CollectiveRated")
    def _collective_rated(self, unit_id: str, level: str, score: float, reasons: str,
                          policy_version: str, authority: str) -> None:
        self.decisions[unit_id] = level

    def ensure_collective_first(self, unit_id: UUID) -> None:
        """Collectives before their members: a unit's people get their annual rating once
        the unit has been rated as a collective in this round."""
        key = str(unit_id)
        if key in self.units and key not in self.decisions:
            raise OrderViolationError(
                f"Cần xếp loại tập thể '{self.units[key]['name']}' trước khi xếp loại các cá "
                "nhân của đơn vị.",
                f"The collective '{self.units[key]['name']}' is rated before its members.",
            )
