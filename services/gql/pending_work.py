"""The deadlines a person owes, for "what I must do now" (issue 20): their own
self-assessment and, for a unit's head, the board's decisions — the same rows the reminder
scheduler e-mails about (services/office/reminders.py), with when it did. Asked in the same
persisted operation as ``myPendingWork`` (graphql/operations/MyPendingWork.graphql), which
lists the appeals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from services.app.appeals import hanoi_today
from services.gql.context import access_of, ctx_of
from services.office.reminders import Due, owed_by


@strawberry.type(description="Một việc có hạn bạn còn phải làm / a deadline you still owe")
class OwedDeadline:
    step: str = strawberry.field(description="self:<period> | decide:<period>")
    kind: str = strawberry.field(description="self_assessment | decision")
    what_vi: str
    what_en: str
    due_on: date
    days_left: int = strawberry.field(description="negative once overdue")
    overdue: bool
    reminded_at: datetime | None = strawberry.field(
        description="khi thư nhắc việc đã gửi / when the e-mail reminder went out")

    @classmethod
    def of(cls, due: Due, today: date) -> OwedDeadline:
        o = due.owed
        return cls(step=o.step, kind="decision" if o.step.startswith("decide:")
                   else "self_assessment", what_vi=o.what_vi, what_en=o.what_en,
                   due_on=o.due_on, days_left=(o.due_on - today).days,
                   overdue=o.due_on < today, reminded_at=due.reminded_at)


@strawberry.type
class PendingWorkQuery:
    @strawberry.field(description="Các việc có hạn bạn còn nợ (tự đánh giá, quyết định xếp "
                                  "loại), hạn gần nhất trước; bounded per person, so not paged")
    async def my_deadlines(self, info: Info[Any, Any],
                           at_least: int | None = None) -> list[OwedDeadline]:
        access = await access_of(info)
        ctx = ctx_of(info)
        await ctx.fresh(access.tenant, at_least)
        today = hanoi_today()
        async with ctx.read(access.tenant) as conn:
            found = await owed_by(ctx.runtime.pool, conn, access.tenant,
                                  access.principal.user_id, today)
        return [OwedDeadline.of(d, today) for d in found]
