"""Commendation proposals over GraphQL (khen thưởng): HR lists who meets the rules and
proposes them (one write, all or none), the head approves or returns each, readers see the
list. Who meets the rules: services/office/commendations.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio
import strawberry
from strawberry.types import Info

from domain.commendation import CommendationRules
from domain.errors import ValidationFailedError
from services.app.commendations import (
    DecideCommendation,
    Nominee,
    ProposeCommendations,
)
from services.gql.context import Context, access_of, ctx_of
from services.gql.ids import CommendationID
from services.gql.inputs import check_text, parse_id
from services.gql.mutations import run_command
from services.gql.permissions import Access
from services.gql.types import WriteResult
from services.office.commendations import basis_for, candidates, proposals
from services.platform.tenants import Tenant


def _check(year: int, quarter: int | None) -> None:
    if not 2000 <= year <= 2100 or (quarter is not None and not 1 <= quarter <= 4):
        raise ValidationFailedError("Năm hoặc quý không hợp lệ.", "Invalid year or quarter.")


async def _rules(ctx: Any, tenant: Tenant, quarter: int | None
                 ) -> tuple[str, CommendationRules]:
    """The policy version in force for the basis and its commendation rules (from the log,
    as every use case reads the policy)."""
    service = ctx.runtime.service(tenant)
    return await anyio.to_thread.run_sync(service.commendation_rules, quarter)


@strawberry.type(description="Người, tập thể đủ điều kiện / a nominee meeting the rules")
class CommendationCandidate:
    nominee_id: strawberry.ID
    kind: str
    name: str
    evidence: list[str]


@strawberry.type(description="Đề nghị khen thưởng / a commendation proposal")
class CommendationProposal:
    id: strawberry.ID
    basis: str
    nominee_id: strawberry.ID
    nominee_kind: str
    name: str | None
    evidence: list[str]
    reasons: str
    status: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_reasons: str | None
    policy_version: str = strawberry.field(
        description="phiên bản chính sách có quy tắc được áp dụng khi đề nghị / whose "
                    "commendation rules the proposal met (empty: proposed before it was said)")

    @classmethod
    def from_row(cls, r: Any) -> CommendationProposal:
        return cls(id=strawberry.ID(str(r["commendation_id"])), basis=r["basis"],
                   nominee_id=strawberry.ID(str(r["nominee_id"])),
                   nominee_kind=r["nominee_kind"], name=r["name"], evidence=list(r["evidence"]),
                   reasons=r["reasons"], status=r["status"], proposed_by=r["proposed_by"],
                   proposed_at=r["proposed_at"], decided_by=r["decided_by"],
                   decided_reasons=r["decided_reasons"], policy_version=r["policy_version"])


@strawberry.type(description="Một căn cứ (quý, năm) và những người, tập thể đủ điều kiện; "
                              "bounded by the tenant's staff, so not paged")
class CommendationCandidates:
    basis: str
    policy_version: str = strawberry.field(
        description="phiên bản chính sách có quy tắc đã áp dụng / whose rules were applied")
    nominees: list[CommendationCandidate]


@strawberry.type(description="Các đề nghị khen thưởng của một căn cứ (quý, năm)")
class CommendationProposals:
    basis: str
    proposals: list[CommendationProposal]


async def _fresh(info: Info[Any, Any], year: int, quarter: int | None,
                 at_least: int | None) -> tuple[Access, Context]:
    """A basis checked, the caller's reach, and read models caught up to ``at_least``."""
    _check(year, quarter)
    access = await access_of(info)
    ctx = ctx_of(info)
    await ctx.fresh(access.tenant, at_least)
    return access, ctx


@strawberry.type
class CommendationQuery:
    @strawberry.field(description="Ai đủ điều kiện đề nghị khen thưởng (quý: A cả ba tháng; "
                                  "năm: A cả năm)")
    async def commendation_candidates(self, info: Info[Any, Any], year: int,
                                      quarter: int | None = None, at_least: int | None = None
                                      ) -> CommendationCandidates:
        access, ctx = await _fresh(info, year, quarter, at_least)
        version, rules = await _rules(ctx, access.tenant, quarter)
        async with ctx.read(access.tenant) as conn:
            found = await candidates(conn, access.tenant.schema, year, quarter,
                                     access.unit_ids, rules)
        return CommendationCandidates(basis=basis_for(year, quarter), policy_version=version,
                                      nominees=[
            CommendationCandidate(nominee_id=strawberry.ID(str(c.nominee_id)), kind=c.kind,
                                  name=c.name, evidence=list(c.evidence)) for c in found])

    @strawberry.field(description="Các đề nghị khen thưởng của một năm hoặc quý")
    async def commendation_proposals(self, info: Info[Any, Any], year: int,
                                     quarter: int | None = None, at_least: int | None = None
                                     ) -> CommendationProposals:
        access, ctx = await _fresh(info, year, quarter, at_least)
        async with ctx.read(access.tenant) as conn:
            rows = await proposals(conn, access.tenant.schema, basis_for(year, quarter),
                                   access.unit_ids)
        return CommendationProposals(basis=basis_for(year, quarter),
                                     proposals=[CommendationProposal.from_row(r) for r in rows])


@strawberry.type
class CommendationMutation:
    @strawberry.mutation(description="Đề nghị khen thưởng tất cả người, tập thể đủ điều kiện "
                                     "(cán bộ tổ chức; tất cả hoặc không)")
    async def propose_commendations(self, info: Info[Any, Any], year: int,
                                    quarter: int | None = None, reasons: str = ""
                                    ) -> WriteResult:
        _check(year, quarter)
        text = check_text(reasons, "lý do", "reasons")
        access = await access_of(info)
        ctx = ctx_of(info)
        version, rules = await _rules(ctx, access.tenant, quarter)
        async with ctx.read(access.tenant) as conn:
            found = await candidates(conn, access.tenant.schema, year, quarter,
                                     access.unit_ids, rules)
        basis = basis_for(year, quarter)
        me = access.principal.user_id
        cmd = ProposeCommendations(basis, tuple(Nominee(c.nominee_id, c.kind, c.evidence)
                                                for c in found), text, me, version, quarter)
        position, _ = await run_command(info, ("hr_officer",),
                                        lambda s: s.propose_commendations(cmd))
        return WriteResult(position=position, id=strawberry.ID(basis))

    @strawberry.mutation(description="Phê duyệt hoặc trả lại một đề nghị khen thưởng "
                                     "(thủ trưởng; không tự duyệt đề nghị của mình)")
    async def decide_commendation(self, info: Info[Any, Any], id: CommendationID,
                                  approve: bool, reasons: str = "") -> WriteResult:
        commendation = parse_id(id, "đề nghị khen thưởng", "Commendation proposal")
        text = check_text(reasons, "lý do", "reasons")
        # The guard has checked the id against a unit-scoped caller's units (CommendationID);
        # the use case refuses one absent from the log.
        me = (await access_of(info)).principal.user_id
        cmd = DecideCommendation(commendation, approve, text, me)
        position = await run_command(info, ("unit_leader",),
                                     lambda s: s.decide_commendation(cmd))
        return WriteResult(position=position, id=id)
