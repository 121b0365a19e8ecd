"""The annual round of collectives over GraphQL: HR opens it, the head of the unit above rates
each collective in the policy's order, readers see the round."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.ids import UnitId
from services.app.commands import OpenCollectiveRound, RateCollective
from services.gql.connections import Connection, Keyset, keyset_page
from services.gql.context import access_of, ctx_of
from services.gql.filters import Columns, ListFilter, in_scope, where
from services.gql.ids import Names, id_field
from services.gql.inputs import PeriodKind, check_openable, check_period, check_text, parse_id
from services.gql.mutations import run_command
from services.gql.names import person_name
from services.gql.scope import require_unit
from services.gql.types import Level, WriteResult, _label, _num, level_of


@strawberry.type(description="Xếp loại tập thể một đơn vị trong năm / a collective's rating")
class CollectiveRating:
    unit_id: strawberry.ID
    unit_name: str
    kind: str
    parent_id: strawberry.ID
    rank: int = strawberry.field(description=(
        "Thứ tự xếp loại: cấp dưới trước, trong một cấp theo quy định (nhỏ xếp loại trước)"))
    status: str
    level: Level | None
    level_label: str | None
    score: float | None
    reasons: str | None
    policy_version: str | None
    authority: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def from_row(cls, r: Any) -> CollectiveRating:
        return cls(
            unit_id=strawberry.ID(str(r["unit_id"])), unit_name=r["unit_name"], kind=r["kind"],
            parent_id=strawberry.ID(str(r["parent_id"])), rank=r["rank"], status=r["status"],
            level=level_of(r["level"]), level_label=_label(r["level"]),
            score=_num(r["score"]), reasons=r["reasons"], policy_version=r["policy_version"],
            authority=r["authority"], decided_by=r["decided_by"], decided_at=r["decided_at"],
        )

    @strawberry.field(description="Người quyết định (họ tên) / who decided, by name")
    async def decided_by_name(self, info: Info[Any, Any]) -> str | None:
        return await person_name(info, self.decided_by)


@strawberry.input(description="Xếp loại tập thể (người đứng đầu cấp trên trực tiếp)")
class RateCollectiveInput:
    unit_id: strawberry.ID = id_field(Names.UNIT)
    year: int
    level: Level
    score: float
    reasons: str = ""


@strawberry.type
class CollectiveMutation:
    @strawberry.mutation(description="Mở đợt xếp loại tập thể của năm (cán bộ tổ chức)")
    async def open_collective_round(self, info: Info[Any, Any], year: int) -> WriteResult:
        check_openable(PeriodKind.ANNUAL, year, 1)
        round_id, position = await run_command(
            info, ("hr_officer",), lambda s: s.open_collective_round(OpenCollectiveRound(year)))
        return WriteResult(position=position, id=strawberry.ID(str(round_id)))

    @strawberry.mutation(description="Xếp loại tập thể một đơn vị (cấp dưới trước, cấp trên sau)")
    async def rate_collective(self, info: Info[Any, Any],
                              input: RateCollectiveInput) -> WriteResult:
        principal = (await access_of(info)).principal
        check_period(PeriodKind.ANNUAL, input.year, 1)
        unit = UnitId(parse_id(input.unit_id, "đơn vị", "Unit"))
        await require_unit(info, unit)
        cmd = RateCollective(unit, input.year, input.level, input.score,
                             check_text(input.reasons, "lý do", "reasons"), principal.user_id)
        position = await run_command(info, ("unit_leader",), lambda s: s.rate_collective(cmd))
        return WriteResult(position=position, id=input.unit_id)


@strawberry.type
class CollectiveQuery:
    @strawberry.field(description="Đợt xếp loại tập thể của năm, theo thứ tự xếp loại")
    async def collective_ratings(self, info: Info[Any, Any], year: int,
                                 filter: ListFilter | None = None, first: int | None = None,
                                 after: str | None = None, at_least: int | None = None
                                 ) -> Connection[CollectiveRating]:
        ctx = ctx_of(info)
        tenant = (await access_of(info)).tenant
        check_period(PeriodKind.ANNUAL, year, 1)
        w = where(filter, Columns(unit="c.unit_id", level="c.level"), tenant.schema, [year])
        in_scope(w, "c.unit_id", await access_of(info))  # a unit-scoped grant: its units
        await ctx.fresh(tenant, at_least)
        return await keyset_page(
            ctx.fetcher(tenant),
            f"SELECT c.*, {ROUND.select()} FROM {tenant.schema}.rm_collective_ratings c "
            f"WHERE c.year = $1 AND {w.sql()}", w.args, ROUND, first, after,
            CollectiveRating.from_row)


# In rating order (deeper levels first, kinds in the policy's order); the unit breaks ties.
ROUND = Keyset("collective-ratings", (("c.rank", int), ("c.unit_id", UUID)))
