"""GraphQL types of appeals and leader accountability, each built from a read-model row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.appeal import Outcome
from services.gql.names import person_name
from services.gql.types import Level, level_of

# The outcomes are the domain's own, named for the API.
strawberry.enum(Outcome, name="AppealOutcome",
                description="Kết quả giải quyết khiếu nại / outcome of an appeal")


def _num(value: Any) -> float | None:
    return float(value) if value is not None else None


@strawberry.type(description="Một bước của khiếu nại / one step of an appeal")
class AppealStep:
    position: int
    instance: int
    step: str
    actor: str
    capacity: str
    at: datetime
    note: str
    level: Level | None
    score: float | None

    @classmethod
    def from_row(cls, r: Any) -> AppealStep:
        return cls(position=r["position"], instance=r["instance"], step=r["step"],
                   actor=r["actor"], capacity=r["capacity"], at=r["at"], note=r["note"],
                   level=level_of(r["level"]), score=_num(r["score"]))

    @strawberry.field(description="Người thực hiện (họ tên) / who acted, by name")
    async def actor_name(self, info: Info[Any, Any]) -> str | None:
        return await person_name(info, self.actor)


@strawberry.type(description="Khiếu nại về kết quả xếp loại / an appeal against a rating")
class Appeal:
    id: strawberry.ID
    evaluation_id: strawberry.ID
    staff_id: strawberry.ID
    staff_name: str | None
    unit_id: strawberry.ID
    year: int
    month: int
    decided_by: str
    decided_level: Level
    decided_score: float
    decided_on: date
    grounds: str
    level_claimed: Level | None
    evidence: str
    filed_on: date
    status: str
    instance: int
    reviewer: str | None
    reviewer_tenant: str | None
    due_on: date
    overdue: bool
    first_reviewer: str | None
    first_outcome: Outcome | None
    escalate_by: date | None
    outcome: Outcome | None
    current_level: Level
    current_score: float
    position: int
    steps: list[AppealStep]

    @classmethod
    def from_row(cls, r: Any, today: date, steps: list[AppealStep] | None = None) -> Appeal:
        open_ = r["status"] in ("awaiting_reviewer", "assigned", "under_review",
                                "awaiting_information")
        return cls(
            id=strawberry.ID(str(r["appeal_id"])),
            evaluation_id=strawberry.ID(str(r["evaluation_id"])),
            staff_id=strawberry.ID(str(r["staff_id"])), staff_name=r["full_name"],
            unit_id=strawberry.ID(str(r["unit_id"])), year=r["year"], month=r["number"],
            decided_by=r["decided_by"], decided_level=Level(r["decided_level"]),
            decided_score=float(r["decided_score"]), decided_on=r["decided_on"],
            grounds=r["grounds"], level_claimed=level_of(r["level_claimed"]),
            evidence=r["evidence"], filed_on=r["filed_on"], status=r["status"],
            instance=r["instance"], reviewer=r["reviewer"],
            reviewer_tenant=r["reviewer_tenant"] or None, due_on=r["due_on"],
            overdue=open_ and r["due_on"] < today, first_reviewer=r["first_reviewer"],
            first_outcome=Outcome(r["first_outcome"]) if r["first_outcome"] else None,
            escalate_by=r["escalate_by"],
            outcome=Outcome(r["outcome"]) if r["outcome"] else None,
            current_level=Level(r["current_level"]), current_score=float(r["current_score"]),
            position=r["position"], steps=steps or [],
        )

    @strawberry.field(description="Người đã quyết định (họ tên) / who decided, by name")
    async def decided_by_name(self, info: Info[Any, Any]) -> str | None:
        return await person_name(info, self.decided_by)

    @strawberry.field(description="Người giải quyết (họ tên) / the reviewer, by name")
    async def reviewer_name(self, info: Info[Any, Any]) -> str | None:
        return await person_name(info, self.reviewer)


@strawberry.type(description="Trách nhiệm giải trình của một lãnh đạo / a leader's record")
class LeaderAccountability:
    leader_id: str
    leader_name: str | None
    decisions: int
    appealed: int
    overturned: int
    above_computed: int = strawberry.field(description=(
        "Quyết định cao hơn mức điểm tính từ kết quả công việc (có lý do; NĐ 335/2025)"))
    share_appealed: float
    share_overturned: float
    avg_hours_to_decide: float | None

    @classmethod
    def from_row(cls, r: Any) -> LeaderAccountability:
        n = r["decisions"]
        return cls(leader_id=r["decider"], leader_name=r["full_name"], decisions=n,
                   appealed=r["appealed"], overturned=r["overturned"],
                   above_computed=r["above_computed"],
                   share_appealed=r["appealed"] / n if n else 0.0,
                   share_overturned=r["overturned"] / n if n else 0.0,
                   avg_hours_to_decide=_num(r["avg_hours_to_decide"]))


@strawberry.type(description="Một quyết định xếp loại và điều xảy ra sau đó")
class LeaderDecision:
    evaluation_id: strawberry.ID
    staff_id: strawberry.ID
    staff_name: str | None
    year: int
    month: int
    decider: str
    capacity: str
    policy_version: str
    level: Level
    score: float
    reasons: str
    decided_at: datetime
    appeals: int
    overturned: bool
    overturned_by: str | None
    overturned_at: datetime | None
    overturn_appeal_id: strawberry.ID | None
    amended_level: Level | None
    computed_score: float | None = strawberry.field(
        default=None, description="Điểm tính từ kết quả công việc (NĐ 335/2025), nếu có")
    computed_level: Level | None = None
    above_computed: bool = strawberry.field(
        default=False, description="Mức quyết định cao hơn mức điểm tính được (có lý do)")

    @classmethod
    def from_row(cls, r: Any) -> LeaderDecision:
        appeal = r["overturn_appeal_id"]
        return cls(
            evaluation_id=strawberry.ID(str(r["evaluation_id"])),
            staff_id=strawberry.ID(str(r["staff_id"])), staff_name=r["full_name"],
            year=r["year"], month=r["number"], decider=r["decider"], capacity=r["capacity"],
            policy_version=r["policy_version"], level=Level(r["level"]),
            score=float(r["score"]), reasons=r["reasons"], decided_at=r["decided_at"],
            appeals=r["appeals"], overturned=r["overturned"], overturned_by=r["overturned_by"],
            overturned_at=r["overturned_at"],
            overturn_appeal_id=strawberry.ID(str(appeal)) if appeal else None,
            amended_level=level_of(r["amended_level"]),
            computed_score=_num(r["computed_score"]),
            computed_level=level_of(r["computed_level"]), above_computed=r["above_computed"])

    @strawberry.field(description="Người sửa quyết định (họ tên) / who overturned it, by name")
    async def overturned_by_name(self, info: Info[Any, Any]) -> str | None:
        return await person_name(info, self.overturned_by)


@strawberry.type(description="Số khiếu nại của một đơn vị / appeals of one unit")
class UnitAppealCounts:
    unit_id: strawberry.ID
    unit_name: str | None
    open: int
    overdue: int
    decided: int
    withdrawn: int

    @classmethod
    def from_row(cls, r: Any) -> UnitAppealCounts:
        return cls(unit_id=strawberry.ID(str(r["unit_id"])), unit_name=r["name"],
                   open=r["open"], overdue=r["overdue"], decided=r["decided"],
                   withdrawn=r["withdrawn"])


@strawberry.type(description="Việc đang chờ bạn / an appeal waiting for you")
class PendingAppealWork:
    appeal_id: strawberry.ID
    role: str  # appellant, reviewer, decider
    action: str
    staff_name: str | None
    instance: int
    status: str
    due_on: date
    overdue: bool
