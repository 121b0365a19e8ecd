"""Typed identifiers, so a staff id is never passed where a unit id is expected."""

from __future__ import annotations

from typing import NewType
from uuid import NAMESPACE_URL, UUID, uuid5

TenantSlug = NewType("TenantSlug", str)
UnitId = NewType("UnitId", UUID)
StaffId = NewType("StaffId", UUID)
PeriodId = NewType("PeriodId", UUID)
EvaluationId = NewType("EvaluationId", UUID)

_NS = uuid5(NAMESPACE_URL, "urn:congtam")


def period_id_for(unit_id: UnitId, kind: str, year: int, number: int) -> PeriodId:
    """One period per unit, kind and calendar slot: opening it twice is detectable."""
    return PeriodId(uuid5(_NS, f"period/{unit_id}/{kind}/{year}/{number}"))


def evaluation_id_for(period_id: PeriodId, staff_id: StaffId, subject: str) -> EvaluationId:
    """Rule: one evaluation per person per period per subject type."""
    return EvaluationId(uuid5(_NS, f"evaluation/{period_id}/{staff_id}/{subject}"))


def collective_round_id(year: int) -> UUID:
    """One round of collectives (đánh giá tập thể) per tenant and year."""
    return uuid5(_NS, f"collective-round/{year}")
