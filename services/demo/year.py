"""A year of demo history for one tenant: every month rated, published and closed, with quota
exceptions, a transfer between units, and quarterly roll-ups decided from the months.

Each unit-month is one save (the period and all its evaluations, atomically), through the
same domain rules as the one-at-a-time handlers: competent decider, eligibility, bands,
quota. That keeps ``make run`` quick while the log holds what a real year would.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from uuid import UUID

from domain.actor import Actor, acting_as
from domain.commendation import COLLECTIVE, commendation_id, year_basis
from domain.errors import QuotaExceededError
from domain.ids import PeriodId, StaffId, UnitId
from domain.levels import Level
from domain.organisation import Unit, competent_decider
from domain.policy import SCOPE_UNIT
from services.app import loading
from services.app.commands import (
    ClosePeriod,
    OpenCollectiveRound,
    OpenPeriod,
    ProposeRollups,
    PublishPeriod,
    RateCollective,
    TransferStaff,
)
from services.app.commendations import (
    DecideCommendation,
    Nominee,
    ProposeCommendations,
)
from services.app.handlers import TenantService

SCORES = [72.0, 78.0, 81.0, 85.0, 88.0, 91.0, 93.0, 95.0, 65.0, 45.0]
TASK = {"title": "Thực hiện nhiệm vụ chuyên môn tháng", "quantity": 4, "quality": "đạt",
        "quality_percent": 95, "on_time": True, "evidence": "Báo cáo tháng"}
MONTHS_BEFORE_LAST = 11  # with last month (loaded by the base demo): a year of months


def months_back(today: date, count: int) -> list[tuple[int, int]]:
    """The ``count`` months before last month, oldest first."""
    index = today.year * 12 + today.month - 1 - 2  # two months ago
    return [(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def rate_month(service: TenantService, period_id: UUID, rng: random.Random,
               leaders: dict[UUID, str], exception_by: str | None) -> None:
    """Self-assess and decide everyone of one unit-month, then save once.

    A leader wanting one more A than the quota allows asks the level above first; without
    it, the person gets B with reasons (the rule, not a shortcut).
    """
    period = loading.period(service, period_id)
    unit, parent = loading.units_of(service, period)
    policy = period.policy
    changed: list[object] = [period]
    wants_exception = exception_by is not None
    for member in sorted(period.members, key=lambda m: m != unit.leader_id):
        decider = leaders.get(member)
        evaluation = loading.evaluation(service, period, member)
        score = rng.choice(SCORES)
        with acting_as(Actor(str(member), "staff")):
            evaluation.submit_self_assessment(score, [TASK], "", policy)
        if decider is None:  # the head of the root unit is rated outside the tenant
            changed.append(evaluation)
            continue
        level, reasons = policy.bands.level_for(score), ""
        with acting_as(Actor(decider, "unit_leader")):
            basis = competent_decider(StaffId(member), unit, parent, decider)
            try:
                period.register_decision(member, level)
            except QuotaExceededError:
                if wants_exception and exception_by is not None:
                    with acting_as(Actor(exception_by, "unit_leader")):
                        period.grant_quota_exception(
                            level, SCOPE_UNIT, 1, "Hoàn thành xuất sắc nhiệm vụ đột xuất "
                            "được giao trong tháng", f"Người đứng đầu {parent.name}"
                            if parent else "Cấp trên")
                    wants_exception = False
                    period.register_decision(member, level)
                else:
                    level, score = Level.B, min(score, 89.0)
                    reasons = "Đơn vị đã hết tỷ lệ xuất sắc trong tháng."
                    period.register_decision(member, level)
            # Monthly eligibility is only "had started work"; the demo staff all had.
            evaluation.decide(level, score, reasons, policy, basis)
        changed.append(evaluation)
    service._save(*changed)  # type: ignore[arg-type]


def add_demo_year(service: TenantService, slug: str, today: date,
                  demo_id: Callable[..., UUID], unit_keys: list[str], staff_per_unit: int
                  ) -> None:
    """Eleven months before last month, rated, published and closed; a transfer in the
    middle of the year; quarterly roll-ups for the complete quarters among them; the round
    of collectives of the first calendar year."""
    rng = random.Random(f"{slug}/year")  # noqa: S311 - reproducible demo data
    hr = Actor(str(demo_id(slug, "staff", "ubnd", "1")), "hr_officer")
    chair = str(demo_id(slug, "staff", "ubnd", "0"))
    units = {key: UnitId(demo_id(slug, "unit", key)) for key in unit_keys}
    months = months_back(today, MONTHS_BEFORE_LAST)
    for index, (year, month) in enumerate(months):
        if index == len(months) // 2:  # mid-year: a veteran moves to the Youth Union
            mover = StaffId(demo_id(slug, "staff", "hoi-ccb", str(staff_per_unit - 1)))
            with acting_as(hr):
                service.transfer_staff(TransferStaff(mover, units["doan-tn"],
                                                     "Điều động theo yêu cầu công tác"))
        for key, unit_id in units.items():
            leader = str(demo_id(slug, "staff", key, "0"))
            unit = service._get(Unit, unit_id, "đơn vị", "Unit")
            leaders = {m: (chair if m == unit.leader_id else leader) for m in unit.members}
            if key == "ubnd":
                leaders.pop(UUID(chair), None)
            with acting_as(hr):
                period_id, _ = service.open_period(OpenPeriod(unit_id, year, month))
            exception = chair if key != "ubnd" and month % 4 == 0 else None
            rate_month(service, period_id, rng, leaders, exception)
            with acting_as(hr):
                service.publish_period(PublishPeriod(PeriodId(period_id)))
                service.close_period(ClosePeriod(PeriodId(period_id)))
    _quarters(service, slug, months, units, demo_id, hr)
    _collectives(service, months[0][0], units, chair, hr)


def _collectives(service: TenantService, year: int, units: dict[str, UnitId], chair: str,
                 hr: Actor) -> None:
    """The round of collectives of the demo year's first calendar year: the chair rates each
    unit below the People's Committee (the committee itself is rated above the tenant)."""
    with acting_as(hr):
        service.open_collective_round(OpenCollectiveRound(year))
    for index, (key, unit_id) in enumerate(sorted(units.items())):
        if key == "ubnd":
            continue
        level, score = (Level.A, 92.0) if index in (1, 2) else (Level.B, 84.0)
        with acting_as(Actor(chair, "unit_leader")):
            service.rate_collective(RateCollective(
                unit_id, year, level, score, "Hoàn thành các chỉ tiêu được giao trong năm",
                chair))
    _commendations(service, year, [u for i, (_, u) in enumerate(sorted(units.items()))
                                   if i in (1, 2)], chair, hr)


