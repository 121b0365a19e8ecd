"""The month-end deadline burst: most of a month's decisions arrive in its last two days.

Leaders decide late: the clerks of every unit enter the month's ratings just before the
deadline. This load generator replays one month of decisions for many units against the
API process (``congtam serve``, the projector in its own process), with the month compressed
into ``window_s`` seconds: ``EARLY_SHARE`` of the decisions spread over days 1–28, the rest in
days 29–30. Each unit's clerk sends one decision at a time (a unit's period is one
aggregate; a real clerk does not type two at once), so the backlog builds per unit exactly
as it would at a real deadline.

Figures: decisions/s answered from day 29 until the last answer (the rate sustained at the
deadline; it equals the offered peak only when the service keeps up); latency = answered −
*scheduled*
(queueing included: what the clerk waits from the moment they meant to submit); how long the
backlog takes to drain after the compressed deadline; and how long until the last decision
is on the dashboards. Floor: ``{ __typename }`` on the same process at the same concurrency.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
from rich.console import Console

from bench.http import LaneClient, drive, graphql_call
from bench.http_paths import TYPENAME, _decision_doc
from bench.people import BenchUnit, open_month, self_assess, self_score_for
from bench.processes import API_ROLE, PROJECTOR_ROLE, create_roles, running
from bench.scales import month_at
from bench.stats import Measure, percentile
from domain.ids import PeriodId, StaffId
from projections.runner import tracked_position
from services.http.auth import mint_token
from services.runtime import Runtime
from services.settings import Settings

DAYS = 30
EARLY_SHARE = 0.15  # decided in days 1–28; the other 85 % in the last two days


@dataclass
class Decision:
    due: float  # seconds after the burst starts
    variables: dict[str, Any]


@dataclass
class Clerk:
    """One unit's queue of decisions, in the order they fall due."""

    schema: str
    token: str
    decisions: list[Decision]


def schedule(people: int, window_s: float, rng: random.Random) -> list[float]:
    """Due times of ``people`` decisions in a month compressed to ``window_s`` seconds."""
    day = window_s / DAYS
    out = [rng.uniform(0, 28 * day) if rng.random() < EARLY_SHARE
           else rng.uniform(28 * day, window_s) for _ in range(people)]
    return sorted(out)


async def prepare(rt: Runtime, settings: Settings, units: list[BenchUnit], window_s: float,
                  max_people: int) -> list[Clerk]:
    """Set-up, not measured: a fresh month per unit, everyone self-assessed, a schedule."""
    rng = random.Random("month-end")
    clerks: list[Clerk] = []
    people = 0
    for unit in units:
        if people >= max_people:
            break
        staff: list[StaffId] = [unit.leader, *unit.members][: max_people - people]
        people += len(staff)

        def setup(unit: BenchUnit = unit, staff: list[StaffId] = staff) -> PeriodId:
            service = rt.service(unit.tenant)
            period = open_month(service, unit, *month_at(unit.take_month()))
            for person in staff:
                self_assess(service, period, person, self_score_for(rng, 80.0), rng)
            return period

        period = await anyio.to_thread.run_sync(setup)
        due = schedule(len(staff), window_s, rng)
        leader = mint_token(settings, tenant=unit.tenant.slug, user=str(unit.leader),
                            roles=["unit_leader", "staff"])
        chair = mint_token(settings, tenant=unit.tenant.slug, user=str(unit.chair),
                           roles=["unit_leader", "staff"])
        decisions = [Decision(at, {"period": str(period), "staff": str(person), "level": "B",
                                   "score": 80.0, "reasons": "Hoàn thành tốt nhiệm vụ."})
                     for at, person in zip(due, staff, strict=True)]
        # The chair decides the unit's leader; everyone else is the leader's to decide.
        clerks.append(Clerk(unit.tenant.schema, leader,
                            [d for d in decisions if d.variables["staff"] != str(unit.leader)]))
        clerks.append(Clerk(unit.tenant.schema, chair,
                            [d for d in decisions if d.variables["staff"] == str(unit.leader)]))
    return [c for c in clerks if c.decisions]


