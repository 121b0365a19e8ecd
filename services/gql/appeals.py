"""Appeals over GraphQL: the person files and escalates, reviewers accept and decide, the
personnel body assigns; queries for one appeal, a unit's appeals, leader accountability and
each user's pending work.

Roles are checked here, rules in ``domain/appeal.py``. A reviewer of the parent tenant (a
district, for a ward) acts in the ward by naming it in ``tenant``: allowed only with an
active grant given on the caller's own token tenant that reaches the ward
(``include_children``) — the tenant comes from the token and the grant, never from the
argument alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from domain.appeal import Outcome
from services.app.appeal_commands import (
    AcceptAppeal,
    AssignAppeal,
    DecideAppeal,
    EscalateAppeal,
    FileAppeal,
    ProvideAppealInformation,
    RequestAppealInformation,
    WithdrawAppeal,
)
from services.app.handlers import AppealService
from services.gql.acting import acting_in, run_as
from services.gql.appeal_queries import AppealQuery
from services.gql.context import ctx_of
from services.gql.ids import AppealID, Names, UserID, id_field
from services.gql.inputs import check_text, parse_id
from services.gql.types import Level, WriteResult
from services.http.auth import Principal
from services.platform.tenants import Tenant

PERSON = ("staff", "unit_leader", "hr_officer", "appeal_reviewer")
REVIEWER = ("unit_leader", "appeal_reviewer")
HR = ("hr_officer",)

__all__ = ["AppealMutation", "AppealQuery"]


async def _run(info: Info[Any, Any], roles: tuple[str, ...], appeal_id: strawberry.ID,
               work: Callable[[AppealService, Principal, Tenant], int],
               tenant: str | None = None) -> WriteResult:
    """Run ``work`` on the tenant the caller acts in (``acting_in``), as the caller; the
    answer names the appeal and the position written."""
    principal, target, capacity = await acting_in(info, roles, tenant)
    service = AppealService(ctx_of(info).runtime.apps.get(target.slug))
    position = await run_as(info, capacity, lambda: work(service, principal, target), target)
    return WriteResult(position=position, id=appeal_id)


def _appeal_id(value: strawberry.ID) -> uuid.UUID:
    return parse_id(value, "khiếu nại", "Appeal")


@strawberry.input
class FileAppealInput:
    evaluation_id: strawberry.ID = id_field(Names.EVALUATION)
    grounds: str
    level_claimed: Level | None = None
    evidence: str = ""


@strawberry.input
class DecideAppealInput:
    appeal_id: strawberry.ID = id_field(Names.APPEAL)
    outcome: Outcome
    reasons: str
    level: Level | None = None
    score: float | None = None


@strawberry.type
class AppealMutation:
    @strawberry.mutation(description="Nộp đơn khiếu nại kết quả xếp loại của chính mình")
    async def file_appeal(self, info: Info[Any, Any], input: FileAppealInput) -> WriteResult:
        appeal_id = uuid.uuid4()
        evaluation_id = parse_id(input.evaluation_id, "phiếu đánh giá", "Evaluation")
        grounds = check_text(input.grounds, "căn cứ khiếu nại", "grounds")
        evidence = check_text(input.evidence, "minh chứng", "evidence")
        return await _run(info, PERSON, strawberry.ID(str(appeal_id)), lambda s, p, _: s.file(
            FileAppeal(appeal_id, evaluation_id, p.user_id, grounds,
                       input.level_claimed, evidence)))

    @strawberry.mutation(description="Phân công người giải quyết khiếu nại (cán bộ tổ chức)")
    async def assign_appeal(self, info: Info[Any, Any], appeal_id: AppealID,
                            reviewer_id: UserID) -> WriteResult:
        aid = _appeal_id(appeal_id)
        reviewer = str(parse_id(reviewer_id, "cán bộ", "Staff member"))
        return await _run(info, HR, appeal_id,
                          lambda s, _p, _t: s.assign(AssignAppeal(aid, reviewer)))

    @strawberry.mutation(description="Cấp trên nhận giải quyết khiếu nại lần hai (qua cấp quyền)")
    async def take_up_appeal(self, info: Info[Any, Any], appeal_id: AppealID,
                             tenant: str) -> WriteResult:
        aid = _appeal_id(appeal_id)
        home = ctx_of(info).principal
        return await _run(info, REVIEWER, appeal_id, lambda s, p, _t: s.take_up(
            AssignAppeal(aid, p.user_id, home.tenant if home else "")), tenant)

    @strawberry.mutation(description="Thụ lý khiếu nại (người được phân công)")
    async def accept_appeal(self, info: Info[Any, Any], appeal_id: AppealID,
                            tenant: str | None = None) -> WriteResult:
        aid = _appeal_id(appeal_id)
        return await _run(info, REVIEWER, appeal_id, lambda s, p, _t: s.accept(
            AcceptAppeal(aid, p.user_id)), tenant)

    @strawberry.mutation(description="Yêu cầu người khiếu nại bổ sung thông tin")
    async def request_appeal_information(self, info: Info[Any, Any], appeal_id: AppealID,
                                         question: str, tenant: str | None = None
                                         ) -> WriteResult:
        aid = _appeal_id(appeal_id)
        text = check_text(question, "nội dung yêu cầu", "question")
        return await _run(info, REVIEWER, appeal_id, lambda s, p, _t: s.request_information(
            RequestAppealInformation(aid, p.user_id, text)), tenant)

    @strawberry.mutation(description="Bổ sung thông tin cho khiếu nại (người khiếu nại)")
    async def provide_appeal_information(self, info: Info[Any, Any], appeal_id: AppealID,
                                         information: str) -> WriteResult:
        aid = _appeal_id(appeal_id)
        text = check_text(information, "nội dung bổ sung", "information")
        return await _run(info, PERSON, appeal_id, lambda s, p, _t: s.provide_information(
            ProvideAppealInformation(aid, p.user_id, text)))

    @strawberry.mutation(description="Rút đơn khiếu nại (người khiếu nại)")
    async def withdraw_appeal(self, info: Info[Any, Any], appeal_id: AppealID,
                              reason: str = "") -> WriteResult:
        aid = _appeal_id(appeal_id)
        text = check_text(reason, "lý do", "reason")
        return await _run(info, PERSON, appeal_id, lambda s, p, _t: s.withdraw(
            WithdrawAppeal(aid, p.user_id, text)))

    @strawberry.mutation(description="Quyết định giải quyết khiếu nại, có lý do")
    async def decide_appeal(self, info: Info[Any, Any], input: DecideAppealInput,
                            tenant: str | None = None) -> WriteResult:
        aid = _appeal_id(input.appeal_id)
        reasons = check_text(input.reasons, "lý do", "reasons")
        outcome = Outcome(input.outcome.value)
        return await _run(info, REVIEWER, input.appeal_id, lambda s, p, _t: s.decide(
            DecideAppeal(aid, p.user_id, outcome, reasons, input.level, input.score)),
            tenant)

    @strawberry.mutation(description="Khiếu nại lần hai lên cấp trên (người khiếu nại)")
    async def escalate_appeal(self, info: Info[Any, Any], appeal_id: AppealID,
                              grounds: str) -> WriteResult:
        aid = _appeal_id(appeal_id)
        text = check_text(grounds, "căn cứ khiếu nại", "grounds")
        return await _run(info, PERSON, appeal_id, lambda s, p, _t: s.escalate(
            EscalateAppeal(aid, p.user_id, text)))

