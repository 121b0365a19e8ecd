"""Read queries of appeals and leader accountability, from the caller's tenant schema."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from projections.appeals import OPEN_STAGES, UNIT_APPEAL_COUNTS
from projections.leaders import LEADER_SUMMARY
from services.appeals import hanoi_today
from services.gql.acting import acting_in
from services.gql.appeal_types import (
    Appeal,
    AppealStep,
    LeaderAccountability,
    LeaderDecision,
    PendingAppealWork,
    UnitAppealCounts,
)
from services.gql.context import ctx_of
from services.gql.inputs import parse_id
from services.tenants import Tenant

READERS = ("hr_officer", "auditor", "appeal_reviewer", "unit_leader")
OVERSIGHT = ("hr_officer", "auditor")
_OPEN = ", ".join(f"'{x}'" for x in OPEN_STAGES)
_APPEAL = ("SELECT a.*, s.full_name FROM {s}.rm_appeals a "
           "LEFT JOIN {s}.rm_staff s ON s.staff_id = a.staff_id")


async def _where(info: Info[Any, Any], tenant: str | None, at_least: int | None,
                 roles: tuple[str, ...] = ()) -> tuple[str, Tenant]:
    """The caller's user id and the tenant read (a child tenant only through a grant)."""
    ctx = ctx_of(info)
    principal, home = await ctx.caller()
    target = home
    if tenant is not None and tenant != home.slug:
        _, target, _ = await acting_in(info, ("appeal_reviewer", "unit_leader", "auditor"),
                                       tenant)
    elif roles:
        await ctx.caller(*roles)
    await ctx.fresh(target, at_least)
    return principal.user_id, target


