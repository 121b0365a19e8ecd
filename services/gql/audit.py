"""Auditor queries (thanh tra): history, chain verification, checkpoints, as-of boards.

Read-only, for the ``auditor`` role only, and only with an active grant in the platform
log reaching the caller's tenant: a token that merely says "auditor" shows nothing. Every
query is itself recorded as an access event in the platform log (who read what, when).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from domain.actor import Actor
from domain.errors import ValidationFailedError
from services.audit.as_of import aggregate_as_of, unit_month_as_of
from services.audit.checkpoints import checkpoints, first_unkept
from services.audit.history import HistoryEntry, Subject, history
from services.audit.positions import parse_point, resolve
from services.gql.connections import Connection, build, cursor_int, decode_cursor, page_size
from services.gql.context import Context, access_of, ctx_of
from services.gql.ids import RecordID, UnitID
from services.gql.inputs import check_month, parse_id
from services.gql.scope import require_unit
from services.gql.types import Period, Rating
from services.http.auth import ForbiddenError
from services.platform.grants import roles_in
from services.platform.tenants import Tenant
from services.store.integrity import verify

AUDITOR = "auditor"


# The subjects are the auditor's history's own (services/audit/history.py), named for the API.
strawberry.enum(Subject, name="HistorySubject",
                description="Đối tượng tra cứu lịch sử / whose history")


@strawberry.type(description="Một sự kiện trong nhật ký / one recorded event")
class AuditEvent:
    position: int
    aggregate_id: strawberry.ID
    aggregate_type: str
    event: str
    version: int
    recorded_at: datetime
    actor: str
    capacity: str
    policy_version: str | None
    reasons: str | None
    data: JSON

    @classmethod
    def from_entry(cls, e: HistoryEntry) -> AuditEvent:
        return cls(position=e.position, aggregate_id=strawberry.ID(str(e.aggregate_id)),
                   aggregate_type=e.aggregate_type, event=e.event, version=e.version,
                   recorded_at=e.recorded_at, actor=e.actor, capacity=e.capacity,
                   policy_version=e.policy_version, reasons=e.reasons,
                   data=cast(JSON, e.data))


@strawberry.type(description="Điểm mốc chuỗi băm đã công bố / a published checkpoint")
class AuditCheckpoint:
    position: int
    head: str
    events: int
    published_at: datetime
    published_by: str


@strawberry.type(description="Kết quả kiểm tra chuỗi băm / the chain check")
class ChainStatus:
    ok: bool
    events: int
    head: str
    position: int = strawberry.field(description="last position checked, or the first broken")
    problem: str | None
    checkpoints_kept: bool


async def audited(info: Info[Any, Any], operation: str, target: str) -> tuple[Context, Tenant]:
    """The caller must be an auditor with a grant reaching their tenant; the read is logged."""
    ctx = ctx_of(info)
    access = await access_of(info)
    access.capacity(AUDITOR)
    principal, tenant = access.principal, access.tenant
    if AUDITOR not in await roles_in(ctx.runtime.pool, principal.user_id, tenant.slug):
        raise ForbiddenError(
            # Unlike other roles, a claimed "auditor" counts for the audit reads only with a
            # recorded grant, even in development: say so, and how to get one.
            "Bạn chưa được cấp quyền thanh tra tại đơn vị này: việc đọc của thanh tra cần "
            "một lần cấp quyền ghi trong nhật ký nền tảng (`congtam grant --role auditor`; "
            "các thanh tra mẫu do `congtam demo` liệt kê đã được cấp).",
            "You hold no auditor grant for this tenant: audit reads need a grant recorded in "
            "the platform log, even in development (`congtam grant --role auditor`; the demo "
            "auditors `congtam demo` lists hold one).")
    await ctx.runtime.platform.record_access(Actor(principal.user_id, AUDITOR), tenant.slug,
                                             operation, target)
    return ctx, tenant


# Where a record lives, for an auditor whose grant is narrowed to some units: the log
# itself spans the tenant, so each id is placed in its unit through the read models.
_UNIT_OF_RECORD = (
    "SELECT unit_id FROM {s}.rm_units WHERE unit_id = $1 "
    "UNION ALL SELECT unit_id FROM {s}.rm_staff WHERE staff_id = $1 "
    "UNION ALL SELECT unit_id FROM {s}.rm_periods WHERE period_id = $1 "
    "UNION ALL SELECT unit_id FROM {s}.rm_ratings WHERE evaluation_id = $1 "
    "UNION ALL SELECT unit_id FROM {s}.rm_appeals WHERE appeal_id = $1 LIMIT 1"
)


async def _require_record(info: Info[Any, Any], record: str) -> None:
    """A unit-scoped auditor reads the history of records of their units only; any other id
    (or one the read models cannot place) is NOT_FOUND, exactly like an id that is not."""
    access = await access_of(info)
    if access.whole_tenant:
        return
    try:
        record_id = UUID(record)
    except ValueError:
        record_id = None
    unit = None
    if record_id is not None:
        async with ctx_of(info).read(access.tenant) as conn:
            unit = await conn.fetchval(_UNIT_OF_RECORD.format(s=access.tenant.schema),
                                       record_id)
    access.require(access.sees_unit(unit), "hồ sơ", "Record")


async def _until(ctx: Context, tenant: Tenant, until: str | None) -> int | None:
    point = parse_point(until)
    if point is None:
        return None
    async with ctx.runtime.pool_of(tenant).acquire() as conn:
        return await resolve(conn, tenant.schema, point, 0)


def _subject_id(subject: Subject, id: str) -> str:
    if subject is Subject.LEADER:
        return id
    try:
        return str(UUID(id))
    except ValueError:
        raise ValidationFailedError(f"Mã '{id}' không hợp lệ.", f"Invalid id '{id}'.") from None


AUDIT_HISTORY = "audit-history"


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Lịch sử đầy đủ từ nhật ký sự kiện / history from the log")
    async def audit_history(self, info: Info[Any, Any], subject: Subject,
                            id: RecordID, until: str | None = None,
                            first: int | None = None, after: str | None = None
                            ) -> Connection[AuditEvent]:
        """In log order, page by page (the cursor is a log position); no totalCount: counting
        would read the whole log for the subject."""
        target = _subject_id(subject, str(id))
        await _require_record(info, target)
        size = page_size(first)
        key = decode_cursor(AUDIT_HISTORY, after, 1)
        seen = cursor_int(key[0]) if key else 0
        ctx, tenant = await audited(info, f"history:{subject.value}", target)
        stop = await _until(ctx, tenant, until)
        async with ctx.runtime.pool_of(tenant).acquire() as conn:
            entries = await history(conn, tenant.schema, subject, target,
                                    until=stop, limit=size + 1, after=seen,
                                    keys_from=ctx.runtime.keys_for(tenant))
        return build(entries, size, AUDIT_HISTORY, lambda e: (e.position,),
                     AuditEvent.from_entry, after)

    @strawberry.field(description="Kiểm tra chuỗi băm và các điểm mốc / verify the chain")
    async def audit_verify(self, info: Info[Any, Any]) -> ChainStatus:
        ctx, tenant = await audited(info, "verify", "chain")
        result = await verify(ctx.runtime.pool_of(tenant), tenant.schema)
        published = await checkpoints(ctx.runtime.pool, tenant.slug)  # platform: home
        async with ctx.runtime.pool_of(tenant).acquire() as conn:
            unkept = await first_unkept(conn, tenant.schema, published)
        if not result.ok or unkept is None:
            return ChainStatus(ok=result.ok, events=result.events, head=result.head.hex(),
                               position=result.position, problem=result.problem or None,
                               checkpoints_kept=unkept is None)
        return ChainStatus(ok=False, events=result.events, head=result.head.hex(),
                           position=unkept.position, checkpoints_kept=False,
                           problem="the log no longer has a published checkpoint's head")

    @strawberry.field(description="Các điểm mốc đã công bố / published checkpoints")
    async def audit_checkpoints(self, info: Info[Any, Any]) -> list[AuditCheckpoint]:
        ctx, tenant = await audited(info, "checkpoints", "chain")
        published = await checkpoints(ctx.runtime.pool, tenant.slug)
        return [AuditCheckpoint(position=c.position, head=c.head, events=c.events,
                                published_at=c.published_at, published_by=c.published_by)
                for c in published]


@strawberry.type(description="Bảng xếp loại tháng tại một thời điểm / a month board as of")
class BoardAsOf:
    position: int = strawberry.field(description="the log position the board reflects")
    period: Period | None
    ratings: list[Rating]


@strawberry.type
class AuditAsOfQuery:
    @strawberry.field(description="Bảng xếp loại tháng của đơn vị tại một thời điểm (vị trí "
                      "hoặc ngày giờ) / a unit's month board as of a point in the log")
    async def audit_unit_board_as_of(self, info: Info[Any, Any], unit_id: UnitID,
                                     year: int, month: int, as_of: str) -> BoardAsOf:
        check_month(year, month)
        unit = parse_id(unit_id, "đơn vị", "Unit")
        await require_unit(info, unit)
        ctx, tenant = await audited(info, "as_of:unit_board", f"{unit}/{year}-{month:02d}@{as_of}")
        stop = await _until(ctx, tenant, as_of)
        board = await unit_month_as_of(
            ctx.runtime.pool_of(tenant), tenant.schema, unit, year, month,
            stop if stop is not None else 2**62, ctx.runtime.keys_for(tenant))
        return BoardAsOf(position=board.position,
                         period=Period.from_row(board.period) if board.period else None,
                         ratings=[Rating.from_row(r) for r in board.ratings])

    @strawberry.field(description="Trạng thái một đối tượng tại một thời điểm / an aggregate "
                      "as of a point in the log")
    async def audit_aggregate_as_of(self, info: Info[Any, Any], id: RecordID,
                                    as_of: str) -> JSON | None:
        aggregate = parse_id(id, "đối tượng", "Record")
        await _require_record(info, str(aggregate))
        ctx, tenant = await audited(info, "as_of:aggregate", f"{aggregate}@{as_of}")
        stop = await _until(ctx, tenant, as_of)
        async with ctx.runtime.pool_of(tenant).acquire() as conn:
            state = await aggregate_as_of(conn, tenant.schema, aggregate,
                                          stop if stop is not None else 2**62,
                                          ctx.runtime.keys_for(tenant))
        return cast(JSON, state) if state is not None else None