async def _burst(http: LaneClient, clerks: list[Clerk], window_s: float
                 ) -> tuple[list[float], list[float], list[float], list[str], float,
                            dict[str, int]]:
    doc = _decision_doc()
    waited: list[float] = []  # answered − scheduled, ms
    served: list[float] = []  # answered − sent, ms
    answers: list[float] = []  # answered, s after the start
    failures: list[str] = []
    heads: dict[str, int] = {}
    started = time.perf_counter()

    async def clerk_loop(clerk: Clerk) -> None:
        for d in clerk.decisions:
            delay = started + d.due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent = time.perf_counter()
            try:
                response = await http.post(
                    "/graphql", json={"query": doc, "variables": d.variables},
                    headers={"Authorization": f"Bearer {clerk.token}"})
            except httpx.TransportError as error:
                failures.append(f"{type(error).__name__}: {error}")
                continue
            answered = time.perf_counter()
            answers.append(answered - started)
            waited.append((answered - started - d.due) * 1000)
            served.append((answered - sent) * 1000)
            body = response.json() if response.status_code == 200 else {}
            data = (body.get("data") or {}).get("decideRating")
            if not data:
                failures.append(str(body.get("errors") or response.text)[:200])
                continue
            heads[clerk.schema] = max(heads.get(clerk.schema, 0), int(data["position"]))

    async with anyio.create_task_group() as tg:
        for clerk in clerks:
            tg.start_soon(clerk_loop, clerk)
    return waited, served, answers, failures, time.perf_counter() - started, heads


async def _visible_after(rt: Runtime, heads: dict[str, int], within_s: float = 300.0) -> float:
    started = time.perf_counter()
    pending = dict(heads)
    while pending and time.perf_counter() - started < within_s:
        async with rt.pool.acquire() as conn:
            for schema, position in list(pending.items()):
                if await tracked_position(conn, schema) >= position:
                    del pending[schema]
        if pending:
            await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def month_end_burst(rt: Runtime, settings: Settings, units: list[BenchUnit],
                          console: Console, window_s: float, max_people: int
                          ) -> list[Measure]:
    clerks = await prepare(rt, settings, units, window_s, max_people)
    decisions = sum(len(c.decisions) for c in clerks)
    reader = mint_token(settings, tenant=units[0].tenant.slug, user="bench-reader",
                        roles=["hr_officer"])
    await create_roles(rt)
    console.print(f"month-end burst: {decisions} decisions by {len(clerks)} clerks "
                  f"in a month compressed to {window_s:.0f} s")
    async with running(settings, "projector", PROJECTOR_ROLE, serve=False), \
            running(settings, "api", API_ROLE, serve=True) as api, \
            LaneClient(api.base_url or "", len(clerks)) as http:
        typename = graphql_call(http, reader, TYPENAME)
        for _ in range(5):
            await typename()  # warm-up
        floor = await drive("baseline_typename_burst",
                            [[typename] * max(1, decisions // len(clerks)) for _ in clerks],
                            window_s)
        waited, served, answers, failures, seconds, heads = await _burst(http, clerks,
                                                                        window_s)
        visible_s = await _visible_after(rt, heads)
    peak_offered = decisions * (1 - EARLY_SHARE) / (2 * window_s / DAYS)
    # The headline is the rate over the deadline itself (day 29 until the last answer): what
    # the service sustains when everyone submits, not the month's average, which the
    # schedule sets.
    peak_start = 28 * window_s / DAYS
    in_peak = sum(1 for t in answers if t >= peak_start)
    measure = Measure(
        "month_end_burst", "decisions/s", in_peak, max(1e-9, seconds - peak_start),
        baseline="baseline_typename_burst", latencies_ms=waited, errors=len(failures),
        concurrency=len(clerks),
        extra={"decisions": decisions, "answered": len(answers), "clerks": len(clerks),
               "tenants": len({c.schema for c in clerks}), "window_s": window_s,
               "offered_peak_per_s": round(peak_offered, 1),
               "drain_after_deadline_s": round(max(0.0, seconds - window_s), 2),
               "visible_after_last_answer_s": round(visible_s, 2),
               "service_p50_ms": percentile(served, 50), "service_p99_ms": percentile(served, 99),
               **({"first_error": failures[0]} if failures else {})})
    return [floor, measure]
