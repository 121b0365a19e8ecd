"""The rest of a demo tenant's life, so that ``congtam demo`` records every kind of event:
the annual policy adopted and adjusted for the coming round, a unit flagged outstanding,
staff records (profile, absence, discipline), opinions on this month's evaluations, and an
appeal filed again after a withdrawal, with information asked for and provided.

Recorded after the demo year and last month are decided, so none of it re-judges them (a
period keeps the policy, peer groups and outstanding flag it was opened with).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.actor import Actor, acting_as
from domain.ids import PeriodId, StaffId, UnitId, evaluation_id_for, period_id_for
from services.app.appeal_commands import (
    AcceptAppeal,
    FileAppeal,
    ProvideAppealInformation,
    RequestAppealInformation,
)
from services.app.commands import (
    AdjustPolicy,
    AdoptPolicy,
    AttachOpinion,
    FlagOutstandingUnit,
    RecordAbsence,
    RecordDiscipline,
    UpdateStaffProfile,
)
from services.app.handlers import AppealService, TenantService

WITHDRAWN = ("doan-tn", 3)  # the demo appeal withdrawn after the first instance


def add_demo_records(service: TenantService, slug: str, today: date,
                     demo_id: Callable[..., UUID]) -> None:
    hr = Actor(str(demo_id(slug, "staff", "ubnd", "1")), "hr_officer")

    def staff(key: str, index: int) -> StaffId:
        return StaffId(demo_id(slug, "staff", key, str(index)))

    with acting_as(hr):
        service.adopt_policy(AdoptPolicy("annual", "vn-annual-2026",
                                         "Áp dụng Nghị định 335/2025/NĐ-CP cho đánh giá năm"))
        service.adjust_policy(AdjustPolicy("annual", {"appeal_window_days": 15},
                                           "Thời hạn khiếu nại 15 ngày theo quy chế phường"))
        service.flag_outstanding(FlagOutstandingUnit(
            UnitId(demo_id(slug, "unit", "hoi-lhpn")), today.year + 1, True,
            "Đơn vị dẫn đầu phong trào thi đua năm"))
        for index in (4, 5):
            service.update_staff_profile(UpdateStaffProfile(
                staff("mttq", index), peer_group="Chuyên viên công tác dân vận",
                party_member=True, party_cell="Chi bộ Mặt trận"))
        service.record_absence(RecordAbsence(staff("hoi-ccb", 4), today - timedelta(days=40),
                                             today - timedelta(days=26), reason="Nghỉ ốm"))
        service.record_discipline(RecordDiscipline(staff("doan-tn", 5), today - timedelta(days=20),
                                                   "khiển trách", "QĐ kỷ luật (demo)"))
    _opinions(service, slug, today, demo_id, hr)
    _appeal_again(service, slug, today, demo_id)


def _opinions(service: TenantService, slug: str, today: date, demo_id: Callable[..., UUID],
              hr: Actor) -> None:
    """Opinions on this month's evaluation of a Front official: a colleague's and the
    citizens' satisfaction from the one-stop desk (never decisive alone)."""
    period = period_id_for(UnitId(demo_id(slug, "unit", "mttq")), "monthly", today.year,
                           today.month)
    rated = StaffId(demo_id(slug, "staff", "mttq", "3"))
    colleague = str(demo_id(slug, "staff", "mttq", "4"))
    with acting_as(Actor(colleague, "staff")):
        service.attach_opinion(AttachOpinion(PeriodId(period), rated, "colleague", colleague,
                                             "Nhiệt tình, phối hợp tốt với các tổ dân phố"))
    with acting_as(hr):
        service.attach_opinion(AttachOpinion(PeriodId(period), rated, "citizens", hr.user_id,
                                             "Khảo sát tại bộ phận một cửa", 94.0))


def _appeal_again(service: TenantService, slug: str, today: date,
                  demo_id: Callable[..., UUID]) -> None:
    """The person who withdrew files again on the same rating (the rating's docket lodges
    the new appeal); the decider asks for information and the person provides it."""
    key, index = WITHDRAWN
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    period = period_id_for(UnitId(demo_id(slug, "unit", key)), "monthly", *last)
    person = StaffId(demo_id(slug, "staff", key, str(index)))
    evaluation = evaluation_id_for(period, person, "official")
    appeals = AppealService(service.app)
    appeal = uuid5(NAMESPACE_URL, f"urn:congtam:demo/appeal-again/{slug}/{evaluation}")
    with acting_as(Actor(str(person), "staff")):
        appeals.file(FileAppeal(appeal, evaluation, str(person),
                                "Bổ sung căn cứ mới: biên bản nghiệm thu công trình thanh niên."))
    reviewer = appeals.appeal(appeal).reviewer
    if reviewer is None:
        return
    with acting_as(Actor(reviewer, "unit_leader")):
        appeals.accept(AcceptAppeal(appeal, reviewer))
        appeals.request_information(RequestAppealInformation(
            appeal, reviewer, "Đề nghị nộp biên bản nghiệm thu có chữ ký."))
    with acting_as(Actor(str(person), "staff")):
        appeals.provide_information(ProvideAppealInformation(
            appeal, str(person), "Đã nộp bản chụp biên bản nghiệm thu ngày 20."))
