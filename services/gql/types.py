"""GraphQL object types, each built from a read-model row by ``from_row``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.levels import Level as Level
from services.gql.names import person_name

# The levels are the domain's own, named for the API.
strawberry.enum(Level, name="Level", description="Mức xếp loại / rating level")


# Looked up for two columns of every rating row; an unknown value still fails as Level() does.
_LEVELS = {level.value: level for level in Level}


def level_of(value: str | None) -> Level | None:
    """A read model's level, if there is one."""
    return (_LEVELS.get(value) or Level(value)) if value else None


def _label(level: str | None) -> str | None:
    found = level_of(level)
    return found.label_vi if found is not None else None


def _num(value: Any) -> float | None:
    return float(value) if value is not None else None


@strawberry.type(description="Đơn vị / a unit inside the tenant")
class Unit:
    id: strawberry.ID
    name: str
    kind: str
    parent_id: strawberry.ID | None
    leader_id: strawberry.ID | None

    @classmethod
    def from_row(cls, r: Any) -> Unit:
        return cls(id=strawberry.ID(str(r["unit_id"])), name=r["name"], kind=r["kind"],
                   parent_id=_id(r["parent_id"]), leader_id=_id(r["leader_id"]))


@strawberry.type(description="Cán bộ, công chức, viên chức, người lao động")
class Staff:
    id: strawberry.ID
    full_name: str
    staff_type: str
    position: str
    unit_id: strawberry.ID
    party_member: bool

    @classmethod
    def from_row(cls, r: Any) -> Staff:
        return cls(id=strawberry.ID(str(r["staff_id"])), full_name=r["full_name"],
                   staff_type=r["staff_type"], position=r["position_title"],
                   unit_id=strawberry.ID(str(r["unit_id"])), party_member=r["party_member"])


@strawberry.type(description="Kỳ đánh giá / an evaluation period of one unit")
class Period:
    id: strawberry.ID
    unit_id: strawberry.ID
    kind: str
    year: int
    month: int
    deadline: date
    policy_version: str
    status: str
    member_count: int
    decided_count: int
    excellent_count: int
    position: int
    published_at: datetime | None = strawberry.field(
        default=None, description="Công khai lúc / when the results were published")

    @classmethod
    def from_row(cls, r: Any) -> Period:
        return cls(id=strawberry.ID(str(r["period_id"])), unit_id=strawberry.ID(str(r["unit_id"])),
                   kind=r["kind"], year=r["year"], month=r["number"], deadline=r["deadline"],
                   policy_version=r["policy_version"], status=r["status"],
                   member_count=r["member_count"], decided_count=r["decided_count"],
                   excellent_count=r["excellent_count"], position=r["position"],
                   published_at=r.get("published_at"))


@strawberry.type(description="Kết quả đánh giá của một người trong một kỳ")
class Rating:
    evaluation_id: strawberry.ID
    period_id: strawberry.ID
    unit_id: strawberry.ID
    staff_id: strawberry.ID
    staff_name: str | None
    year: int
    month: int
    status: str
    self_score: float | None
    self_level: Level | None
    self_assessed_at: datetime | None
    level: Level | None
    level_label: str | None
    score: float | None
    reasons: str | None
    policy_version: str | None
    decided_by: str | None
    decided_at: datetime | None
    position: int
    version: int = strawberry.field(description=(
        "Phiên bản phiếu; gửi kèm khi sửa (expectedVersion) để không ghi đè thay đổi của "
        "người khác / the evaluation's version, sent back with an edit"))

    @classmethod
    def from_row(cls, r: Any) -> Rating:
        return cls(
            evaluation_id=strawberry.ID(str(r["evaluation_id"])),
            period_id=strawberry.ID(str(r["period_id"])),
            unit_id=strawberry.ID(str(r["unit_id"])), staff_id=strawberry.ID(str(r["staff_id"])),
            staff_name=r["full_name"], year=r["year"], month=r["number"], status=r["status"],
            self_score=_num(r["self_score"]),
            self_level=level_of(r["self_level"]),
            self_assessed_at=r["self_assessed_at"],
            level=level_of(r["level"]), level_label=_label(r["level"]),
            score=_num(r["score"]), reasons=r["reasons"], policy_version=r["policy_version"],
            decided_by=r["decided_by"], decided_at=r["decided_at"], position=r["position"],
            version=r["version"],
        )

    @strawberry.field(description="Người quyết định (họ tên) / who decided, by name")
    async def decided_by_name(self, info: Info[Any, Any]) -> str | None:
        return await person_name(info, self.decided_by)


@strawberry.type(description="Người đang gọi / the caller, as the token says")
class Me:
    user_id: str
    name: str
    tenant: str
    tenant_name: str
    roles: list[str]


@strawberry.type(description="Kết quả ghi: vị trí trong sổ sự kiện / the log position written")
class WriteResult:
    position: int
    id: strawberry.ID


def _id(value: Any) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None
