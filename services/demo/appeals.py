"""Demo appeals (khiếu nại) on last month's ratings of a demo tenant: every stage and outcome.

- Cán bộ MTTQ (the demo staff user): first instance under review, asked for information.
- Hội LHPN: upheld at first instance; dismissed then upheld by the chair on second instance.
- Đoàn TN: partially upheld at first instance; withdrawn.
- Hội CCB: dismissed twice; dismissed then partially upheld on second instance.
- The head of MTTQ (rated by the chair): dismissed, escalated, waiting for the level above
  (outside the tenant: the parent tenant takes it up through a grant).

Deterministic ids, so loading twice is harmless (the demo loader skips existing tenants).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.actor import Actor, acting_as
from domain.appeal import Outcome
from domain.ids import StaffId, UnitId, evaluation_id_for, period_id_for
from domain.levels import Level
from services.app.appeal_commands import (
    AcceptAppeal,
    DecideAppeal,
    EscalateAppeal,
    FileAppeal,
    RequestAppealInformation,
    WithdrawAppeal,
)
from services.app.appeals import decision_under_appeal
from services.app.commands import PublishPeriod
from services.app.handlers import AppealService
from services.store.eventstore import Evaluations

# (unit key, member index, first-instance outcome or None, second-instance outcome or None,
#  withdrawn after the first instance)
PLAN: list[tuple[str, int, Outcome | None, Outcome | None, bool]] = [
    ("mttq", 2, None, None, False),
    ("hoi-lhpn", 2, Outcome.UPHELD, None, False),
    ("hoi-lhpn", 3, Outcome.DISMISSED, Outcome.UPHELD, False),
    ("doan-tn", 2, Outcome.PARTIALLY_UPHELD, None, False),
    ("doan-tn", 3, Outcome.DISMISSED, None, True),
    ("hoi-ccb", 2, Outcome.DISMISSED, Outcome.DISMISSED, False),
    ("hoi-ccb", 3, Outcome.DISMISSED, Outcome.PARTIALLY_UPHELD, False),
    ("mttq", 0, Outcome.DISMISSED, None, False),  # the head: escalated to the level above
]
BANDS_UP = {"D": ("C", 50.0), "C": ("B", 70.0)}
CEILING = {"A": 100.0, "B": 89.0, "C": 69.0, "D": 49.0}


def _change(level: str, score: float, outcome: Outcome) -> tuple[Level, float] | None:
    """A credible new rating: one level up (upheld, from C or D), else a few points more
    within the level; None when there is no room (the reviewer then dismisses)."""
    if outcome is Outcome.UPHELD and level in BANDS_UP:
        new_level, floor = BANDS_UP[level]
        return Level(new_level), max(floor, score)
    if score >= CEILING[level]:
        return None
    return Level(level), min(CEILING[level], score + 3)


def add_demo_appeals(app: Evaluations, demo_id: Callable[..., UUID], slug: str,
                     today: date) -> None:
    """File and carry the demo appeals of one tenant, on last month's decided ratings."""
    service = AppealService(app)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    with acting_as(Actor("demo-loader", "hr_officer")):  # last month's results are public
        for key in sorted({key for key, *_ in PLAN}):
            unit = UnitId(demo_id(slug, "unit", key))
            service.publish_period(PublishPeriod(period_id_for(unit, "monthly", year, month)))
    for key, index, first, second, withdraw in PLAN:
        staff = StaffId(demo_id(slug, "staff", key, str(index)))
        period = period_id_for(UnitId(demo_id(slug, "unit", key)), "monthly", year, month)
        evaluation = evaluation_id_for(period, staff, "official")
        decision = decision_under_appeal(app, evaluation)
        if decision is None:
            continue
        appeal = uuid5(NAMESPACE_URL, f"urn:congtam:demo/appeal/{slug}/{evaluation}")
        me = Actor(str(staff), "staff")
        with acting_as(me):
            service.file(FileAppeal(appeal, evaluation, str(staff),
                                    "Kết quả chưa phản ánh đúng mức độ hoàn thành nhiệm vụ: "
                                    "các báo cáo đều nộp đúng hạn.",
                                    evidence="Sổ theo dõi văn bản đi tháng trước"))
        _instance(service, appeal, decision.decided_by, first, decision.level, decision.score)
        if first is None or service.appeal(appeal).final:
            continue
        with acting_as(me):
            if withdraw:
                service.withdraw(WithdrawAppeal(appeal, str(staff), "Đã được giải thích rõ."))
                continue
            service.escalate(EscalateAppeal(appeal, str(staff),
                                            "Đề nghị cấp trên xem xét lại kết quả."))
        above = service.appeal(appeal).reviewer
        current = decision_under_appeal(app, evaluation)
        if above is not None and second is not None and current is not None:
            _instance(service, appeal, above, second, current.level, current.score)


def _instance(service: AppealService, appeal: UUID, reviewer: str, outcome: Outcome | None,
              level: str, score: float) -> None:
    with acting_as(Actor(reviewer, "unit_leader")):
        service.accept(AcceptAppeal(appeal, reviewer))
        if outcome is None:
            service.request_information(RequestAppealInformation(
                appeal, reviewer, "Đề nghị nộp bản chụp sổ theo dõi văn bản đi."))
            return
        change = None if outcome is Outcome.DISMISSED else _change(level, score, outcome)
        if change is None:
            # No room to raise the rating: the reviewer dismisses whatever was planned.
            service.decide(DecideAppeal(appeal, reviewer, Outcome.DISMISSED,
                                        "Đã đối chiếu hồ sơ: kết quả xếp loại có căn cứ."))
            return
        service.decide(DecideAppeal(appeal, reviewer, outcome,
                                    "Đối chiếu sổ văn bản: các báo cáo đúng hạn, điều chỉnh "
                                    "kết quả.", *change))
