"""Mutations: each checks the caller's role, runs one command, and returns the log position.

The tenant is the token's; ids name aggregates inside that tenant's log only, so another
tenant's id is simply "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
import structlog
from strawberry.types import Info

from domain.ids import PeriodId, StaffId, UnitId, evaluation_id_for
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
from services.gql.acting import run_as
from services.gql.context import access_of, ctx_of
from services.gql.ids import PeriodID
from services.gql.inputs import (
    DecideRatingInput,
    DecideRatingsInput,
    OpenPeriodInput,
    OpinionInput,
    OpinionSource,
    ProposeRatingInput,
    QuotaExceptionInput,
    RatingInput,
    SelfAssessmentInput,
    check_board_size,
    check_openable,
    check_text,
    criteria_points,
    parse_id,
    period_id_of,
    staff_id_of,
    tasks_state,
)
from services.gql.scope import require_period, require_unit
from services.gql.types import Level, WriteResult

log = structlog.get_logger()
T = TypeVar("T")


async def run_command(info: Info[Any, Any], roles: tuple[str, ...],
                      work: Callable[[TenantService], T], capacity: str | None = None) -> T:
    """Run ``work(service)`` on the caller's tenant as the caller, acting in the first of
    ``roles`` they hold here (or in ``capacity``: a self-assessment is always the
    person's own, whatever else they hold)."""
    access = await access_of(info)
    acting = access.capacity(*roles)
    service: TenantService = ctx_of(info).runtime.service(access.tenant)
    return await run_as(info, capacity or acting, lambda: work(service))


def _rating(input: RatingInput) -> tuple[PeriodId, StaffId, Level, float]:
    """Whose evaluation, in which period, and the level and score given."""
    return (period_id_of(input.period_id), staff_id_of(input.staff_id),
            input.level, input.score)


def _on_evaluation(position: int, period_id: PeriodId, staff_id: StaffId,
                   kind: str = "official") -> WriteResult:
    """What a write to one person's evaluation answers: the position, and the evaluation."""
    return WriteResult(position=position,
                       id=strawberry.ID(str(evaluation_id_for(period_id, staff_id, kind))))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Mở kỳ đánh giá (tháng, quý, năm) cho một đơn vị "
                         "(cán bộ tổ chức)")
    async def open_period(self, info: Info[Any, Any], input: OpenPeriodInput) -> WriteResult:
        check_openable(input.kind, input.year, input.month)
        cmd = OpenPeriod(UnitId(parse_id(input.unit_id, "đơn vị", "Unit")), input.year,
                         input.month, input.deadline, input.kind.value)
        await require_unit(info, cmd.unit_id)
        period_id, position = await run_command(info, ("hr_officer",),
                                                 lambda s: s.open_period(cmd))
        log.info("period_opened", period_id=str(period_id), position=position)
        return WriteResult(position=position, id=strawberry.ID(str(period_id)))

    @strawberry.mutation(description="Nộp phiếu tự đánh giá (của chính mình)")
    async def submit_self_assessment(self, info: Info[Any, Any],
                                     input: SelfAssessmentInput) -> WriteResult:
        principal = (await access_of(info)).principal
        staff_id = staff_id_of(principal.user_id)
        period_id = period_id_of(input.period_id)
        cmd = SubmitSelfAssessment(period_id, staff_id, input.score, tasks_state(input.tasks),
                                   check_text(input.note, "ghi chú", "note"),
                                   criteria_points(input.criteria), input.expected_version)
        position = await run_command(info, ("staff", "unit_leader", "hr_officer"),
                                     lambda s: s.submit_self_assessment(cmd), "staff")
        return _on_evaluation(position, period_id, staff_id)

    @strawberry.mutation(description="Quyết định xếp loại (người đứng đầu có thẩm quyền)")
    async def decide_rating(self, info: Info[Any, Any], input: DecideRatingInput) -> WriteResult:
        principal = (await access_of(info)).principal
        period_id = period_id_of(input.period_id)
        staff_id = staff_id_of(input.staff_id)
        await require_period(info, period_id)
        cmd = DecideRating(period_id, staff_id, input.level, input.score,
                           check_text(input.reasons, "lý do", "reasons"), principal.user_id,
                           check_text(input.authority, "căn cứ thẩm quyền", "authority"),
                           input.expected_version)
        position = await run_command(info, ("unit_leader",), lambda s: s.decide_rating(cmd))
        log.info("rating_decided", staff_id=str(staff_id), level=input.level.value)
        return _on_evaluation(position, period_id, staff_id)

    @strawberry.mutation(description=(
        "Quyết định xếp loại cả bảng của đơn vị trong một lần (người đứng đầu có thẩm quyền): "
        "mọi dòng được kiểm tra như một quyết định riêng, tỷ lệ tính trên cả bảng; ghi tất cả "
        "hoặc không ghi gì, lỗi nêu rõ dòng và người"))
    async def decide_ratings(self, info: Info[Any, Any],
                             input: DecideRatingsInput) -> WriteResult:
        principal = (await access_of(info)).principal
        check_board_size(input.lines)
        period_id = period_id_of(input.period_id)
        await require_period(info, period_id)
        lines = tuple(
            RatingDecision(staff_id_of(line.staff_id),
                           line.level, line.score,
                           check_text(line.reasons, "lý do", "reasons"), line.expected_version)
            for line in input.lines)
        cmd = DecideRatings(period_id, lines, principal.user_id,
                            check_text(input.authority, "căn cứ thẩm quyền", "authority"))
        position = await run_command(info, ("unit_leader",), lambda s: s.decide_ratings(cmd))
        log.info("board_decided", period_id=str(period_id), lines=len(lines))
        return WriteResult(position=position, id=strawberry.ID(str(period_id)))

    @strawberry.mutation(description="Khóa sổ kỳ đánh giá (cán bộ tổ chức)")
    async def close_period(self, info: Info[Any, Any], period_id: PeriodID) -> WriteResult:
        pid = period_id_of(period_id)
        await require_period(info, pid)
        position = await run_command(info, ("hr_officer",),
                                     lambda s: s.close_period(ClosePeriod(pid)))
        return WriteResult(position=position, id=period_id)

    @strawberry.mutation(description="Đề xuất xếp loại (quản lý trực tiếp / cơ quan tham mưu)")
    async def propose_rating(self, info: Info[Any, Any],
                             input: ProposeRatingInput) -> WriteResult:
        principal = (await access_of(info)).principal
        cmd = ProposeRating(*_rating(input), check_text(input.strengths, "ưu điểm", "strengths"),
                            check_text(input.shortcomings, "hạn chế", "shortcomings"),
                            principal.user_id, input.expected_version)
        position = await run_command(info, ("unit_leader", "hr_officer"),
                                     lambda s: s.propose_rating(cmd))
        return _on_evaluation(position, cmd.period_id, cmd.staff_id)

    @strawberry.mutation(description="Góp ý kiến vào phiếu đánh giá (không có tính quyết định)")
    async def attach_opinion(self, info: Info[Any, Any], input: OpinionInput) -> WriteResult:
        # Citizens' satisfaction figures come from the one-stop desk, entered by HR.
        roles = ("hr_officer",) if input.source is OpinionSource.CITIZENS else \
            ("staff", "unit_leader", "hr_officer")
        access = await access_of(info)
        access.capacity(*roles)  # narrower than the matrix row: checked first
        principal = access.principal
        period_id = period_id_of(input.period_id)
        staff_id = staff_id_of(input.staff_id)
        cmd = AttachOpinion(period_id, staff_id, input.source.value, principal.user_id,
                            check_text(input.text, "ý kiến", "text"), input.satisfaction)
        position = await run_command(info, roles, lambda s: s.attach_opinion(cmd))
        return _on_evaluation(position, period_id, staff_id)

    @strawberry.mutation(description="Cho phép vượt tỷ lệ (người đứng đầu cấp trên, có lý do)")
    async def grant_quota_exception(self, info: Info[Any, Any],
                                    input: QuotaExceptionInput) -> WriteResult:
        principal = (await access_of(info)).principal
        period_id = period_id_of(input.period_id)
        cmd = GrantQuotaException(period_id, input.level, input.extra,
                                  check_text(input.reasons, "lý do", "reasons"),
                                  principal.user_id,
                                  check_text(input.peer_group, "nhóm", "peer group")
                                  if input.peer_group is not None else None)
        position = await run_command(info, ("unit_leader",),
                                     lambda s: s.grant_quota_exception(cmd))
        return WriteResult(position=position, id=input.period_id)

    @strawberry.mutation(description="Công khai kết quả của kỳ trong đơn vị")
    async def publish_period(self, info: Info[Any, Any], period_id: PeriodID) -> WriteResult:
        pid = period_id_of(period_id)
        position = await run_command(info, ("hr_officer", "unit_leader"),
                                     lambda s: s.publish_period(PublishPeriod(pid)))
        return WriteResult(position=position, id=period_id)

    @strawberry.mutation(description="Xếp loại đảng viên hằng năm (sau xếp loại cán bộ)")
    async def decide_party_rating(self, info: Info[Any, Any],
                                  input: DecideRatingInput) -> WriteResult:
        principal = (await access_of(info)).principal
        cmd = DecidePartyRating(*_rating(input), check_text(input.reasons, "lý do", "reasons"),
                                principal.user_id,
                                check_text(input.authority, "căn cứ thẩm quyền", "authority"))
        position = await run_command(info, ("unit_leader",),
                                     lambda s: s.decide_party_rating(cmd))
        return _on_evaluation(position, cmd.period_id, cmd.staff_id, "party")

    @strawberry.mutation(description="Tổng hợp đề xuất xếp loại quý/năm từ kết quả hằng tháng")
    async def propose_rollups(self, info: Info[Any, Any], period_id: PeriodID) -> WriteResult:
        principal = (await access_of(info)).principal
        pid = period_id_of(period_id)
        position = await run_command(info, ("hr_officer",), lambda s: s.propose_rollups(
            ProposeRollups(pid, principal.user_id)))
        return WriteResult(position=position, id=period_id)
