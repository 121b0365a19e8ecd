"""Read queries of appeals and leader accountability, from the caller's tenant schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.actor import Actor
from projections.appeals import OPEN_STAGES, UNIT_APPEAL_COUNTS
from projections.leaders import LEADER_SUMMARY
from services.app.appeals import hanoi_today
from services.gql.acting import acting_in
from services.gql.appeal_types import (
    Appeal,
    AppealStep,
    LeaderAccountability,
    LeaderDecision,
    PendingAppealWork,
    UnitAppealCounts,
)
from services.gql.connections import Connection, Keyset, keyset_page
from services.gql.context import access_of, ctx_of
from services.gql.filters import Columns, ListFilter, in_scope, where
from services.gql.ids import AppealID, StaffID, StaffIDOrNone, UnitIDOrNone
from services.gql.inputs import parse_id
from services.platform.tenants import Tenant

READERS = ("hr_officer", "auditor", "appeal_reviewer", "unit_leader")
OVERSIGHT = ("hr_officer", "auditor")
_OPEN = ", ".join(f"'{x}'" for x in OPEN_STAGES)
_APPEAL = ("SELECT a.*, s.full_name FROM {s}.rm_appeals a "
           "LEFT JOIN {s}.rm_staff s ON s.staff_id = a.staff_id")


async def _where(info: Info[Any, Any], tenant: str | None, at_least: int | None,
                 roles: tuple[str, ...] = ()) -> tuple[str, Tenant]:
    """The caller's user id and the tenant read (a child tenant only through a grant)."""
    ctx, access = ctx_of(info), await access_of(info)
    principal, home = access.principal, access.tenant
    target = home
    if tenant is not None and tenant != home.slug:
        _, target, capacity = await acting_in(
            info, ("appeal_reviewer", "unit_leader", "auditor"), tenant)
        # A read reaching into another tenant is logged there, like an auditor's read.
        await ctx.runtime.platform.record_access(
            Actor(principal.user_id, capacity), target.slug, info.field_name,
            f"from {home.slug}")
    elif roles:
        access.capacity(*roles)
    await ctx.fresh(target, at_least)
    return principal.user_id, target


