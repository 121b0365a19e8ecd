"""The unit board type (bảng theo dõi của đơn vị trong kỳ): each nested field reads through
the request's DataLoaders, so a page of boards costs a fixed number of statements."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import strawberry
from strawberry.types import Info

from services.gql.connections import Connection, build, cursor_uuid, decode_cursor, page_size
from services.gql.context import ctx_of
from services.gql.dashboard_types import (
    BoardFilter,
    BoardMember,
    Completion,
    LevelCount,
    PeerGroupCount,
    Quota,
    cells_summary,
    level_counts,
)
from services.gql.loaders import Reads
from services.gql.types import Unit

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MEMBERS = "board-members"


def reads_of(info: Info[Any, Any]) -> Reads:
    reads: Reads = ctx_of(info).reads
    return reads


def _matches(cell: Any, f: BoardFilter | None) -> bool:
    if f is None:
        return True
    return ((f.staff_type is None or cell["staff_type"] == f.staff_type)
            and (f.peer_group is None or cell["peer_group"] == f.peer_group)
            and (f.level is None or cell["level"] == f.level.value))


@strawberry.type(description="Bảng theo dõi một kỳ của một đơn vị / a unit's period board")
class UnitBoard:
    id: strawberry.ID
    unit_id: strawberry.ID
    kind: str
    year: int
    month: int
    status: str
    policy_version: str
    position: int
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, r: Any) -> UnitBoard:
        return cls(id=strawberry.ID(str(r["period_id"])), unit_id=strawberry.ID(str(r["unit_id"])),
                   kind=r["kind"], year=r["year"], month=r["number"], status=r["status"],
                   policy_version=r["policy_version"], position=r["position"], row=r)

    @strawberry.field(description="Đơn vị")
    async def unit(self, info: Info[Any, Any]) -> Unit | None:
        row = await reads_of(info).units.load(self.row["unit_id"])
        return Unit.from_row(row) if row else None

    @strawberry.field(description="Tỷ lệ xuất sắc: trần, đã dùng, còn lại")
    def quota(self) -> Quota:
        cap, used = self.row["quota_cap"], self.row["quota_used"]
        return Quota(cap=cap, used=used, available=max(cap - used, 0))

    @strawberry.field(description="Tiến độ: tự đánh giá, đề xuất, quyết định, công khai")
    def completion(self) -> Completion:
        r = self.row
        past = datetime.now(HANOI).date() > r["deadline"] and r["status"] == "open"
        return Completion(
            deadline=r["deadline"], members=r["member_count"], self_assessed=r["self_assessed"],
            proposed=r["proposed"], decided=r["decided"], published=r["published"],
            late_self_assessed=r["late_self_assessed"], late_decided=r["late_decided"],
            overdue_self_assessments=r["member_count"] - r["self_assessed"] if past else 0,
            overdue_decisions=r["member_count"] - r["decided"] if past else 0)

    @strawberry.field(description="Phân bố theo mức xếp loại")
    async def distribution(self, info: Info[Any, Any],
                           filter: BoardFilter | None = None) -> list[LevelCount]:
        cells = await reads_of(info).cells.load(self.row["period_id"])
        overall, _ = cells_summary(c for c in cells if _matches(c, filter))
        return level_counts(overall)

    @strawberry.field(description="Phân bố theo nhóm có nhiệm vụ tương đồng")
    async def by_peer_group(self, info: Info[Any, Any],
                            filter: BoardFilter | None = None) -> list[PeerGroupCount]:
        cells = await reads_of(info).cells.load(self.row["period_id"])
        _, groups = cells_summary(c for c in cells if _matches(c, filter))
        out = []
        for name in sorted(groups):
            counts = groups[name]
            levels = level_counts(counts)
            out.append(PeerGroupCount(peer_group=name, members=counts["members"],
                                      decided=sum(lv.count for lv in levels), levels=levels))
        return out

    @strawberry.field(description="Những người trong kỳ (theo tên)")
    async def members(self, info: Info[Any, Any], first: int | None = None,
                      after: str | None = None,
                      filter: BoardFilter | None = None) -> Connection[BoardMember]:
        size = page_size(first)
        key = decode_cursor(MEMBERS, after, 2)
        if key is not None:
            key = [str(key[0]), cursor_uuid(key[1])]
        f = filter or BoardFilter()
        loader = reads_of(info).members(size, key, f.staff_type, f.peer_group,
                                        f.level.value if f.level else None)
        rows = await loader.load(self.row["period_id"])
        return build(rows, size, MEMBERS, lambda r: (r["full_name"], r["staff_id"]),
                     BoardMember.from_row, after)