def _commendations(service: TenantService, year: int, excellent: list[UnitId], chair: str,
                   hr: Actor) -> None:
    """HR proposes the collectives rated A for commendation; the chair approves the first
    and returns the second."""
    basis = year_basis(year)
    with acting_as(hr):
        service.propose_commendations(ProposeCommendations(
            basis, tuple(Nominee(u, COLLECTIVE, (f"{year}: A (tập thể)",)) for u in excellent),
            "Hoàn thành xuất sắc nhiệm vụ năm", hr.user_id))
    with acting_as(Actor(chair, "unit_leader")):
        for unit_id, approve in zip(excellent, (True, False), strict=False):
            service.decide_commendation(DecideCommendation(
                commendation_id(basis, unit_id), approve,
                "Đồng ý đề nghị" if approve else "Đề nghị bổ sung thành tích nổi bật", chair))


def _quarters(service: TenantService, slug: str, months: list[tuple[int, int]],
              units: dict[str, UnitId], demo_id: Callable[..., UUID], hr: Actor) -> None:
    covered = set(months)
    quarters = sorted({(y, (m - 1) // 3 + 1) for y, m in months
                       if all((y, 3 * ((m - 1) // 3) + k) in covered for k in (1, 2, 3))})
    chair = str(demo_id(slug, "staff", "ubnd", "0"))
    for year, quarter in quarters[-2:]:  # the last two complete quarters
        for key, unit_id in units.items():
            leader = str(demo_id(slug, "staff", key, "0"))
            with acting_as(hr):
                period_id, _ = service.open_period(OpenPeriod(unit_id, year, quarter,
                                                              kind="quarterly"))
                service.propose_rollups(ProposeRollups(PeriodId(period_id), hr.user_id))
            period = loading.period(service, period_id)
            unit, parent = loading.units_of(service, period)
            changed: list[object] = [period]
            for member in sorted(period.members, key=lambda m: m == unit.leader_id):
                evaluation = loading.evaluation(service, period, member)
                if evaluation.proposed_level is None:
                    continue
                decider = chair if member == unit.leader_id else leader
                if key == "ubnd" and member == unit.leader_id:
                    continue
                score = float(evaluation.proposed_score or 0)
                level = Level(evaluation.proposed_level)
                with acting_as(Actor(decider, "unit_leader")):
                    basis = competent_decider(StaffId(member), unit, parent, decider)
                    try:
                        period.register_decision(member, level)
                    except QuotaExceededError:
                        level = Level.B
                        score = min(score, 89.0)
                        period.register_decision(member, level)
                    evaluation.decide(level, score, "Theo kết quả tổng hợp các tháng"
                                      if level.value == evaluation.proposed_level else
                                      "Đơn vị đã hết tỷ lệ xuất sắc trong quý.", period.policy,
                                      basis)
                changed.append(evaluation)
            service._save(*changed)  # type: ignore[arg-type]
            with acting_as(hr):
                service.publish_period(PublishPeriod(PeriodId(period_id)))
