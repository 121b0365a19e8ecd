"""GraphQL types of the dashboards: unit boards, timelines, trends, child-tenant aggregates.

Aggregates carry counts and shares only. Types that can name a person (board members,
timeline entries) are never reachable from a cross-tenant query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from services.gql.ids import Names, id_field
from services.gql.names import person_name
from services.gql.types import Level, level_of

LEVELS = ("A", "B", "C", "D")


@strawberry.input(description="Tháng / a calendar month")
class MonthInput:
    year: int
    month: int


@strawberry.input(description="Bộ lọc bảng theo dõi / board filter")
class BoardFilter:
    staff_type: str | None = None
    peer_group: str | None = None
    level: Level | None = None


@strawberry.input(description="Bộ lọc danh sách bảng theo dõi / filter for lists of boards")
class BoardsFilter:
    from_month: MonthInput | None = None
    to_month: MonthInput | None = None
    unit_id: strawberry.ID | None = id_field(Names.UNIT, default=None)
    include_subunits: bool = strawberry.field(default=False, description=(
        "Kèm mọi đơn vị trực thuộc đơn vị đã chọn / with every unit below unitId"))


@strawberry.type(description="Số lượng theo mức / count at one level")
class LevelCount:
    level: Level
    count: int
    share: float  # of those decided in the slice


def level_counts(counts: dict[str, int]) -> list[LevelCount]:
    decided = sum(counts.get(lv, 0) for lv in LEVELS)
    return [LevelCount(level=Level(lv), count=counts.get(lv, 0),
                       share=round(counts.get(lv, 0) / decided, 4) if decided else 0.0)
            for lv in LEVELS]


@strawberry.type(description="Phân bố theo nhóm có nhiệm vụ tương đồng / one peer group")
class PeerGroupCount:
    peer_group: str
    members: int
    decided: int
    levels: list[LevelCount]


@strawberry.type(description="Tỷ lệ xuất sắc / the excellent quota of the period")
class Quota:
    cap: int
    used: int
    available: int


@strawberry.type(description="Tiến độ so với hạn / completion against the deadline")
class Completion:
    deadline: date
    members: int
    self_assessed: int
    proposed: int
    decided: int
    published: int
    late_self_assessed: int  # submitted after the deadline
    late_decided: int  # decided after the deadline
    overdue_self_assessments: int  # still missing, deadline passed
    overdue_decisions: int  # still undecided, deadline passed


@strawberry.type(description="Một người trên bảng theo dõi / one person on a board")
class BoardMember:
    staff_id: strawberry.ID
    full_name: str
    staff_type: str
    peer_group: str
    self_assessed_at: datetime | None
    self_late: bool
    level: Level | None
    score: float | None
    decided_at: datetime | None
    decided_late: bool

    @classmethod
    def from_row(cls, r: Any) -> BoardMember:
        return cls(staff_id=strawberry.ID(str(r["staff_id"])), full_name=r["full_name"],
                   staff_type=r["staff_type"], peer_group=r["peer_group"],
                   self_assessed_at=r["self_assessed_at"], self_late=r["self_late"],
                   level=level_of(r["level"]),
                   score=float(r["score"]) if r["score"] is not None else None,
                   decided_at=r["decided_at"], decided_late=r["decided_late"])


@strawberry.type(description="Một mục trong quá trình đánh giá / one timeline entry")
class TimelineEntry:
    position: int
    entry: str  # opened, self_assessed, decided, …
    evaluation_id: strawberry.ID
    period_id: strawberry.ID
    kind: str
    year: int
    month: int
    level: Level | None
    score: float | None
    actor: str
    capacity: str
    at: datetime

    @classmethod
    def from_row(cls, r: Any) -> TimelineEntry:
        return cls(position=r["position"], entry=r["entry"],
                   evaluation_id=strawberry.ID(str(r["evaluation_id"])),
                   period_id=strawberry.ID(str(r["period_id"])), kind=r["kind"],
                   year=r["year"], month=r["number"],
                   level=level_of(r["level"]),
                   score=float(r["score"]) if r["score"] is not None else None,
                   actor=r["actor"], capacity=r["capacity"], at=r["at"])

    @strawberry.field(description="Người thực hiện (họ tên) / who acted, by name")
    async def actor_name(self, info: Info[Any, Any]) -> str | None:
        return await person_name(info, self.actor)


@strawberry.type(description="Số liệu một tháng / one month's counts (no people)")
class TrendPoint:
    year: int
    month: int
    units: int
    members: int
    decided: int
    levels: list[LevelCount]

    @classmethod
    def from_row(cls, r: Any) -> TrendPoint:
        return cls(year=r["year"], month=r["number"], units=r["units"], members=r["members"],
                   decided=r["decided"], levels=level_counts(
                       {"A": r["level_a"], "B": r["level_b"], "C": r["level_c"],
                        "D": r["level_d"]}))


@strawberry.type(description="Số liệu tổng hợp một tháng của một địa phương cấp dưới")
class ChildTenantPoint:
    tenant: str
    tenant_name: str
    point: TrendPoint


def cells_summary(cells: Iterable[Any]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Level counts overall and per peer group, from (peer_group, level, n) rows."""
    overall: dict[str, int] = {}
    groups: dict[str, dict[str, int]] = {}
    for c in cells:
        group = groups.setdefault(c["peer_group"], {"members": 0})
        group["members"] += c["n"]
        if c["level"]:
            overall[c["level"]] = overall.get(c["level"], 0) + c["n"]
            group[c["level"]] = group.get(c["level"], 0) + c["n"]
    return overall, groups
