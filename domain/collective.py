"""The annual round of collectives (đánh giá, xếp loại tập thể): Party organisations and units
rated as collectives, in the policy's order.

Domain (Party Reg. 366/2025; Decree 335/2025): "lower units before higher, collectives before
their members, heads last". The round copies the tenant's units (kind and parent) and the
annual policy's order of unit kinds when it is opened, like a period copies its members: a
later reorganisation never re-orders a round already under way. A unit at the top of the
tenant is rated by the level above the tenant, outside this service, so it is not in the
round.
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

    def _ancestors(self, unit_id: str) -> set[str]:
        found: set[str] = set()
        parent = self.units[unit_id]["parent"]
        while parent in self.units and parent not in found:
            found.add(parent)
            parent = self.units[parent]["parent"]
        return found

    def _waiting_before(self, unit_id: str) -> list[str]:
        """Collectives that must be rated before ``unit_id``: its sub-units, and every unit of
        a kind the policy rates earlier — except the units above it (the hierarchy comes
        first: a Party cell below a unit is rated before that unit, whatever the order)."""
        rank = kind_rank(self.order, self.units[unit_id]["kind"])
        above = self._ancestors(unit_id)
        return [u for u, info in self.units.items()
                if u != unit_id and u not in self.decisions and u not in above
                and (unit_id in self._ancestors(u) or info["parent"] == unit_id
                     or kind_rank(self.order, info["kind"]) < rank)]

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
        above), in the policy's order: lower units (sub-units, and kinds earlier in the
        order) before higher; one rating per collective and year."""
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
                f"Mức '{level.label_vi}' không phù hợp với số điểm {score:g}.",
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
