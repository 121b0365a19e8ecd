"""Mutations: each checks the caller's role, runs one command, and returns the log position.

The tenant is the token's; ids name aggregates inside that tenant's log only, so another
tenant's id is simply "not found".
"""

from __future__ import annotations

from typing import Any

import strawberry
import structlog
from strawberry.types import Info

from domain.actor import Actor, acting_as
from domain.ids import PeriodId, StaffId, UnitId, evaluation_id_for
from domain.levels import Level as DomainLevel
from services.app.commands import (
    AttachOpinion,
    ClosePeriod,
    DecidePartyRating,
    DecideRating,
    DecideRatings,
    GrantQuotaException,
    OpenPeriod,
    ProposeRating,
    ProposeRollups,
    PublishPeriod,
    RatingDecision,
    SubmitSelfAssessment,
)
from services.app.handlers import TenantService
from services.gql.context import ctx_of
from services.gql.inputs import (
    DecideRatingInput,
    DecideRatingsInput,
    OpenPeriodInput,
    OpinionInput,
    OpinionSource,
    ProposeRatingInput,
    QuotaExceptionInput,
    SelfAssessmentInput,
    check_board_size,
    check_openable,
    check_text,
    criteria_points,
    parse_id,
    tasks_state,
)
from services.gql.scope import require_period, require_unit
from services.gql.types import WriteResult
from services.gql.writes import in_worker
from services.http.auth import Principal
from services.platform.tenants import Tenant

log = structlog.get_logger()


async def run_command(info: Info[Any, Any], roles: tuple[str, ...], work: Any) -> Any:
    """Run ``work(service)`` as the caller acting in the first of ``roles`` they hold."""
    principal, _ = await ctx_of(info).caller(*roles)
    capacity = next(r for r in roles if principal.has(r))
    return (await _run(info, roles, capacity, work))[2]