@strawberry.type
class AppealQuery:
    @strawberry.field(description="Một khiếu nại và các bước của nó / one appeal, every step")
    async def appeal(self, info: Info[Any, Any], id: AppealID, tenant: str | None = None,
                     at_least: int | None = None) -> Appeal | None:
        ctx = ctx_of(info)
        me, target = await _where(info, tenant, at_least)
        s = target.schema
        row = await ctx.fetchrow(target, _APPEAL.format(s=s) + " WHERE a.appeal_id = $1",
                                              parse_id(id, "khiếu nại", "Appeal"))
        if row is None:
            return None
        party = me in (str(row["staff_id"]), row["reviewer"], row["decided_by"],
                       row["first_reviewer"])
        access = await access_of(info)
        if not party and target.slug == access.tenant.slug:  # a child's was checked by grant
            access.capacity(*OVERSIGHT, "appeal_reviewer")
            if not access.sees_unit(row["unit_id"]):
                return None  # outside a unit-scoped grant: exactly like an absent appeal
        steps = await ctx.fetcher(target)(
            f"SELECT * FROM {s}.rm_appeal_steps WHERE appeal_id = $1 ORDER BY position",
            row["appeal_id"])
        return Appeal.from_row(row, hanoi_today(), [AppealStep.from_row(r) for r in steps])

    @strawberry.field(description="Danh sách khiếu nại theo ngày nộp (lọc theo đơn vị, người, "
                                  "trạng thái, bộ lọc) / appeals, oldest filed first")
    async def appeals(self, info: Info[Any, Any], unit_id: UnitIDOrNone = None,
                      staff_id: StaffIDOrNone = None, status: str | None = None,
                      filter: ListFilter | None = None, first: int | None = None,
                      after: str | None = None, tenant: str | None = None,
                      at_least: int | None = None) -> Connection[Appeal]:
        ctx = ctx_of(info)
        principal = (await access_of(info)).principal
        own = staff_id is not None and str(staff_id) == principal.user_id and tenant is None
        _, target = await _where(info, tenant, at_least, () if own else READERS)
        w = where(filter, appeal_columns(target.schema, "a"), target.schema)
        for column, value in (("a.unit_id", unit_id and parse_id(unit_id, "đơn vị", "Unit")),
                              ("a.staff_id", staff_id and parse_id(staff_id, "cán bộ",
                                                                   "Staff member")),
                              ("a.status", status)):
            if value is not None:
                w.add(f"{column} = ?", value)
        access = await access_of(info)
        if target.slug == access.tenant.slug and not access.whole_tenant:
            # A unit-scoped grant: its units' appeals, and the caller's own.
            w.args += [sorted(access.units), principal.user_id]
            n = len(w.args)
            w.conditions.append(f"(a.unit_id = ANY(${n - 1}::uuid[]) OR a.staff_id::text = ${n})")
        today = hanoi_today()
        return await keyset_page(
            ctx.fetcher(target),
            _APPEAL.format(s=target.schema).replace("SELECT a.*", f"SELECT a.*, {APPEALS.select()}")
            + f" WHERE {w.sql()}", w.args, APPEALS, first, after,
            lambda r: Appeal.from_row(r, today))

    @strawberry.field(description="Khiếu nại theo đơn vị: đang mở, quá hạn, đã giải quyết")
    async def unit_appeal_counts(self, info: Info[Any, Any], filter: ListFilter | None = None,
                                 first: int | None = None, after: str | None = None,
                                 at_least: int | None = None
                                 ) -> Connection[UnitAppealCounts]:
        ctx = ctx_of(info)
        _, target = await _where(info, None, at_least, READERS)
        s = target.schema
        w = where(filter, appeal_columns(s, "rm_appeals"), s, [hanoi_today()])
        in_scope(w, "rm_appeals.unit_id", await access_of(info))
        return await keyset_page(
            ctx.fetcher(target),
            f"SELECT c.*, u.name, {UNIT_COUNTS.select()} "
            f"FROM ({UNIT_APPEAL_COUNTS.format(s=s, where=w.sql())}) c "
            f"LEFT JOIN {s}.rm_units u ON u.unit_id = c.unit_id", w.args, UNIT_COUNTS,
            first, after, UnitAppealCounts.from_row)

    @strawberry.field(description="Trách nhiệm giải trình của lãnh đạo: quyết định, tỷ lệ bị "
                                  "khiếu nại, bị sửa, thời gian quyết định (trên các quyết "
                                  "định khớp bộ lọc)")
    async def leader_accountability(self, info: Info[Any, Any],
                                    leader_id: StaffIDOrNone = None,
                                    filter: ListFilter | None = None, first: int | None = None,
                                    after: str | None = None, at_least: int | None = None
                                    ) -> Connection[LeaderAccountability]:
        ctx = ctx_of(info)
        principal = (await access_of(info)).principal
        own = leader_id is not None and str(leader_id) == principal.user_id
        _, target = await _where(info, None, at_least, () if own else OVERSIGHT)
        s = target.schema
        w = where(filter, decision_columns(s, "rm_leader_decisions"), s,
                  [str(leader_id) if leader_id is not None else None])
        if not own:  # a unit-scoped grant counts the decisions about its units' people
            in_scope(w, "rm_leader_decisions.unit_id", await access_of(info))
        return await keyset_page(
            ctx.fetcher(target),
            f"SELECT l.*, st.full_name, {LEADERS.select()} "
            f"FROM ({LEADER_SUMMARY.format(s=s, where=w.sql())}) l "
            f"LEFT JOIN {s}.rm_staff st ON st.staff_id::text = l.decider "
            "WHERE $1::text IS NULL OR l.decider = $1", w.args, LEADERS, first, after,
            LeaderAccountability.from_row)

    @strawberry.field(description="Các quyết định của một lãnh đạo và điều xảy ra sau đó")
    async def leader_decisions(self, info: Info[Any, Any], leader_id: StaffID,
                               filter: ListFilter | None = None, first: int | None = None,
                               after: str | None = None, at_least: int | None = None
                               ) -> Connection[LeaderDecision]:
        ctx = ctx_of(info)
        principal = (await access_of(info)).principal
        own = str(leader_id) == principal.user_id
        _, target = await _where(info, None, at_least, () if own else OVERSIGHT)
        s = target.schema
        w = where(filter, decision_columns(s, "d"), s, [str(leader_id)])
        if not own:
            in_scope(w, "d.unit_id", await access_of(info))
        return await keyset_page(
            ctx.fetcher(target),
            f"SELECT d.*, st.full_name, {DECISIONS.select()} FROM {s}.rm_leader_decisions d "
            f"LEFT JOIN {s}.rm_staff st ON st.staff_id = d.staff_id "
            f"WHERE d.decider = $1 AND {w.sql()}", w.args, DECISIONS, first, after,
            LeaderDecision.from_row)

    @strawberry.field(description="Việc về khiếu nại đang chờ bạn (người khiếu nại, người đã "
                                  "quyết định, người giải quyết), hạn gần nhất trước")
    async def my_pending_work(self, info: Info[Any, Any], tenant: str | None = None,
                              first: int | None = None, after: str | None = None,
                              at_least: int | None = None) -> Connection[PendingAppealWork]:
        """With ``tenant`` (a child tenant, through a grant), a reviewer of the level above
        also sees the second-instance appeals there that wait for someone to take them up.
        Each row is one thing one party has to do, so one appeal may give several."""
        ctx = ctx_of(info)
        home = (await access_of(info)).tenant
        me, target = await _where(info, tenant, at_least)
        above = target.slug != home.slug
        today = hanoi_today()
        return await keyset_page(
            ctx.fetcher(target),
            _APPEAL.format(s=target.schema).replace(
                "SELECT a.*", f"SELECT a.*, w.role, {PENDING.select()}") + _ROLES +
            f" WHERE w.applies AND (a.status IN ({_OPEN}) OR (a.status = 'decided' "
            "AND a.escalate_by >= $2)) AND (a.staff_id::text = $1 OR a.reviewer = $1 OR "
            "a.decided_by = $1 OR ($3 AND a.status = 'awaiting_reviewer' AND a.instance = 2))",
            [me, today, above], PENDING, first, after, lambda r: _pending(r, today))


