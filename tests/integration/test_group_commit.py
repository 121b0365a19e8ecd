"""Concurrent commands of one tenant share one commit, each judged and answered on its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import anyio
import pytest
from eventsourcing.domain import Aggregate
from psycopg.sql import SQL, Composed, Identifier

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
from services.store.group_commit import _literal, running
from tests.support.org import Org, StaffedTenant, month_open

pytestmark = pytest.mark.integration

EVENTS_PER_DECISION = 2  # the period's and the evaluation's


def _queued(service: TenantService) -> int:
    return service.app.writer.pending()


def _decide_grouped(service: TenantService, org: Org, period_id: PeriodId,
                    levels: list[Level]) -> list[int | str]:
    """Queue one decision per level (in this order, member by member) while the tenant's
    writer is held, then let them all go as one group; each caller's own answer."""
    answers: list[int | str] = ["" for _ in levels]

    def decide(index: int, level: Level) -> None:
        with acting_as(Actor(str(org.leader), "unit_leader")):
            try:
                answers[index] = service.decide_rating(DecideRating(
                    period_id, org.members[index], level, 95 if level == Level.A else 80,
                    "Có lý do.", str(org.leader)))
            except DomainError as error:
                answers[index] = error.code

    threads = []
    with service.app.writer.lock:  # the group forms behind a leader that is busy
        for index, level in enumerate(levels):
            thread = threading.Thread(target=decide, args=(index, level))
            thread.start()
            threads.append(thread)
            deadline = time.monotonic() + 10
            while _queued(service) < index + 1:  # queued in this order
                assert time.monotonic() < deadline, "a decision never reached the queue"
                time.sleep(0.005)
    for thread in threads:
        thread.join(30)
    return answers


async def test_a_group_lands_in_one_commit_with_contiguous_positions_and_own_answers(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    # 10 people to rate → at most 3 excellent
    tenant, org, service, period_id = await month_open(runtime, staffed_tenant, 9, 5)
    # The fourth excellent is refused by the quota, in the middle of the group.
    levels = [Level.A, Level.A, Level.A, Level.A, Level.B, Level.B, Level.C]
    batches = service.app.writer.batches
    answers = await anyio.to_thread.run_sync(
        _decide_grouped, service, org, period_id, levels)
    assert service.app.writer.batches == batches + 1  # one transaction, one commit for all

    assert answers[3] == "QUOTA_EXCEEDED"
    positions = [a for i, a in enumerate(answers) if i != 3]
    assert all(isinstance(p, int) for p in positions), answers
    # Distinct and contiguous, in the order queued: the refusal left no hole.
    assert [int(p) - int(positions[0]) for p in positions] == [
        EVENTS_PER_DECISION * k for k in range(len(positions))]

    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT notification_id, originator_id "
            f"FROM {tenant.schema}.evaluations_events "
            f"WHERE notification_id BETWEEN $1 AND $2 ORDER BY notification_id",
            int(positions[0]) - 1, int(positions[-1]))
    assert len(rows) == EVENTS_PER_DECISION * len(positions)
    by_position: dict[int, Any] = {r["notification_id"]: r["originator_id"] for r in rows}
    for index, answer in enumerate(answers):  # each caller's position is its own decision
        if index != 3:
            assert by_position[int(answer)] == evaluation_id_for(
                period_id, StaffId(org.members[index]), OFFICIAL)

    # The refused command left nothing behind, in the log or in the cache: the same
    # person can be decided afterwards, and the period counts exactly what was accepted.
    refused = org.members[3]

    def decide_refused_again() -> int:
        with acting_as(Actor(str(org.leader), "unit_leader")):
            return service.decide_rating(DecideRating(
                period_id, refused, Level.B, 80, "Có lý do.", str(org.leader)))

    assert await anyio.to_thread.run_sync(decide_refused_again) > int(positions[-1])
    period: Any = service.app.repository.get(period_id)
    assert isinstance(period, EvaluationPeriod)
    assert sorted(period.decisions.values()) == ["A", "A", "A", "B", "B", "B", "C"]
    fresh = runtime.apps.get(tenant.slug).get_many([period_id])[period_id]
    assert isinstance(fresh, EvaluationPeriod)
    assert fresh.version == period.version


