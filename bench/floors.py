"""The GraphQL paths beside two floors: the bare stack and a peer, interleaved.

* ``bare_typename_cN`` / ``bare_board_cN``: ``bench/bare_app.py`` (litestar + strawberry on
  the product's versions, served by uvicorn as ``congtam serve`` is) answering
  ``{ __typename }`` and the unit board read with one asyncpg statement.
* ``postgraphile_typename_cN`` / ``postgraphile_board_cN``: PostGraphile 4 over the same
  read-model table (``bench/peer.py``), when node/npm are present.

Every side is a separate process whose CPU is read from ``/proc`` around each drive, so
each figure carries ``server_cpu_ms``: that process's CPU ÷ requests answered, under
closed-loop clients that send the next request as soon as the last is answered (the server
saturated at 8 and 32 clients; at 1 it waits for the client's own turnaround).

Repetitions are interleaved (rep 1: A B C, rep 2: B C A, …), so a noisy neighbour on the
shared machine lands on every side alike; each side's figure sums its repetitions.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.http import Call, _free_port, drive
from bench.processes import Process, _spawn, _wait_ready
from bench.stats import Measure
from services.runtime import Runtime
from services.settings import Settings
from services.store.database import ConnectionParams

BARE_ROLE = "congtam_bench_bare"
ROOT = Path(__file__).resolve().parents[1]


class CpuClock(Protocol):
    def cpu_seconds(self) -> float: ...



def floor_names(path: str, concurrency: int) -> tuple[str, str] | None:
    """The (bare, peer) floors a GraphQL path is read against, or None for a non-GraphQL path.

    A decision has no counterpart in either floor, so it is read, like ``{ __typename }``
    itself, against their ``{ __typename }``; the board against their boards."""
    if path.startswith(("baseline_typename_c", "decision_graphql_c")):
        kind = "typename"
    elif path.startswith("dashboard_query"):
        kind = "board"
    else:
        return None
    return f"bare_{kind}_c{concurrency}", f"postgraphile_{kind}_c{concurrency}"


async def create_bare_role(rt: Runtime) -> None:
    async with rt.pool.acquire() as conn:
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", BARE_ROLE):
            await conn.execute(f'CREATE ROLE "{BARE_ROLE}" LOGIN SUPERUSER')


@asynccontextmanager
async def bare_stack(rt: Runtime, settings: Settings, schema: str) -> AsyncIterator[Process]:
    """``python -m bench.bare_app`` as its own process and role, with the product's read
    pool size and keep-alive."""
    await create_bare_role(rt)
    params = ConnectionParams.from_url(settings.database_url or "")
    own = ConnectionParams(params.host, params.port, BARE_ROLE, "", params.dbname)
    port = _free_port()
    env = {**os.environ, "BENCH_BARE_DSN": own.url(), "BENCH_BARE_SCHEMA": schema,
           "BENCH_BARE_PORT": str(port), "BENCH_BARE_POOL": str(settings.read_pool_max),
           "BENCH_BARE_KEEP_ALIVE": str(int(settings.keep_alive_s))}
    log = settings.data_dir / "bare.log"
    popen = _spawn([sys.executable, "-m", "bench.bare_app"], env, log)
    process = Process("bare", BARE_ROLE, popen, log, f"http://127.0.0.1:{port}")
    try:
        await _wait_ready(process)
        yield process
    finally:
        if popen.poll() is None:
            popen.terminate()
            try:
                await asyncio.to_thread(popen.wait, 30)
            except subprocess.TimeoutExpired:
                popen.kill()
                await asyncio.to_thread(popen.wait)


@dataclass
class Side:
    """One figure measured in repetitions: ``lanes(rep)`` gives the calls of repetition
    ``rep`` (one list per client); ``server`` is the process whose CPU is charged."""

    name: str
    server: CpuClock
    lanes: Callable[[int], Sequence[Sequence[Call]]]
    concurrency: int
    baseline: str | None = None
    settle_s: float = 0.0  # after each repetition (a decision wakes the projector)
    # Every process a request costs CPU in (API, projector, PostgreSQL): read after the
    # settle, so the projector's work on what was written is counted.
    everything: Sequence[CpuClock] = field(default_factory=tuple)


@dataclass
class _Sum:
    count: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    all_cpu: float = 0.0
    errors: int = 0
    reps: int = 0
    first_error: str | None = None

    def __post_init__(self) -> None:
        self.latencies: list[float] = []


async def interleaved(sides: list[Side], reps: int, budget_s: float) -> list[Measure]:
    """Each side ``reps`` times, the order rotated every repetition; sides with
    ``settle_s`` run last in a repetition. Each drive gets ``budget_s / reps`` seconds."""
    sums = {side.name: _Sum() for side in sides}
    reads = [s for s in sides if not s.settle_s]
    writes = [s for s in sides if s.settle_s]
    for rep in range(reps):
        shift = rep % len(reads) if reads else 0
        for side in reads[shift:] + reads[:shift] + writes:
            lanes = [list(calls) for calls in side.lanes(rep) if calls]
            if not lanes:
                continue
            before = side.server.cpu_seconds()
            all_before = sum(clock.cpu_seconds() for clock in side.everything)
            m = await drive(side.name, lanes, budget_s / reps)
            total = sums[side.name]
            total.cpu += side.server.cpu_seconds() - before
            total.count += m.count
            total.seconds += m.seconds
            total.errors += m.errors
            total.reps += 1
            total.latencies += m.latencies_ms
            if total.first_error is None and m.extra.get("first_error"):
                total.first_error = str(m.extra["first_error"])
            if side.settle_s:
                await asyncio.sleep(side.settle_s)
            total.all_cpu += sum(clock.cpu_seconds() for clock in side.everything) - all_before
    out = []
    for side in sides:
        total = sums[side.name]
        extra: dict[str, Any] = {
            "server_cpu_ms": round(total.cpu * 1000 / max(total.count, 1), 3),
            "repetitions": total.reps}
        if side.everything:
            extra["all_cpu_ms"] = round(total.all_cpu * 1000 / max(total.count, 1), 3)
        if total.first_error:
            extra["first_error"] = total.first_error
        out.append(Measure(side.name, "req/s", total.count, total.seconds,
                           baseline=side.baseline, latencies_ms=total.latencies,
                           errors=total.errors, concurrency=side.concurrency, extra=extra))
    return out


def chunk(calls: Sequence[Call], reps: int, rep: int) -> list[Call]:
    """Repetition ``rep``'s share of ``calls`` (contiguous slices, as even as they come)."""
    size, extra = divmod(len(calls), reps)
    start = rep * size + min(rep, extra)
    return list(calls[start:start + size + (1 if rep < extra else 0)])


def read_requests(dashboard_requests: int, concurrency: int, per_client: int = 4) -> int:
    """Requests per repetition of a read side: the scale's count, and at least
    ``per_client`` for each client."""
    return max(dashboard_requests, per_client * concurrency)