@strawberry.type
class AppealQuery:
    @strawberry.field(description="Một khiếu nại và các bước của nó / one appeal, every step")
    async def appeal(self, info: Info[Any, Any], id: strawberry.ID, tenant: str | None = None,
                     at_least: int | None = None) -> Appeal | None:
        ctx = ctx_of(info)
        me, target = await _where(info, tenant, at_least)
        s = target.schema
        row = await ctx.runtime.pool.fetchrow(_APPEAL.format(s=s) + " WHERE a.appeal_id = $1",
                                              parse_id(id, "khiếu nại", "Appeal"))
        if row is None:
            return None
        party = me in (str(row["staff_id"]), row["reviewer"], row["decided_by"],
                       row["first_reviewer"])
        home = (await ctx.caller())[1]
        if not party and target.slug == home.slug:  # a child tenant was checked by grant
            await ctx.caller(*OVERSIGHT, "appeal_reviewer")
        steps = await ctx.runtime.pool.fetch(
            f"SELECT * FROM {s}.rm_appeal_steps WHERE appeal_id = $1 ORDER BY position",
            row["appeal_id"])
        return Appeal.from_row(row, hanoi_today(), [AppealStep.from_row(r) for r in steps])

    @strawberry.field(description="Danh sách khiếu nại (lọc theo đơn vị, người, trạng thái)")
    async def appeals(self, info: Info[Any, Any], unit_id: strawberry.ID | None = None,
                      staff_id: strawberry.ID | None = None, status: str | None = None,
                      tenant: str | None = None, at_least: int | None = None) -> list[Appeal]:
        ctx = ctx_of(info)
        principal, _ = await ctx.caller()
        own = staff_id is not None and str(staff_id) == principal.user_id and tenant is None
        _, target = await _where(info, tenant, at_least, () if own else READERS)
        clauses, args = [], []
        for column, value in (("a.unit_id", unit_id and parse_id(unit_id, "đơn vị", "Unit")),
                              ("a.staff_id", staff_id and parse_id(staff_id, "cán bộ",
                                                                   "Staff member")),
                              ("a.status", status)):
            if value is not None:
                args.append(value)
                clauses.append(f"{column} = ${len(args)}")
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = await ctx.runtime.pool.fetch(
            _APPEAL.format(s=target.schema) + where + " ORDER BY a.filed_at, a.appeal_id",
            *args)
        today = hanoi_today()
        return [Appeal.from_row(r, today) for r in rows]

    @strawberry.field(description="Khiếu nại theo đơn vị: đang mở, quá hạn, đã giải quyết")
    async def unit_appeal_counts(self, info: Info[Any, Any], at_least: int | None = None
                                 ) -> list[UnitAppealCounts]:
        ctx = ctx_of(info)
        _, target = await _where(info, None, at_least, READERS)
        s = target.schema
        rows = await ctx.runtime.pool.fetch(
            f"SELECT c.*, u.name FROM ({UNIT_APPEAL_COUNTS.format(s=s)}) c "
            f"LEFT JOIN {s}.rm_units u ON u.unit_id = c.unit_id ORDER BY u.name, c.unit_id",
            hanoi_today())
        return [UnitAppealCounts.from_row(r) for r in rows]

    @strawberry.field(description="Trách nhiệm giải trình của lãnh đạo: quyết định, tỷ lệ bị "
                                  "khiếu nại, bị sửa, thời gian quyết định")
    async def leader_accountability(self, info: Info[Any, Any],
                                    leader_id: strawberry.ID | None = None,
                                    at_least: int | None = None) -> list[LeaderAccountability]:
        ctx = ctx_of(info)
        principal, _ = await ctx.caller()
        own = leader_id is not None and str(leader_id) == principal.user_id
        _, target = await _where(info, None, at_least, () if own else OVERSIGHT)
        s = target.schema
        rows = await ctx.runtime.pool.fetch(
            f"SELECT l.*, st.full_name FROM ({LEADER_SUMMARY.format(s=s)}) l "
            f"LEFT JOIN {s}.rm_staff st ON st.staff_id::text = l.decider "
            "WHERE $1::text IS NULL OR l.decider = $1 ORDER BY l.decider",
            str(leader_id) if leader_id is not None else None)
        return [LeaderAccountability.from_row(r) for r in rows]

    @strawberry.field(description="Các quyết định của một lãnh đạo và điều xảy ra sau đó")
    async def leader_decisions(self, info: Info[Any, Any], leader_id: strawberry.ID,
                               at_least: int | None = None) -> list[LeaderDecision]:
        ctx = ctx_of(info)
        principal, _ = await ctx.caller()
        own = str(leader_id) == principal.user_id
        _, target = await _where(info, None, at_least, () if own else OVERSIGHT)
        s = target.schema
        rows = await ctx.runtime.pool.fetch(
            f"SELECT d.*, st.full_name FROM {s}.rm_leader_decisions d "
            f"LEFT JOIN {s}.rm_staff st ON st.staff_id = d.staff_id "
            "WHERE d.decider = $1 ORDER BY d.decided_at, d.evaluation_id", str(leader_id))
        return [LeaderDecision.from_row(r) for r in rows]

    @strawberry.field(description="Việc về khiếu nại đang chờ bạn (người khiếu nại, người đã "
                                  "quyết định, người giải quyết)")
    async def my_pending_work(self, info: Info[Any, Any], tenant: str | None = None,
                              at_least: int | None = None) -> list[PendingAppealWork]:
        """With ``tenant`` (a child tenant, through a grant), a reviewer of the level above
        also sees the second-instance appeals there that wait for someone to take them up."""
        ctx = ctx_of(info)
        _, home = await ctx.caller()
        me, target = await _where(info, tenant, at_least)
        above = target.slug != home.slug
        today = hanoi_today()
        rows = await ctx.runtime.pool.fetch(
            _APPEAL.format(s=target.schema) +
            f" WHERE (a.status IN ({_OPEN}) OR (a.status = 'decided' AND a.escalate_by >= $2))"
            " AND (a.staff_id::text = $1 OR a.reviewer = $1 OR a.decided_by = $1 OR ($3 AND "
            "a.status = 'awaiting_reviewer' AND a.instance = 2)) "
            "ORDER BY a.due_on, a.appeal_id", me, today, above)
        return [work for r in rows for work in _pending(r, me, today, above)]


def _pending(r: Any, me: str, today: Any, above: bool = False) -> list[PendingAppealWork]:
    """What each party of an appeal has to do now (or is waiting for)."""
    status, out = r["status"], []
    if above and status == "awaiting_reviewer":
        out.append(("level_above", "take_up"))
    if str(r["staff_id"]) == me:
        out.append(("appellant", {"awaiting_information": "provide_information",
                                  "decided": "may_escalate"}.get(status, "await_outcome")))
    if r["reviewer"] == me and status != "decided":
        out.append(("reviewer", {"assigned": "accept", "under_review": "decide",
                                 "awaiting_information": "await_information",
                                 }.get(status, "await")))
    if r["decided_by"] == me and status != "decided":
        out.append(("decider", "your_decision_is_appealed"))
    open_ = status in OPEN_STAGES
    # Until the outcome, the instance's deadline; after it, the last day to escalate.
    due = r["due_on"] if open_ else r["escalate_by"]
    return [PendingAppealWork(
        appeal_id=strawberry.ID(str(r["appeal_id"])), role=role, action=action,
        staff_name=r["full_name"], instance=r["instance"], status=status, due_on=due,
        overdue=open_ and due < today) for role, action in out]