async def _run(info: Info[Any, Any], roles: tuple[str, ...], capacity: str,
               work: Any) -> tuple[Principal, Tenant, Any]:
    """Run ``work(service)`` in a worker thread as the caller, then wake the projector."""
    ctx = ctx_of(info)
    principal, tenant = await ctx.caller(*roles)
    service: TenantService = ctx.runtime.service(tenant)

    def call() -> Any:
        with acting_as(Actor(user_id=principal.user_id, capacity=capacity)):
            return work(service)

    result = await in_worker(ctx.runtime.settings, call)
    await ctx.runtime.written(tenant)
    return principal, tenant, result


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Mở kỳ đánh giá (tháng, quý, năm) cho một đơn vị "
                         "(cán bộ tổ chức)")
    async def open_period(self, info: Info[Any, Any], input: OpenPeriodInput) -> WriteResult:
        check_openable(input.kind, input.year, input.month)
        cmd = OpenPeriod(UnitId(parse_id(input.unit_id, "đơn vị", "Unit")), input.year,
                         input.month, input.deadline, input.kind.value)
        await require_unit(info, cmd.unit_id)
        _, _tenant, (period_id, position) = await _run(
            info, ("hr_officer",), "hr_officer", lambda s: s.open_period(cmd))
        log.info("period_opened", period_id=str(period_id), position=position)
        return WriteResult(position=position, id=strawberry.ID(str(period_id)))

    @strawberry.mutation(description="Nộp phiếu tự đánh giá (của chính mình)")
    async def submit_self_assessment(self, info: Info[Any, Any],
                                     input: SelfAssessmentInput) -> WriteResult:
        ctx = ctx_of(info)
        principal, _ = await ctx.caller()
        staff_id = StaffId(parse_id(principal.user_id, "cán bộ", "Staff member"))
        period_id = PeriodId(parse_id(input.period_id, "kỳ đánh giá", "Evaluation period"))
        cmd = SubmitSelfAssessment(period_id, staff_id, input.score, tasks_state(input.tasks),
                                   check_text(input.note, "ghi chú", "note"),
                                   criteria_points(input.criteria), input.expected_version)
        _, _, position = await _run(info, ("staff", "unit_leader", "hr_officer"), "staff",
                                    lambda s: s.submit_self_assessment(cmd))
        eid = evaluation_id_for(period_id, staff_id, "official")
        return WriteResult(position=position, id=strawberry.ID(str(eid)))

    @strawberry.mutation(description="Quyết định xếp loại (người đứng đầu có thẩm quyền)")
    async def decide_rating(self, info: Info[Any, Any], input: DecideRatingInput) -> WriteResult:
        ctx = ctx_of(info)
        principal, _ = await ctx.caller("unit_leader")
        period_id = PeriodId(parse_id(input.period_id, "kỳ đánh giá", "Evaluation period"))
        staff_id = StaffId(parse_id(input.staff_id, "cán bộ", "Staff member"))
        await require_period(info, period_id)
        cmd = DecideRating(period_id, staff_id, DomainLevel(input.level.value), input.score,
                           check_text(input.reasons, "lý do", "reasons"), principal.user_id,
                           check_text(input.authority, "căn cứ thẩm quyền", "authority"),
                           input.expected_version)
        _, _, position = await _run(info, ("unit_leader",), "unit_leader",
                                    lambda s: s.decide_rating(cmd))
        log.info("rating_decided", staff_id=str(staff_id), level=input.level.value)
        eid = evaluation_id_for(period_id, staff_id, "official")
        return WriteResult(position=position, id=strawberry.ID(str(eid)))

    @strawberry.mutation(description=(
        "Quyết định xếp loại cả bảng của đơn vị trong một lần (người đứng đầu có thẩm quyền): "
        "mọi dòng được kiểm tra như một quyết định riêng, tỷ lệ tính trên cả bảng; ghi tất cả "
        "hoặc không ghi gì, lỗi nêu rõ dòng và người"))
    async def decide_ratings(self, info: Info[Any, Any],
                             input: DecideRatingsInput) -> WriteResult:
        ctx = ctx_of(info)
        principal, _ = await ctx.caller("unit_leader")
        check_board_size(input.lines)
        period_id = PeriodId(parse_id(input.period_id, "kỳ đánh giá", "Evaluation period"))
        await require_period(info, period_id)
        lines = tuple(
            RatingDecision(StaffId(parse_id(line.staff_id, "cán bộ", "Staff member")),
                           DomainLevel(line.level.value), line.score,
                           check_text(line.reasons, "lý do", "reasons"), line.expected_version)
            for line in input.lines)
        cmd = DecideRatings(period_id, lines, principal.user_id,
                            check_text(input.authority, "căn cứ thẩm quyền", "authority"))
        _, _, position = await _run(info, ("unit_leader",), "unit_leader",
                                    lambda s: s.decide_ratings(cmd))
        log.info("board_decided", period_id=str(period_id), lines=len(lines))
        return WriteResult(position=position, id=strawberry.ID(str(period_id)))

    @strawberry.mutation(description="Khóa sổ kỳ đánh giá (cán bộ tổ chức)")
    async def close_period(self, info: Info[Any, Any], period_id: strawberry.ID) -> WriteResult:
        pid = PeriodId(parse_id(period_id, "kỳ đánh giá", "Evaluation period"))
        await require_period(info, pid)
        _, _, position = await _run(info, ("hr_officer",), "hr_officer",
                                    lambda s: s.close_period(ClosePeriod(pid)))
        return WriteResult(position=position, id=period_id)

    @strawberry.mutation(description="Đề xuất xếp loại (quản lý trực tiếp / cơ quan tham mưu)")
    async def propose_rating(self, info: Info[Any, Any],
                             input: ProposeRatingInput) -> WriteResult:
        principal, _ = await ctx_of(info).caller("unit_leader", "hr_officer")
        period_id = PeriodId(parse_id(input.period_id, "kỳ đánh giá", "Evaluation period"))
        staff_id = StaffId(parse_id(input.staff_id, "cán bộ", "Staff member"))
        cmd = ProposeRating(period_id, staff_id, DomainLevel(input.level.value), input.score,
                            check_text(input.strengths, "ưu điểm", "strengths"),
                            check_text(input.shortcomings, "hạn chế", "shortcomings"),
                            principal.user_id, input.expected_version)
        position = await run_command(info, ("unit_leader", "hr_officer"),
                                     lambda s: s.propose_rating(cmd))
        eid = evaluation_id_for(period_id, staff_id, "official")
        return WriteResult(position=position, id=strawberry.ID(str(eid)))

    @strawberry.mutation(description="Góp ý kiến vào phiếu đánh giá (không có tính quyết định)")
    async def attach_opinion(self, info: Info[Any, Any], input: OpinionInput) -> WriteResult:
        # Citizens' satisfaction figures come from the one-stop desk, entered by HR.
        roles = ("hr_officer",) if input.source is OpinionSource.CITIZENS else \
            ("staff", "unit_leader", "hr_officer")
        principal, _ = await ctx_of(info).caller(*roles)
        period_id = PeriodId(parse_id(input.period_id, "kỳ đánh giá", "Evaluation period"))
        staff_id = StaffId(parse_id(input.staff_id, "cán bộ", "Staff member"))
        cmd = AttachOpinion(period_id, staff_id, input.source.value, principal.user_id,
                            check_text(input.text, "ý kiến", "text"), input.satisfaction)
        position = await run_command(info, roles, lambda s: s.attach_opinion(cmd))
        eid = evaluation_id_for(period_id, staff_id, "official")
        return WriteResult(position=position, id=strawberry.ID(str(eid)))

    @strawberry.mutation(description="Cho phép vượt tỷ lệ (người đứng đầu cấp trên, có lý do)")
    async def grant_quota_exception(self, info: Info[Any, Any],
                                    input: QuotaExceptionInput) -> WriteResult:
        principal, _ = await ctx_of(info).caller("unit_leader")
        period_id = PeriodId(parse_id(input.period_id, "kỳ đánh giá", "Evaluation period"))
        cmd = GrantQuotaException(period_id, DomainLevel(input.level.value), input.extra,
                                  check_text(input.reasons, "lý do", "reasons"),
                                  principal.user_id,
                                  check_text(input.peer_group, "nhóm", "peer group")
                                  if input.peer_group is not None else None)
        position = await run_command(info, ("unit_leader",),
                                     lambda s: s.grant_quota_exception(cmd))
        return WriteResult(position=position, id=input.period_id)

    @strawberry.mutation(description="Công khai kết quả của kỳ trong đơn vị")
    async def publish_period(self, info: Info[Any, Any], period_id: strawberry.ID) -> WriteResult:
        pid = PeriodId(parse_id(period_id, "kỳ đánh giá", "Evaluation period"))
        position = await run_command(info, ("hr_officer", "unit_leader"),
                                     lambda s: s.publish_period(PublishPeriod(pid)))
        return WriteResult(position=position, id=period_id)

    @strawberry.mutation(description="Xếp loại đảng viên hằng năm (sau xếp loại cán bộ)")
    async def decide_party_rating(self, info: Info[Any, Any],
                                  input: DecideRatingInput) -> WriteResult:
        principal, _ = await ctx_of(info).caller("unit_leader")
        period_id = PeriodId(parse_id(input.period_id, "kỳ đánh giá", "Evaluation period"))
        staff_id = StaffId(parse_id(input.staff_id, "cán bộ", "Staff member"))
        cmd = DecidePartyRating(period_id, staff_id, DomainLevel(input.level.value), input.score,
                                check_text(input.reasons, "lý do", "reasons"), principal.user_id,
                                check_text(input.authority, "căn cứ thẩm quyền", "authority"))
        position = await run_command(info, ("unit_leader",),
                                     lambda s: s.decide_party_rating(cmd))
        eid = evaluation_id_for(period_id, staff_id, "party")
        return WriteResult(position=position, id=strawberry.ID(str(eid)))

    @strawberry.mutation(description="Tổng hợp đề xuất xếp loại quý/năm từ kết quả hằng tháng")
    async def propose_rollups(self, info: Info[Any, Any], period_id: strawberry.ID) -> WriteResult:
        principal, _ = await ctx_of(info).caller("hr_officer")
        pid = PeriodId(parse_id(period_id, "kỳ đánh giá", "Evaluation period"))
        position = await run_command(info, ("hr_officer",), lambda s: s.propose_rollups(
            ProposeRollups(pid, principal.user_id)))
        return WriteResult(position=position, id=period_id)
