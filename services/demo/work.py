"""A month of work outputs in each demo tenant (Decree 335/2025, from 2026): the national
monthly policy adopted before the current month opens, a catalogue established and revised,
every unit's people given catalogue and ad-hoc work, reporting it, and their leader
confirming it — on time, late, late with an accepted objective cause, failing a check; one
item reassigned, one cancelled. In the Veterans' Association the month runs to the end: the
decisions are computed from that work, one of them a level above the computed score, with
reasons, as the leader's accountability record shows.

Deterministic like the rest of the demo: ids from ``demo_id``, choices from a seeded RNG.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from uuid import UUID

from domain.actor import Actor, acting_as
from domain.catalogue import Catalogue, CatalogueItem, ChildAllowance
from domain.ids import PeriodId, StaffId, UnitId, period_id_for
from domain.levels import Level
from domain.work_item import Assignment, Quality, Timeliness
from services.app import loading
from services.app.commands import AdoptPolicy, DecideRating, OpenPeriod, SubmitSelfAssessment
from services.app.handlers import TenantService
from services.app.work_commands import (
    AssignWork,
    CancelWork,
    ConfirmWork,
    EstablishCatalogue,
    ReassignWork,
    ReportWorkDone,
)

DECIDED_UNIT = "hoi-ccb"  # the unit whose month is decided from work in the demo
POSITION = "Chuyên viên"
CATALOGUE = Catalogue(version="draft", items=(
    CatalogueItem("ho-so", POSITION, "Thẩm định, giải quyết hồ sơ", "hồ sơ", 1.0, 0.5, 1.5),
    CatalogueItem("bao-cao", POSITION, "Báo cáo chuyên đề", "báo cáo", 2.0),
    CatalogueItem("tiep-dan", POSITION, "Tiếp công dân", "buổi", 0.5),
), ad_hoc_min=0.25, ad_hoc_max=3.0,
    allowance=ChildAllowance(add_items=True, adjust_items=("ho-so",)))
REVISED = Catalogue(version="draft", items=(*CATALOGUE.items,
    CatalogueItem("van-ban", POSITION, "Dự thảo văn bản hành chính", "văn bản", 1.5)),
    ad_hoc_min=0.25, ad_hoc_max=3.0, allowance=CATALOGUE.allowance)


def open_work_month(service: TenantService, today: date, unit_ids: list[UnitId]) -> None:
    """From 2026 the month is tracked by work (Decree 335): adopt the national monthly policy
    before this month opens, so the open month carries it (earlier months keep theirs)."""
    service.adopt_policy(AdoptPolicy("monthly", "vn-monthly-2026",
                                     "Nghị định 335/2025/NĐ-CP, hiệu lực từ 01/01/2026"))
    for unit_id in unit_ids:
        service.open_period(OpenPeriod(unit_id, today.year, today.month))


def add_demo_work(service: TenantService, slug: str, today: date,
                  demo_id: Callable[..., UUID], units: list[str], per_unit: int) -> None:
    """The month's work in every unit; the Veterans' Association's month decided from it."""
    rng = random.Random(f"work/{slug}")  # noqa: S311 - reproducible demo data
    service.establish_catalogue(EstablishCatalogue(
        CATALOGUE, "Danh mục sản phẩm theo vị trí việc làm (Sở Nội vụ hướng dẫn)"))
    service.establish_catalogue(EstablishCatalogue(
        REVISED, "Bổ sung sản phẩm dự thảo văn bản"))
    y, m = today.year, today.month
    first, deadline = date(y, m, 1), date(y, m, 15)
    for key in units:
        leader = demo_id(slug, "staff", key, "0")
        people = [StaffId(demo_id(slug, "staff", key, str(i))) for i in range(1, per_unit)]
        period = service.find_period(period_id_for(UnitId(demo_id(slug, "unit", key)),
                                                   "monthly", y, m))
        people = [p for p in people if period is not None and p in period.members]
        if not people:
            continue
        with acting_as(Actor(str(leader), "unit_leader")):
            common = [demo_id(slug, "work", key, "ho-so", str(p)) for p in people]
            expected = float(rng.choice([4, 6, 8]))
            service.assign_work(AssignWork(tuple(common), tuple(people), str(leader), Assignment(
                "monthly", y, m, first, deadline, expected, "ho-so")))
            own = []
            for p in people:
                item = demo_id(slug, "work", key, "ad-hoc", str(p))
                service.assign_work(AssignWork((item,), (p,), str(leader), Assignment(
                    "monthly", y, m, first, deadline, 1.0, None, "Tổng hợp kiến nghị cử tri",
                    rng.choice([0.5, 1.0, 2.0]))))
                own.append(item)
        _report_and_confirm(service, rng, leader, list(zip(people, common, own, strict=True)),
                            first, expected)
        if key == "mttq" and len(people) > 2:  # one reassigned, one cancelled
            with acting_as(Actor(str(leader), "unit_leader")):
                service.assign_work(AssignWork(
                    (demo_id(slug, "work", key, "extra"),), (people[0],), str(leader),
                    Assignment("monthly", y, m, first, deadline, 2.0, "tiep-dan")))
                service.reassign_work(ReassignWork(
                    item_id=demo_id(slug, "work", key, "extra"), by=str(leader),
                    new_item_id=demo_id(slug, "work", key, "extra2"), to_staff=people[1],
                    on=first, reasons="Người được giao đi học tập trung"))
                dropped = demo_id(slug, "work", key, "cancelled")
                service.assign_work(AssignWork(
                    (dropped,), (people[2],), str(leader),
                    Assignment("monthly", y, m, first, deadline, 1.0, "bao-cao")))
                service.cancel_work(CancelWork(dropped, str(leader),
                                               "Nhiệm vụ đã được cấp trên giao đơn vị khác"))
    _decide_from_work(service, slug, today, demo_id, per_unit)


