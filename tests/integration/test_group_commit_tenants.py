"""Two tenants with the same ids, their commands grouped at the same moment: each tenant's
group is judged on its own log and cache only. The period, its evaluations and the people
carry the same ids in both, and both caches hold the period when the groups run, so a
batch lending the other tenant's aggregate, or appending to the other tenant's log, shows
as the wrong decisions, the wrong refusal, or events in the wrong log."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.errors import DomainError
from domain.evaluation import OFFICIAL
from domain.ids import PeriodId, StaffId, evaluation_id_for
from domain.levels import Level
from domain.period import EvaluationPeriod
from services.app.commands import DecideRating, OpenPeriod
from services.app.handlers import TenantService
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.org import Org

pytestmark = pytest.mark.integration

# 10 people rated in each tenant: at most 3 excellent. X's fourth A is refused; Y's levels
# would all be accepted in Y, and any of them judged against X's period would still be.
X_LEVELS = [Level.A, Level.A, Level.A, Level.A, Level.B]
Y_LEVELS = [Level.D, Level.C, Level.C, Level.B, Level.A]


def _both_grouped(groups: list[tuple[TenantService, Org, PeriodId, list[Level]]]
                  ) -> list[list[int | str]]:
    """Queue every tenant's decisions while all their writers are held, then let all the
    groups go at once: one batch per tenant, running side by side. Each caller's answer."""
    answers: list[list[int | str]] = [["" for _ in levels] for *_, levels in groups]

    def decide(g: int, index: int) -> None:
        service, org, period_id, levels = groups[g]
        with acting_as(Actor(str(org.leader), "unit_leader")):
            try:
                answers[g][index] = service.decide_rating(DecideRating(
                    period_id, org.members[index], levels[index],
                    95 if levels[index] == Level.A else 80, "Có lý do.", str(org.leader)))
            except DomainError as error:
                answers[g][index] = error.code

    threads: list[threading.Thread] = []
    locks = [service.app.writer.lock for service, *_ in groups]
    for lock in locks:
        lock.acquire()
    try:
        for g, (service, _, _, levels) in enumerate(groups):
            for index in range(len(levels)):
                thread = threading.Thread(target=decide, args=(g, index))
                thread.start()
                threads.append(thread)
                deadline = time.monotonic() + 10
                while service.app.writer.pending() < index + 1:  # queued in this order
                    assert time.monotonic() < deadline, "a decision never reached its queue"
                    time.sleep(0.005)
    finally:
        for lock in locks:
            lock.release()
    for thread in threads:
        thread.join(30)
    return answers


async def test_two_tenants_sharing_ids_grouped_at_once_each_see_only_their_own(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]],
) -> None:
    shared: dict[str, uuid.UUID] = {}
    x, y = await new_tenant(), await new_tenant()
    own, other = await org_in(x, members=9, ids=shared), await org_in(y, members=9, ids=shared)
    assert own.members == other.members  # the premise: the same ids in both
    sx, sy = runtime.service(x), runtime.service(y)
    with acting_as(Actor("hr", "hr_officer")):
        opened_x, _ = await anyio.to_thread.run_sync(sx.open_period,
                                                     OpenPeriod(own.unit, 2026, 7))
        opened_y, _ = await anyio.to_thread.run_sync(sy.open_period,
                                                     OpenPeriod(other.unit, 2026, 7))
    assert opened_x == opened_y  # one period id in both logs
    period_id = PeriodId(opened_x)
    # Both caches hold the period (and its people) before the groups run: lent in place.
    for service in (sx, sy):
        await anyio.to_thread.run_sync(service.app.get_many, [period_id, *own.members])

    answers_x, answers_y = await anyio.to_thread.run_sync(_both_grouped, [
        (sx, own, period_id, X_LEVELS), (sy, other, period_id, Y_LEVELS)])

    assert answers_x[3] == "QUOTA_EXCEEDED", answers_x
    assert all(isinstance(a, int) for i, a in enumerate(answers_x) if i != 3), answers_x
    assert all(isinstance(a, int) for a in answers_y), answers_y

    # Each caller's position is its own decision, in its own tenant's log.
    for tenant, org, answers in ((x, own, answers_x), (y, other, answers_y)):
        async with runtime.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT notification_id, originator_id FROM {tenant.schema}.evaluations_events"
                " WHERE notification_id = ANY($1::bigint[])",
                [a for a in answers if isinstance(a, int)])
        by_position: dict[int, Any] = {r["notification_id"]: r["originator_id"] for r in rows}
        for index, answer in enumerate(answers):
            if isinstance(answer, int):
                assert by_position.get(answer) == evaluation_id_for(
                    period_id, StaffId(org.members[index]), OFFICIAL), (tenant.slug, index)

    # Each tenant's log holds its own group: the period moved once per accepted decision,
    # and each evaluation once if its decision was accepted there.
    for tenant, answers in ((x, answers_x), (y, answers_y)):
        ids = [period_id, *(evaluation_id_for(period_id, StaffId(m), OFFICIAL)
                            for m in own.members[:len(answers)])]
        async with runtime.pool.acquire() as conn:
            versions = dict(await conn.fetch(
                f"SELECT originator_id, max(originator_version) "
                f"FROM {tenant.schema}.evaluations_events WHERE originator_id = ANY($1::uuid[]) "
                "GROUP BY originator_id", ids))
        accepted = [isinstance(a, int) for a in answers]
        assert [versions[i] for i in ids] == [1 + sum(accepted)] + [
            2 if ok else 1 for ok in accepted], (tenant.slug, answers)

    # And each tenant's period as its application serves it (from its cache) says the same.
    expected = {x.slug: sorted(str(level) for i, level in enumerate(X_LEVELS) if i != 3),
                y.slug: sorted(str(level) for level in Y_LEVELS)}
    for tenant, service in ((x, sx), (y, sy)):
        period: Any = service.app.repository.get(period_id)
        assert isinstance(period, EvaluationPeriod)
        assert sorted(str(v) for v in period.decisions.values()) == expected[tenant.slug], (
            tenant.slug, period.decisions)