def appeal_columns(s: str, a: str) -> Columns:
    """An appeal's filter columns; its level is the rating as it stands now, its staff type
    and peer group those of the appealed evaluation's board."""
    return Columns(month=f"{a}.year * 100 + {a}.number", unit=f"{a}.unit_id",
                   staff_type=_on_board(s, a, "staff_type"),
                   peer_group=_on_board(s, a, "peer_group"),
                   level=f"{a}.current_level")


def decision_columns(s: str, d: str) -> Columns:
    """A leader's decision's filter columns; its level is the one decided."""
    return Columns(month=f"{d}.year * 100 + {d}.number", unit=f"{d}.unit_id",
                   staff_type=_on_board(s, d, "staff_type"),
                   peer_group=_on_board(s, d, "peer_group"),
                   level=f"{d}.level")


def _on_board(s: str, table: str, column: str) -> str:
    return (f"(SELECT m.{column} FROM {s}.rm_board_members m "
            f"WHERE m.evaluation_id = {table}.evaluation_id)")


APPEALS = Keyset("appeals", (("a.filed_at", datetime), ("a.appeal_id", UUID)))
UNIT_COUNTS = Keyset("unit-appeal-counts", (("coalesce(u.name, '')", str),
                                            ("c.unit_id", UUID)))
LEADERS = Keyset("leader-accountability", (("l.decider", str),))
DECISIONS = Keyset("leader-decisions", (("coalesce(d.decided_at, d.ready_at)", datetime),
                                        ("d.evaluation_id", UUID)))
# Until the outcome, the instance's deadline; after it, the last day to escalate.
_DUE = f"CASE WHEN a.status IN ({_OPEN}) THEN a.due_on ELSE a.escalate_by END"
PENDING = Keyset("pending-work", ((_DUE, date), ("a.appeal_id", UUID), ("w.rank", int)))
# Each party's share of an appeal, one row per role that applies to the caller ($1).
_ROLES = (
    " CROSS JOIN LATERAL (VALUES "
    "('level_above', 0, $3 AND a.status = 'awaiting_reviewer'), "
    "('appellant', 1, a.staff_id::text = $1), "
    "('reviewer', 2, a.reviewer = $1 AND a.status <> 'decided'), "
    "('decider', 3, a.decided_by = $1 AND a.status <> 'decided')) w(role, rank, applies)"
)


def _pending(r: Any, today: Any) -> PendingAppealWork:
    """What one party of an appeal has to do now (or is waiting for)."""
    status, role = r["status"], r["role"]
    action = {
        "level_above": "take_up",
        "appellant": {"awaiting_information": "provide_information",
                      "decided": "may_escalate"}.get(status, "await_outcome"),
        "reviewer": {"assigned": "accept", "under_review": "decide",
                     "awaiting_information": "await_information"}.get(status, "await"),
        "decider": "your_decision_is_appealed",
    }[role]
    open_ = status in OPEN_STAGES
    due = r["due_on"] if open_ else r["escalate_by"]
    return PendingAppealWork(
        appeal_id=strawberry.ID(str(r["appeal_id"])), role=role, action=action,
        staff_name=r["full_name"], instance=r["instance"], status=status, due_on=due,
        overdue=open_ and due < today)
