"""Queries of the evaluation workflow: a person's own published results, an evaluation's file
(proposal, opinions, decision and its authority), and the quota in use in a period."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import anyio
import strawberry
from strawberry.types import Info

from domain.policy import Policy
from services.gql.connections import Connection, Fetch, Keyset, keyset_page
from services.gql.context import access_of, ctx_of
from services.gql.filters import Columns, ListFilter, where
from services.gql.ids import EvaluationID, PeriodID
from services.gql.inputs import parse_id
from services.gql.names import person_name
from services.gql.types import _num


@strawberry.type(description="Kết quả của chính mình đã được công khai")
class OwnResult:
    period_id: strawberry.ID
    kind: str
    year: int
    number: int
    level: str
    score: float | None
    reasons: str | None
    authority: str | None
    policy_version: str | None
    decided_by: str | None
    published_at: datetime | None

    @strawberry.field(description="Người quyết định (họ tên) / who decided, by name")
    async def decided_by_name(self, info: Info[Any, Any]) -> str | None:
        return await person_name(info, self.decided_by)


async def own_results(fetch: Fetch, schema: str, staff_id: UUID) -> tuple[int, list[OwnResult]]:
    """The person's published results, newest first, and the log position they reflect."""
    rows = await fetch(
        f"SELECT * FROM {schema}.rm_ratings WHERE staff_id = $1 "
        "AND published_at IS NOT NULL ORDER BY year DESC, kind, number DESC", staff_id)
    position = max((r["position"] for r in rows), default=0)
    return position, [own_result(r) for r in rows]


def own_result(r: Any) -> OwnResult:
    return OwnResult(period_id=strawberry.ID(str(r["period_id"])), kind=r["kind"],
                     year=r["year"], number=r["number"], level=r["level"],
                     score=_num(r["score"]), reasons=r["reasons"], authority=r["authority"],
                     policy_version=r["policy_version"], decided_by=r["decided_by"],
                     published_at=r["published_at"])


# Newest first: year, then period number, then kind, the evaluation id breaking ties.
OWN = Keyset("my-results", (("r.year", int), ("r.number", int), ("r.kind", str),
                            ("r.evaluation_id", UUID)), descending=True)


@strawberry.type(description="Ý kiến góp ý / an opinion")
class OpinionType:
    source: str
    text: str
    satisfaction: float | None
    author: str
    at: datetime


@strawberry.type(description="Hồ sơ đánh giá của một người trong một kỳ")
class EvaluationFile:
    evaluation_id: strawberry.ID
    staff_id: strawberry.ID
    self_score: float | None
    self_level: str | None
    criteria_json: str | None
    proposed_level: str | None
    proposed_score: float | None
    strengths: str | None
    shortcomings: str | None
    proposed_by: str | None
    level: str | None
    score: float | None
    reasons: str | None
    authority: str | None
    policy_version: str | None
    published_at: datetime | None
    opinions: list[OpinionType]
    version: int = strawberry.field(description=(
        "Phiên bản phiếu, gửi lại khi sửa (expectedVersion) / send back with an edit"))


@strawberry.type(description="Tỷ lệ đang dùng của một quy định tỷ lệ trong một phạm vi")
class QuotaUse:
    level: str
    scope: str
    share: float
    base: str
    taken: int
    cap: int
    exceptions: int


@strawberry.type
class EvaluationQuery:
    @strawberry.field(description="Kết quả xếp loại của tôi đã được công khai / my results")
    async def my_results(self, info: Info[Any, Any], filter: ListFilter | None = None,
                         first: int | None = None, after: str | None = None,
                         at_least: int | None = None) -> Connection[OwnResult]:
        ctx = ctx_of(info)
        access = await access_of(info)
        principal, tenant = access.principal, access.tenant
        w = where(filter, Columns(month="r.year * 100 + r.number", level="r.level"),
                  tenant.schema, [parse_id(principal.user_id, "cán bộ", "Staff member")])
        await ctx.fresh(tenant, at_least)
        return await keyset_page(
            ctx.fetcher(tenant),
            f"SELECT r.*, {OWN.select()} FROM {tenant.schema}.rm_ratings r "
            f"WHERE r.staff_id = $1 AND r.published_at IS NOT NULL AND {w.sql()}",
            w.args, OWN, first, after, own_result)

    @strawberry.field(description="Hồ sơ đánh giá: đề xuất, ý kiến, quyết định")
    async def evaluation_file(self, info: Info[Any, Any], evaluation_id: EvaluationID,
                              at_least: int | None = None) -> EvaluationFile | None:
        ctx = ctx_of(info)
        tenant = (await access_of(info)).tenant
        await ctx.fresh(tenant, at_least)
        eid = parse_id(evaluation_id, "phiếu đánh giá", "Evaluation")
        s = tenant.schema
        r = await ctx.fetchrow(tenant,
            f"SELECT * FROM {s}.rm_ratings WHERE evaluation_id = $1", eid)
        if r is None or not (await access_of(info)).sees_unit(r["unit_id"]):
            return None  # outside a unit-scoped grant reads like absent
        opinions = await ctx.fetcher(tenant)(
            f"SELECT * FROM {s}.rm_opinions WHERE evaluation_id = $1 ORDER BY position", eid)
        return EvaluationFile(
            evaluation_id=evaluation_id, staff_id=strawberry.ID(str(r["staff_id"])),
            self_score=_num(r["self_score"]), self_level=r["self_level"],
            criteria_json=r["criteria"], proposed_level=r["proposed_level"],
            proposed_score=_num(r["proposed_score"]), strengths=r["strengths"],
            shortcomings=r["shortcomings"], proposed_by=r["proposed_by"], level=r["level"],
            score=_num(r["score"]), reasons=r["reasons"], authority=r["authority"],
            policy_version=r["policy_version"], published_at=r["published_at"],
            opinions=[OpinionType(source=o["source"], text=o["body"],
                                  satisfaction=_num(o["satisfaction"]), author=o["author"],
                                  at=o["at"]) for o in opinions],
            version=r["version"])

    @strawberry.field(description="Tỷ lệ đang dùng trong một kỳ (trước khi quyết định)")
    async def quota_use(self, info: Info[Any, Any], period_id: PeriodID) -> list[QuotaUse]:
        """Read from the period aggregate itself: the same numbers the decision will check."""
        ctx = ctx_of(info)
        tenant = (await access_of(info)).tenant
        pid = parse_id(period_id, "kỳ đánh giá", "Evaluation period")
        service = ctx.runtime.service(tenant)

        def load() -> list[QuotaUse]:
            period = service.find_period(pid)
            if period is None:
                return []
            policy: Policy = period.policy
            uses = []
            for rule in policy.quotas:
                scopes = sorted({period.scope_of(rule, m) for m in period.members})
                for scope in scopes:
                    taken, cap = period.quota_room(rule, scope)
                    uses.append(QuotaUse(
                        level=rule.level, scope=scope, share=rule.share, base=rule.base,
                        taken=taken, cap=cap,
                        exceptions=period.exceptions.get(f"{rule.level}|{scope}", 0)))
            return uses

        return await anyio.to_thread.run_sync(load)
