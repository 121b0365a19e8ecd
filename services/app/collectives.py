"""The annual round of collectives (đánh giá, xếp loại tập thể): opened once a year, each
unit rated as a collective by the head of the unit above, in the policy's order."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.collective import CollectiveRound
from domain.errors import PeriodAlreadyOpenError
from domain.ids import collective_round_id
from domain.organisation import Unit, competent_for_collective
from services.app import loading
from services.app.commands import OpenCollectiveRound, RateCollective
from services.app.handler_base import UnitOfWork

_UNIT_REGISTERED = "domain.organisation:Unit.Registered"


def _unit_ids(uow: UnitOfWork) -> list[UUID]:
    """Every unit ever registered in this tenant (a round is opened once a year, so one
    scan of the log's unit registrations is affordable)."""
    return [UUID(str(n.originator_id)) for n in uow.app.recorder.select_notifications(
        start=1, limit=10**9, topics=[_UNIT_REGISTERED])]


def open_collective_round(uow: UnitOfWork, cmd: OpenCollectiveRound) -> tuple[UUID, int]:
    """Open the year's round: the units below the top of the tenant, with their kind and
    parent, and the annual policy's order, copied as they are now."""
    policy = uow.policy_for("annual")
    units: dict[str, dict[str, Any]] = {}
    for uid in _unit_ids(uow):
        unit = uow._find(Unit, uid)
        if unit is not None and unit.parent_id is not None:
            units[str(uid)] = {"name": unit.name, "kind": unit.kind,
                               "parent": str(unit.parent_id)}
    round_id = collective_round_id(cmd.year)
    opened = CollectiveRound(id=round_id, year=cmd.year, order=list(policy.collective_order),
                             units=units, policy=policy.to_state())
    try:
        return round_id, uow._save(opened)
    except IntegrityError:
        raise PeriodAlreadyOpenError(
            f"Đợt xếp loại tập thể năm {cmd.year} đã được mở.",
            f"The {cmd.year} round of collectives is already open.",
        ) from None


def rate_collective(uow: UnitOfWork, cmd: RateCollective) -> int:
    """The head of the unit above rates a unit as a collective, in the policy's order."""
    def attempt() -> int:
        rnd = uow._get(CollectiveRound, collective_round_id(cmd.year),
                       f"đợt xếp loại tập thể năm {cmd.year}",
                       f"The {cmd.year} round of collectives")
        rnd.ensure_in_round(cmd.unit_id)
        unit, parent = loading.unit_and_parent(uow, cmd.unit_id)
        basis = competent_for_collective(unit, parent, cmd.decider)
        rnd.rate(cmd.unit_id, cmd.level, cmd.score, cmd.reasons, basis)
        return uow._save(rnd)
    return uow._retrying(attempt)
