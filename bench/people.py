"""Synthetic staff and their months, written through the real TenantService.

Everything here is synchronous (the ``eventsourcing`` library is) and deterministic for a
given ``random.Random``: two runs of one scale generate the same organisation and scores.
Scores keep the rules true (the A quota, a level within the score's band, reasons when a
decision departs from the self-assessment), so no generated command is ever refused.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.actor import Actor, acting_as
from domain.ids import PeriodId, StaffId, UnitId
from domain.organisation import StaffType
from domain.policy import HANOI_MONTHLY_2018
from services.app.commands import (
    AppointLeader,
    ClosePeriod,
    DecideRating,
    OpenPeriod,
    RegisterStaff,
    RegisterUnit,
    SubmitSelfAssessment,
)
from services.app.handlers import TenantService
from services.platform.tenants import Tenant

UNITS = [
    ("Ủy ban Mặt trận Tổ quốc", "fatherland_front"),
    ("Hội Liên hiệp Phụ nữ", "womens_union"),
    ("Đoàn TNCS Hồ Chí Minh", "youth_union"),
    ("Hội Cựu chiến binh", "veterans_association"),
    ("Văn phòng HĐND và UBND", "office"),
    ("Phòng Kinh tế", "office"),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Hồng", "Đức", "Thu", "Quang", "Thanh", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long",
         "Mai", "Nam", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]
TASKS = ["Báo cáo công tác tháng", "Tiếp công dân", "Giải quyết hồ sơ một cửa",
         "Kiểm tra trật tự đô thị", "Tổ chức hội nghị", "Cập nhật cơ sở dữ liệu dân cư"]
HR = Actor("bench-hr", "hr_officer")
POLICY = HANOI_MONTHLY_2018


@dataclass
class BenchUnit:
    """One unit of a generated tenant, and the next month nobody has opened yet."""

    tenant: Tenant
    tenant_index: int
    index: int  # within its tenant; used to spread paths across tenants
    unit_id: UnitId
    chair: StaffId  # head of the root unit: decides this unit's leader
    leader: StaffId
    members: list[StaffId] = field(default_factory=list)
    next_month: int = 0

    def take_month(self) -> int:
        month = self.next_month
        self.next_month += 1
        return month


def new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def build_units(service: TenantService, tenant: Tenant, tenant_index: int, units: int,
                members: int, rng: random.Random) -> list[BenchUnit]:
    """A People's Committee with its chair, and ``units`` units of a leader + ``members``."""
    out: list[BenchUnit] = []
    with acting_as(HR):
        root, chair = UnitId(new_id(rng)), StaffId(new_id(rng))
        service.register_unit(RegisterUnit(root, "Ủy ban nhân dân", "people_committee"))
        service.register_staff(RegisterStaff(chair, _name(rng), "cadre", "Chủ tịch", root, True))
        service.appoint_leader(AppointLeader(root, chair))
        for u in range(units):
            name, kind = UNITS[u % len(UNITS)]
            if u >= len(UNITS):
                name = f"{name} {u // len(UNITS) + 1}"
            unit, leader = UnitId(new_id(rng)), StaffId(new_id(rng))
            service.register_unit(RegisterUnit(unit, name, kind, root))
            service.register_staff(RegisterStaff(leader, _name(rng), "cadre", "Trưởng đơn vị",
                                                 unit, True))
            service.appoint_leader(AppointLeader(unit, leader))
            bench_unit = BenchUnit(tenant, tenant_index, u, unit, chair, leader)
            for _ in range(members):
                staff = StaffId(new_id(rng))
                service.register_staff(RegisterStaff(
                    staff, _name(rng), rng.choice(list(StaffType)).value, "Chuyên viên", unit,
                    rng.random() < 0.5))
                bench_unit.members.append(staff)
            out.append(bench_unit)
    return out


def open_month(service: TenantService, unit: BenchUnit, year: int, month: int) -> PeriodId:
    with acting_as(HR):
        period_id, _ = service.open_period(OpenPeriod(unit.unit_id, year, month))
    return PeriodId(period_id)


def plan_scores(rng: random.Random, people: int) -> list[float]:
    """Decided scores for a whole period: mostly B, some A (never past the quota), few C/D."""
    cap = POLICY.excellent_cap(people)
    scores: list[float] = []
    for _ in range(people):
        r = rng.random()
        low, high = (90, 98) if r < 0.2 else (70, 89.9) if r < 0.85 else (
            50, 69.9) if r < 0.97 else (30, 49.9)
        score = round(rng.uniform(low, high), 1)
        if score >= POLICY.bands.excellent:
            if cap == 0:
                score = 89.0  # the quota is spent: the leader settles on B
            else:
                cap -= 1
        scores.append(score)
    return scores


def self_score_for(rng: random.Random, decided: float) -> float:
    """People rate themselves near what they will get, a little more often above."""
    return round(min(100.0, max(0.0, decided + rng.uniform(-4, 6))), 1)


def tasks(rng: random.Random) -> list[dict[str, Any]]:
    return [{"title": rng.choice(TASKS), "quantity": rng.randint(1, 12), "quality": "đạt",
             "on_time": rng.random() < 0.9, "evidence": f"Báo cáo số {rng.randint(1, 99)}/BC"}
            for _ in range(rng.randint(1, 3))]


def self_assess(service: TenantService, period: PeriodId, staff: StaffId, score: float,
                rng: random.Random) -> int:
    with acting_as(Actor(str(staff), "staff")):
        return service.submit_self_assessment(
            SubmitSelfAssessment(period, staff, score, tasks(rng), "Hoàn thành nhiệm vụ"))


def decide(service: TenantService, unit: BenchUnit, period: PeriodId, staff: StaffId,
           score: float, self_score: float | None) -> int:
    """The competent leader decides: the unit's leader for members, the chair for the leader."""
    decider = unit.chair if staff == unit.leader else unit.leader
    level = POLICY.bands.level_for(score)
    departs = self_score is not None and POLICY.bands.level_for(self_score) != level
    reasons = "Còn chậm tiến độ một số nhiệm vụ trong tháng." if departs else ""
    with acting_as(Actor(str(decider), "unit_leader")):
        return service.decide_rating(
            DecideRating(period, staff, level, score, reasons, str(decider)))


def rate_month(service: TenantService, unit: BenchUnit, year: int, month: int,
               rng: random.Random, *, close: bool = True) -> int:
    """A whole month of one unit: open, self-assessments (95% of people), decisions, close."""
    period = open_month(service, unit, year, month)
    people: Sequence[StaffId] = [unit.leader, *unit.members]
    decided = plan_scores(rng, len(people))
    selves: list[float | None] = []
    position = 0
    for staff, score in zip(people, decided, strict=True):
        own = self_score_for(rng, score) if rng.random() < 0.95 else None
        if own is not None:
            self_assess(service, period, staff, own, rng)
        selves.append(own)
    for staff, score, own in zip(people, decided, selves, strict=True):
        position = decide(service, unit, period, staff, score, own)
    if close:
        with acting_as(HR):
            position = service.close_period(ClosePeriod(period))
    return position