async def test_a_group_of_many_tenants_threads_lands_whole(
    runtime: Runtime, staffed_tenant: StaffedTenant,
) -> None:
    """Free-running deciders (no forced group): every one answered, no position twice."""
    tenant, org = await staffed_tenant(members=9)
    service = runtime.service(tenant)
    with acting_as(Actor("hr", "hr_officer")):
        opened, _ = await anyio.to_thread.run_sync(
            service.open_period, OpenPeriod(org.unit, 2026, 6))
    barrier = threading.Barrier(len(org.members))
    answers: dict[StaffId, int | str] = {}

    def decide(staff: StaffId) -> None:
        barrier.wait()
        with acting_as(Actor(str(org.leader), "unit_leader")):
            try:
                answers[staff] = service.decide_rating(DecideRating(
                    PeriodId(opened), staff, Level.B, 80, "Có lý do.", str(org.leader)))
            except DomainError as error:
                answers[staff] = error.code

    threads = [threading.Thread(target=decide, args=(m,)) for m in org.members]

    def run_all() -> None:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    await anyio.to_thread.run_sync(run_all)

    assert all(isinstance(a, int) for a in answers.values()), answers
    assert len(set(answers.values())) == len(org.members)
    period: Any = service.app.repository.get(opened)
    assert isinstance(period, EvaluationPeriod)
    assert len(period.decisions) == len(org.members)


class Probe(Aggregate):
    """An aggregate with nothing in it: what a step saved, or not."""


class RefusedError(Exception):
    pass


def _refused_after(*work: Callable[[], object]) -> None:
    for step in work:
        step()
    raise RefusedError()


async def test_a_command_that_sends_nothing_keeps_the_savepoint_of_the_one_before(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    """A command's savepoint rides with its first read: a command refused before sending
    anything leaves the one before it held, and the next command rolls back to its own
    savepoint, never to an earlier command's."""
    tenant = await new_tenant()
    app = runtime.apps.get(tenant.slug)
    kept, dropped = Probe(), Probe()

    def run() -> None:
        with app._open_batch() as batch, running(batch):
            with app.step():
                app.save(kept)
            with pytest.raises(RefusedError), app.step():
                _refused_after()
            with pytest.raises(RefusedError), app.step():
                _refused_after(lambda: app.get_many([kept.id]), lambda: app.save(dropped))

    await anyio.to_thread.run_sync(run)
    assert set(app.get_many([kept.id, dropped.id])) == {kept.id}


async def test_a_batch_whose_commands_send_nothing_opens_no_transaction(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    """The opening rides with the batch's first statement: a batch of commands refused
    before reading anything sends nothing, and the connection goes back to the pool idle."""
    tenant = await new_tenant()
    app = runtime.apps.get(tenant.slug)

    def run() -> bool:
        with app._open_batch() as batch, running(batch):
            with pytest.raises(RefusedError), app.step():
                _refused_after()
            return batch.opened

    assert await anyio.to_thread.run_sync(run) is False
    kept = Probe()
    await anyio.to_thread.run_sync(lambda: app.writer.run(lambda: app.save(kept)))
    assert set(app.get_many([kept.id])) == {kept.id}


async def test_a_batch_read_binds_ids_and_versions_as_the_server_would(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
) -> None:
    """The read carrying a command's savepoint is bound on the client, ids and versions
    written directly: it answers what the same read bound by the server answers, for
    arrays (empty ones too), single values, and anything else (bound by psycopg)."""
    tenant = await new_tenant()
    app = runtime.apps.get(tenant.slug)
    probes = [Probe(), Probe()]
    await anyio.to_thread.run_sync(lambda: app.writer.run(lambda: app.save(*probes)))
    ids = [p.id for p in probes]
    read = ("SELECT e.originator_id, e.originator_version FROM {0}.evaluations_events e "
            "JOIN unnest(%s::uuid[], %s::bigint[]) AS w(id, v) ON e.originator_id = w.id "
            "AND e.originator_version > w.v WHERE e.originator_id <> %s "
            "AND e.originator_version >= %s")
    by_ids = SQL(read).format(Identifier(tenant.schema))
    by_text = SQL(read + " AND e.topic <> %s").format(Identifier(tenant.schema))
    cases: list[tuple[Composed, tuple[Any, ...]]] = [
        (by_ids, (ids, [0, 0], ids[0], 1)), (by_ids, (ids, [0, 5], ids[1], -1)),
        (by_ids, ([], [], ids[0], 0)), (by_text, (ids, [0, 0], ids[0], 1, "x'; --%s"))]

    def run() -> list[tuple[list[Any], list[Any]]]:
        answers = []
        with app._open_batch() as batch, running(batch):
            for statement, params in cases:
                with app.step():
                    assert batch.pending is not None  # the first read carries the savepoint
                    inlined = batch.query(statement, params)
                    assert batch.pending is None  # the second is bound by the server
                    answers.append((inlined, batch.query(statement, params)))
        return answers

    answers = await anyio.to_thread.run_sync(run)
    assert [len(inlined) for inlined, _ in answers] == [1, 1, 0, 1]
    assert all(inlined == served for inlined, served in answers)


def test_only_ids_and_versions_are_written_directly() -> None:
    assert _literal(UUID(int=1)) == "'00000000-0000-0000-0000-000000000001'::uuid"
    assert _literal([1, -2]) == "'{1,-2}'::int8[]"
    assert [_literal(v) for v in ("1", True, 1.0, [UUID(int=1), 1], ["a"], None)] == [None] * 6
