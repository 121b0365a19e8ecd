"""Handlers for the annual round of collectives (đánh giá, xếp loại tập thể)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.collective import CollectiveRound
from domain.errors import PeriodAlreadyOpenError
from domain.ids import collective_round_id
from domain.organisation import Unit, competent_for_collective
from services.app.commands import OpenCollectiveRound, RateCollective
from services.app.handler_base import HandlerBase

_UNIT_REGISTERED = "domain.organisation:Unit.Registered"


class CollectiveHandlers(HandlerBase):
    def _unit_ids(self) -> list[UUID]:
        """Every unit ever registered in this tenant (a round is opened once a year, so one
        scan of the log's unit registrations is affordable)."""
        return [UUID(str(n.originator_id)) for n in self.app.recorder.select_notifications(
            start=1, limit=10**9, topics=[_UNIT_REGISTERED])]

    def open_collective_round(self, cmd: OpenCollectiveRound) -> tuple[UUID, int]:
        """Open the year's round: the units below the top of the tenant, with their kind and
        parent, and the annual policy's order, copied as they are now."""
        policy = self.policy_for("annual")
        units: dict[str, dict[str, Any]] = {}
        for uid in self._unit_ids():
            unit = self._find(Unit, uid)
            if unit is not None and unit.parent_id is not None:
                units[str(uid)] = {"name": unit.name, "kind": unit.kind,
                                   "parent": str(unit.parent_id)}
        round_id = collective_round_id(cmd.year)
        opened = CollectiveRound(id=round_id, year=cmd.year, order=list(policy.collective_order),
                                 units=units, policy=policy.to_state())
        try:
            return round_id, self._save(opened)
        except IntegrityError:
            raise PeriodAlreadyOpenError(
                f"Đợt xếp loại tập thể năm {cmd.year} đã được mở.",
                f"The {cmd.year} round of collectives is already open.",
            ) from None

    def rate_collective(self, cmd: RateCollective) -> int:
        """The head of the unit above rates a unit as a collective, in the policy's order."""
        def attempt() -> int:
            rnd = self._get(CollectiveRound, collective_round_id(cmd.year),
                            f"đợt xếp loại tập thể năm {cmd.year}",
                            f"The {cmd.year} round of collectives")
            rnd.ensure_in_round(cmd.unit_id)
            unit = self._get(Unit, cmd.unit_id, "đơn vị", "Unit")
            parent = (self._get(Unit, unit.parent_id, "đơn vị cấp trên", "Parent unit")
                      if unit.parent_id else None)
            basis = competent_for_collective(unit, parent, cmd.decider)
            rnd.rate(cmd.unit_id, cmd.level, cmd.score, cmd.reasons, basis)
            return self._save(rnd)
        return self._retrying(attempt)