def add_open_item(service: TenantService, slug: str, today: date,
                  demo_id: Callable[..., UUID], unit: str, index: int) -> None:
    """One item of the month left to report, for the công chức the sign-in lists, so the
    person's side (my work, report done, my breakdown) can be walked with the demo."""
    leader, person = demo_id(slug, "staff", unit, "0"), demo_id(slug, "staff", unit, str(index))
    y, m = today.year, today.month
    with acting_as(Actor(str(leader), "unit_leader")):
        service.assign_work(AssignWork(
            (demo_id(slug, "work", unit, "open", str(person)),), (StaffId(person),),
            str(leader), Assignment("monthly", y, m, date(y, m, 1), date(y, m, 25), 1.0,
                                    None, "Báo cáo kết quả thực hiện nhiệm vụ tháng", 1.0)))


def _report_and_confirm(service: TenantService, rng: random.Random, leader: UUID,
                        work: list[tuple[StaffId, UUID, UUID]], first: date,
                        expected: float) -> None:
    for n, (person, common, own) in enumerate(work):
        with acting_as(Actor(str(person), "staff")):
            service.report_work_done(ReportWorkDone(
                common, str(person), expected, date(first.year, first.month, 12),
                "Sổ theo dõi giải quyết hồ sơ của bộ phận một cửa"))
            service.report_work_done(ReportWorkDone(
                own, str(person), 1.0, date(first.year, first.month, 14 + n % 5),
                "Báo cáo tổng hợp gửi Thường trực"))
        with acting_as(Actor(str(leader), "unit_leader")):
            service.confirm_work(ConfirmWork(common, str(leader), Quality.MEETS,
                                             Timeliness.ON_TIME))
            late = 14 + n % 5 > 15
            fails = rng.random() < 0.2
            waived = late and n % 3 == 0
            service.confirm_work(ConfirmWork(
                own, str(leader), Quality.FAILS if fails else Quality.MEETS,
                Timeliness.LATE if late else Timeliness.ON_TIME, timeliness_waived=waived,
                waiver_reasons="Chờ số liệu của cấp trên gửi chậm (nguyên nhân khách quan)"
                if waived else "", comment="Cần bổ sung số liệu" if fails else ""))


def _decide_from_work(service: TenantService, slug: str, today: date,
                      demo_id: Callable[..., UUID], per_unit: int) -> None:
    """Members first (their civil servants on the computed score), the head last."""
    unit = UnitId(demo_id(slug, "unit", DECIDED_UNIT))
    period_id = PeriodId(period_id_for(unit, "monthly", today.year, today.month))
    period = service.find_period(period_id)
    if period is None:
        return
    leader = StaffId(demo_id(slug, "staff", DECIDED_UNIT, "0"))
    chair = demo_id(slug, "staff", "ubnd", "0")
    people = [StaffId(demo_id(slug, "staff", DECIDED_UNIT, str(i))) for i in range(per_unit)]
    people = [p for p in people if p in period.members]
    for n, person in enumerate(people):
        with acting_as(Actor(str(person), "staff")):
            service.submit_self_assessment(SubmitSelfAssessment(
                period_id, person, float(88 - 3 * (n % 4)), [], "Tự đánh giá theo tháng"))
    above_once = False
    for person in [p for p in people if p != leader] + [leader]:
        decider = chair if person == leader else leader
        found = service.period_breakdown(person, "monthly", today.year, today.month)
        assert found is not None
        scored, _, _, breakdown, _ = found
        evaluation = loading.evaluation(service, period, person)
        self_score = float(evaluation.self_score or 0)
        level = breakdown.level if scored else service.policy_for("monthly").bands.level_for(
            self_score)
        score = breakdown.score if scored else self_score
        reasons = ""
        if scored and not above_once and level is not Level.A:
            level, above_once = _one_above(level), True
            reasons = "Hoàn thành xuất sắc đợt cao điểm tiếp công dân, được Thường trực biểu dương"
        elif evaluation.self_level is not None and evaluation.self_level != level.value:
            reasons = "Mức xếp loại theo điểm tính từ kết quả công việc được giao"
        with acting_as(Actor(str(decider), "unit_leader")):
            service.decide_rating(DecideRating(period_id, person, level, score, reasons,
                                               str(decider)))


def _one_above(level: Level) -> Level:
    return next(lv for lv in sorted(Level, key=lambda lv: lv.rank) if lv.rank > level.rank)
