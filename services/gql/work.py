"""Work outputs over GraphQL (Decree 335/2025): the leader assigns (one or several people),
reassigns, cancels and confirms; the person reports their own items done; the personnel
officer establishes the catalogue or applies the province's catalogue and policy.

Who the caller is comes from the token; the rules (competent leader, own item only, no
self-confirmation, what the province locks) are the use cases' (``services/app/work.py``).
Reads: "my work" from the read model, "the unit's work board" within the caller's scope,
and the score breakdown computed exactly as the decision will compute it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import anyio
import strawberry
from strawberry.types import Info

from domain.errors import ValidationFailedError
from domain.work_catalogue import INHERITED
from domain.work_item import Assignment, Quality, Timeliness
from services.app.handlers import TenantService
from services.app.work_commands import (
    AssignWork,
    CancelWork,
    ConfirmWork,
    EstablishCatalogue,
    InheritCatalogue,
    InheritPolicy,
    ReassignWork,
    ReportWorkDone,
)
from services.gql.connections import Connection, Keyset, empty, keyset_page
from services.gql.context import access_of, ctx_of
from services.gql.ids import StaffID, UnitID, WorkItemID
from services.gql.inputs import check_text, parse_id
from services.gql.mutations import run_command
from services.gql.policy import Cycle
from services.gql.types import WriteResult
from services.gql.work_types import (
    AssignWorkInput,
    AssignWorkResult,
    CatalogueAdjustmentInput,
    CatalogueInput,
    CatalogueItemType,
    ConfirmWorkInput,
    ReportWorkDoneInput,
    ScoreBreakdownType,
    WorkCatalogueType,
    WorkItemType,
    WorkPeriodKind,
)
from services.platform.tenants import Tenant

LEADER = ("unit_leader",)
# Soonest deadline first; the item id (immutable, unique) makes the order total.
MINE = Keyset("my-work", (("w.deadline", date), ("w.item_id", uuid.UUID)))
BOARD = Keyset("work-board", (("w.staff_id", uuid.UUID), ("w.deadline", date),
                              ("w.item_id", uuid.UUID)))
PERSON = ("staff", "unit_leader", "hr_officer", "appeal_reviewer")
HR = ("hr_officer",)

__all__ = ["WorkMutation", "WorkQuery"]


def _item_id(value: strawberry.ID) -> uuid.UUID:
    return parse_id(value, "việc được giao", "Work item")


def _staff_id(value: strawberry.ID) -> uuid.UUID:
    return parse_id(value, "cán bộ", "Staff member")


async def _write(info: Info[Any, Any], roles: tuple[str, ...],
                 work: Callable[[TenantService, str], int]) -> int:
    """Run the use case as the caller (their user id from the token) in a worker thread."""
    user = (await access_of(info)).principal.user_id
    position: int = await run_command(info, roles, lambda s: work(s, user))
    return position


async def _province_above(info: Info[Any, Any]) -> tuple[Tenant, TenantService] | None:
    """The province above the caller's tenant in the registry (a ward's parent since 2025;
    through a former district before), and its service: what it sets, the tenant inherits
    (the matrix has let only the HR officer in). None: no province above."""
    runtime = ctx_of(info).runtime
    found = await runtime.registry.province_above((await access_of(info)).tenant)
    return None if found is None else (found, runtime.service(found))


async def _province(info: Info[Any, Any]) -> tuple[Tenant, TenantService]:
    found = await _province_above(info)
    if found is None:
        raise ValidationFailedError(
            "Đơn vị hành chính này không trực thuộc tỉnh/thành phố nào trong hệ thống.",
            "This tenant has no province above it in the registry.")
    return found


@strawberry.type(description="Phiên bản mới của tỉnh chưa được áp dụng / a version the "
                              "province has published that this tenant has not applied")
class PendingProvinceVersion:
    what: str = strawberry.field(description="catalogue: danh mục sản phẩm")
    province_tenant: str
    province_name: str
    available: str = strawberry.field(description="phiên bản hiện hành của tỉnh")
    in_force: str | None = strawberry.field(
        description="phiên bản của tỉnh mà đơn vị đang theo (không có: chưa áp dụng)")


@strawberry.type
class WorkMutation:
    @strawberry.mutation(description="Giao việc cho một hoặc nhiều người (lãnh đạo có thẩm "
                                     "quyền), ghi nhận phiên bản danh mục")
    async def assign_work(self, info: Info[Any, Any], input: AssignWorkInput
                          ) -> AssignWorkResult:
        staff = tuple(_staff_id(s) for s in input.staff_ids)
        ids = tuple(uuid.uuid4() for _ in staff)
        title = check_text(input.title, "tên việc", "title")
        key = check_text(input.catalogue_key, "mã sản phẩm", "item key") \
            if input.catalogue_key is not None else None
        what = Assignment(input.kind.value, input.year, input.number, input.assigned_on,
                          input.deadline, input.expected_quantity, key, title, input.coefficient)
        position = await _write(info, LEADER, lambda s, by: s.assign_work(AssignWork(
            ids, staff, by, what)))
        return AssignWorkResult(position=position, ids=[strawberry.ID(str(i)) for i in ids])

    @strawberry.mutation(description="Giao lại việc cho người khác, có lý do")
    async def reassign_work(self, info: Info[Any, Any], item_id: WorkItemID,
                            to_staff_id: StaffID, on: date, reasons: str,
                            deadline: date | None = None) -> WriteResult:
        iid, to_staff, new_id = _item_id(item_id), _staff_id(to_staff_id), uuid.uuid4()
        text = check_text(reasons, "lý do", "reasons")
        position = await _write(info, LEADER, lambda s, by: s.reassign_work(ReassignWork(
            item_id=iid, by=by, new_item_id=new_id, to_staff=to_staff, on=on, reasons=text,
            deadline=deadline)))
        return WriteResult(position=position, id=strawberry.ID(str(new_id)))

    @strawberry.mutation(description="Hủy việc đã giao, có lý do")
    async def cancel_work(self, info: Info[Any, Any], item_id: WorkItemID,
                          reasons: str) -> WriteResult:
        iid = _item_id(item_id)
        text = check_text(reasons, "lý do", "reasons")
        position = await _write(info, LEADER, lambda s, by: s.cancel_work(
            CancelWork(iid, by, text)))
        return WriteResult(position=position, id=item_id)

    @strawberry.mutation(description="Báo cáo hoàn thành việc của chính mình")
    async def report_work_done(self, info: Info[Any, Any], input: ReportWorkDoneInput
                               ) -> WriteResult:
        iid = _item_id(input.item_id)
        evidence = check_text(input.evidence, "minh chứng", "evidence")
        position = await _write(info, PERSON, lambda s, by: s.report_work_done(
            ReportWorkDone(iid, by, input.quantity, input.done_on, evidence)))
        return WriteResult(position=position, id=input.item_id)

    @strawberry.mutation(description="Nghiệm thu chất lượng, tiến độ (không tự nghiệm thu)")
    async def confirm_work(self, info: Info[Any, Any], input: ConfirmWorkInput) -> WriteResult:
        iid = _item_id(input.item_id)
        reasons = check_text(input.waiver_reasons, "lý do khách quan", "waiver reasons")
        comment = check_text(input.comment, "nhận xét", "comment")
        position = await _write(info, LEADER, lambda s, by: s.confirm_work(ConfirmWork(
            iid, by, Quality(input.quality.value), Timeliness(input.timeliness.value),
            input.quantity, input.failed_checks, input.delays, input.quality_waived,
            input.timeliness_waived, reasons, comment)))
        return WriteResult(position=position, id=input.item_id)

    @strawberry.mutation(description="Ban hành danh mục sản phẩm của đơn vị (phiên bản mới)")
    async def establish_work_catalogue(self, info: Info[Any, Any], input: CatalogueInput,
                                       reasons: str) -> WriteResult:
        catalogue = input.value()
        text = check_text(reasons, "căn cứ", "reasons")
        position = await _write(info, HR, lambda s, _by: s.establish_catalogue(
            EstablishCatalogue(catalogue, text)))
        return WriteResult(position=position, id=strawberry.ID("work-catalogue"))

    @strawberry.mutation(description="Áp dụng danh mục của tỉnh (hoặc phiên bản mới của nó), "
                                     "chỉ điều chỉnh phần tỉnh cho phép (LOCKED_BY_PROVINCE); "
                                     "không nhập điều chỉnh: giữ điều chỉnh đang có")
    async def inherit_province_catalogue(
            self, info: Info[Any, Any], reasons: str,
            adjustment: CatalogueAdjustmentInput | None = None) -> WriteResult:
        province, province_service = await _province(info)
        text = check_text(reasons, "căn cứ", "reasons")
        # None: follow the province's version keeping this tenant's adjustments.
        change = adjustment.value() if adjustment is not None else None
        catalogue = await anyio.to_thread.run_sync(province_service.catalogue)
        position = await _write(info, HR, lambda s, _by: s.inherit_catalogue(
            InheritCatalogue(province.slug, catalogue, change, text)))
        return WriteResult(position=position, id=strawberry.ID(catalogue.version))

    @strawberry.mutation(description="Áp dụng chính sách đánh giá của tỉnh, chỉ điều chỉnh "
                                     "phần tỉnh cho phép")
    async def inherit_province_policy(self, info: Info[Any, Any], cycle: Cycle, reasons: str,
                                      changes_json: str = "{}") -> WriteResult:
        province, province_service = await _province(info)
        text = check_text(reasons, "căn cứ", "reasons")
        try:
            changes = json.loads(check_text(changes_json, "điều chỉnh", "changes"))
        except ValueError:
            changes = None
        if not isinstance(changes, dict):
            raise ValidationFailedError("Phần điều chỉnh phải là một đối tượng JSON.",
                                        "The changes must be a JSON object.")
        policy = await anyio.to_thread.run_sync(province_service.policy_for, cycle.value)
        position = await _write(info, HR, lambda s, _by: s.inherit_policy(
            InheritPolicy(cycle.value, province.slug, policy, changes, text)))
        return WriteResult(position=position, id=strawberry.ID(cycle.value))


@strawberry.type
class WorkQuery:
    @strawberry.field(description="Việc của tôi trong một tháng/quý, hạn gần nhất trước")
    async def my_work(self, info: Info[Any, Any], year: int, number: int,
                      kind: WorkPeriodKind = WorkPeriodKind.MONTHLY, first: int | None = None,
                      after: str | None = None, at_least: int | None = None
                      ) -> Connection[WorkItemType]:
        ctx = ctx_of(info)
        access = await access_of(info)
        principal, tenant = access.principal, access.tenant
        await ctx.fresh(tenant, at_least)
        try:
            me = uuid.UUID(principal.user_id)
        except ValueError:
            return empty()  # a caller who is no staff member (an outside auditor) holds no work
        return await keyset_page(
            ctx.fetcher(tenant),
            f"SELECT w.*, NULL::text AS full_name, {MINE.select()} "
            f"FROM {tenant.schema}.rm_work_items w WHERE w.staff_id = $1 AND w.kind = $2 "
            "AND w.year = $3 AND w.number = $4", [me, kind.value, year, number], MINE, first,
            after, lambda r: WorkItemType.from_row(dict(r)))

    @strawberry.field(description="Bảng theo dõi công việc của đơn vị: mọi việc và tình trạng")
    async def unit_work_board(self, info: Info[Any, Any], unit_id: UnitID, year: int,
                              number: int, kind: WorkPeriodKind = WorkPeriodKind.MONTHLY,
                              first: int | None = None, after: str | None = None,
                              at_least: int | None = None) -> Connection[WorkItemType]:
        ctx = ctx_of(info)
        tenant = (await access_of(info)).tenant
        await ctx.fresh(tenant, at_least)
        # Outside a unit-scoped grant, the guard has answered with an empty board (UnitID).
        uid = parse_id(unit_id, "đơn vị", "Unit")
        s = tenant.schema
        return await keyset_page(
            ctx.fetcher(tenant),
            f"SELECT w.*, st.full_name, {BOARD.select()} FROM {s}.rm_work_items w "
            f"LEFT JOIN {s}.rm_staff st ON st.staff_id = w.staff_id "
            "WHERE w.unit_id = $1 AND w.kind = $2 AND w.year = $3 AND w.number = $4",
            [uid, kind.value, year, number], BOARD, first, after,
            lambda r: WorkItemType.from_row(dict(r)))

    @strawberry.field(description="Bảng điểm tính từ kết quả công việc của một người")
    async def score_breakdown(self, info: Info[Any, Any], staff_id: StaffID, year: int,
                              number: int, kind: WorkPeriodKind = WorkPeriodKind.MONTHLY,
                              at_least: int | None = None) -> ScoreBreakdownType | None:
        ctx = ctx_of(info)
        tenant = (await access_of(info)).tenant
        await ctx.fresh(tenant, at_least)
        sid = _staff_id(staff_id)
        row = await ctx.fetchrow(
            tenant, f"SELECT unit_id FROM {tenant.schema}.rm_staff WHERE staff_id = $1", sid)
        access = await access_of(info)
        if not access.sees_staff(sid, row["unit_id"] if row else None):
            return None  # out of scope reads exactly like absent
        service = ctx.runtime.service(tenant)
        found = await anyio.to_thread.run_sync(
            service.period_breakdown, sid, kind.value, year, number)
        if found is None:
            return None
        scored, policy_version, versions, breakdown, decided = found
        return ScoreBreakdownType.of(str(sid), kind.value, year, number, scored,
                                     policy_version, versions, breakdown, decided)

    @strawberry.field(description="Phiên bản danh mục của tỉnh chưa được áp dụng: một xã/phường "
                                  "theo danh mục của tỉnh (hoặc chưa có danh mục) thấy tỉnh đã "
                                  "ban hành phiên bản mới; áp dụng bằng "
                                  "inheritProvinceCatalogue")
    async def pending_province_versions(self, info: Info[Any, Any]
                                        ) -> list[PendingProvinceVersion]:
        found = await _province_above(info)
        if found is None:
            return []
        province, province_service = found
        service = ctx_of(info).runtime.service((await access_of(info)).tenant)
        theirs = await anyio.to_thread.run_sync(province_service.work_catalogue)
        if theirs is None:
            return []
        ours = await anyio.to_thread.run_sync(service.work_catalogue)
        # A tenant keeping its own catalogue does not follow the province's.
        if ours is not None and (ours.source != INHERITED or (
                ours.province_tenant == province.slug
                and ours.catalogue.province_version == theirs.catalogue_version)):
            return []
        return [PendingProvinceVersion(
            what="catalogue", province_tenant=province.slug, province_name=province.name,
            available=theirs.catalogue_version,
            in_force=ours.catalogue.province_version if ours is not None else None)]

    @strawberry.field(description="Danh mục sản phẩm đang áp dụng (phiên bản mới nhất)")
    async def work_catalogue(self, info: Info[Any, Any], at_least: int | None = None
                             ) -> WorkCatalogueType | None:
        ctx = ctx_of(info)
        tenant = (await access_of(info)).tenant
        await ctx.fresh(tenant, at_least)
        service = ctx.runtime.service(tenant)
        current = await anyio.to_thread.run_sync(service.work_catalogue)
        if current is None:
            return None
        c = current.catalogue
        return WorkCatalogueType(
            version=c.version, source=current.source, province_tenant=current.province_tenant,
            province_version=c.province_version, ad_hoc_min=c.ad_hoc_min,
            ad_hoc_max=c.ad_hoc_max,
            items=[CatalogueItemType(key=i.key, position=i.position, label_vi=i.label_vi,
                                     unit_vi=i.unit_vi, coefficient=i.coefficient,
                                     min_coefficient=i.min_coefficient,
                                     max_coefficient=i.max_coefficient) for i in c.items],
            locked_json=json.dumps(c.to_state()["allowance"], ensure_ascii=False))

