"""Writes through the library: TenantService called directly, sequentially, in one thread.

Each loop runs wholly inside one worker thread and is timed there, so the figure is the
library's (aggregate loads, domain rules, event encoding, the locked and hash-chained
append) and not the cost of hopping between the event loop and a thread per command.
"""

from __future__ import annotations

import random
import time

import anyio

from bench.people import (
    POLICY,
    BenchUnit,
    decide,
    open_month,
    plan_scores,
    self_assess,
    self_score_for,
)
from bench.scales import month_at
from bench.stats import Measure
from domain.actor import Actor, acting_as
from domain.ids import PeriodId
from projections.runner import head_position
from services.app.commands import DecideRatings, RatingDecision
from services.runtime import Runtime


async def _head(rt: Runtime, unit: BenchUnit) -> int:
    async with rt.pool.acquire() as conn:
        return await head_position(conn, unit.tenant.schema)


async def append_library(rt: Runtime, unit: BenchUnit, people: int, budget_s: float) -> Measure:
    """Per person, one after the other: their self-assessment, then the leader's decision."""
    service = rt.service(unit.tenant)
    rng = random.Random(f"append/{unit.unit_id}")
    period = open_month(service, unit, *month_at(unit.take_month()))
    staff = unit.members[:people]
    decided = plan_scores(rng, len(unit.members) + 1)[:len(staff)]
    before = await _head(rt, unit)

    def run() -> tuple[float, list[float], int]:
        latencies: list[float] = []
        last = before
        started = time.perf_counter()
        for person, score in zip(staff, decided, strict=True):
            own = self_score_for(rng, score)
            t0 = time.perf_counter()
            self_assess(service, period, person, own, rng)
            t1 = time.perf_counter()
            last = decide(service, unit, period, person, score, own)
            t2 = time.perf_counter()
            latencies += [(t1 - t0) * 1000, (t2 - t1) * 1000]
            if t2 - started > budget_s:
                break
        return time.perf_counter() - started, latencies, last

    seconds, latencies, last = await anyio.to_thread.run_sync(run)
    return Measure("append_library", "events/s", last - before, seconds,
                   baseline="baseline_insert_single", latencies_ms=latencies,
                   extra={"commands": len(latencies), "people": len(latencies) // 2,
                          "tenant": unit.tenant.slug})


async def bulk_rating(rt: Runtime, unit: BenchUnit, budget_s: float) -> Measure:
    """A leader decides the whole unit back to back (the chair decides the leader).

    Every decision reloads and re-saves the period, whose history grows by one event per
    decision, so this is where a long period would show.
    """
    service = rt.service(unit.tenant)
    rng = random.Random(f"bulk/{unit.unit_id}")
    people = [unit.leader, *unit.members]
    decided = plan_scores(rng, len(people))

    def prepare() -> tuple[PeriodId, list[float]]:
        period = open_month(service, unit, *month_at(unit.take_month()))
        selves = [self_score_for(rng, s) for s in decided]
        for person, own in zip(people, selves, strict=True):
            self_assess(service, period, person, own, rng)
        return period, selves

    period, selves = await anyio.to_thread.run_sync(prepare)
    before = await _head(rt, unit)

    def run() -> tuple[float, list[float], int]:
        latencies: list[float] = []
        last = before
        started = time.perf_counter()
        for person, score, own in zip(people, decided, selves, strict=True):
            t0 = time.perf_counter()
            last = decide(service, unit, period, person, score, own)
            latencies.append((time.perf_counter() - t0) * 1000)
            if time.perf_counter() - started > budget_s:
                break
        return time.perf_counter() - started, latencies, last

    seconds, latencies, last = await anyio.to_thread.run_sync(run)
    return Measure("bulk_rating", "decisions/s", len(latencies), seconds,
                   baseline="baseline_insert_single", latencies_ms=latencies,
                   extra={"events": last - before, "unit_size": len(people),
                          "events_per_s": round((last - before) / seconds, 2),
                          "tenant": unit.tenant.slug})


BOARDS = 3  # boards (unit-months) per bulk_board run, each a fresh month of the same unit


async def bulk_board(rt: Runtime, unit: BenchUnit, budget_s: float) -> Measure:
    """The leader decides each month's board in one act (``decide_ratings``: every line
    checked, one transaction), for ``BOARDS`` fresh months of one unit.

    Read against the COPY floor: a board is one bulk write, so the question is how close one
    checked, hash-chained board comes to loading the same number of rows raw.
    """
    service = rt.service(unit.tenant)
    rng = random.Random(f"board/{unit.unit_id}")
    members = list(unit.members)  # the leader is the chair's to decide, not on this board

    def prepare() -> tuple[PeriodId, DecideRatings]:
        period = open_month(service, unit, *month_at(unit.take_month()))
        decided = plan_scores(rng, len(members) + 1)[1:]
        lines = []
        for person, score in zip(members, decided, strict=True):
            own = self_score_for(rng, score)
            self_assess(service, period, person, own, rng)
            level = POLICY.bands.level_for(score)
            departs = POLICY.bands.level_for(own) != level
            lines.append(RatingDecision(person, level, score,
                                        "Còn chậm tiến độ một số nhiệm vụ." if departs else ""))
        return period, DecideRatings(period, tuple(lines), str(unit.leader))

    latencies: list[float] = []
    decided_total = 0
    seconds = 0.0
    events = 0
    for _ in range(BOARDS):
        _period, board = await anyio.to_thread.run_sync(prepare)
        before = await _head(rt, unit)

        def run(board: DecideRatings = board) -> tuple[float, int]:
            with acting_as(Actor(str(unit.leader), "unit_leader")):
                t0 = time.perf_counter()
                last = service.decide_ratings(board)
                return time.perf_counter() - t0, last

        took, last = await anyio.to_thread.run_sync(run)
        latencies.append(took * 1000)
        seconds += took
        decided_total += len(board.decisions)
        events += last - before
        if seconds > budget_s:
            break
    return Measure("bulk_board", "decisions/s", decided_total, seconds,
                   baseline="baseline_copy", latencies_ms=latencies,
                   extra={"boards": len(latencies), "board_size": len(members),
                          "events": events, "events_per_s": round(events / seconds, 2),
                          "tenant": unit.tenant.slug})
