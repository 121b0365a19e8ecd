"""Commit-to-visible lag: how long after a decision is answered its read models show it.

Decisions go to the served app over HTTP at a target rate (open loop: sent on a clock, not
after the previous answer, at most one per lane at once); each answer carries the log
position it wrote. A LISTEN on ``congtam_projected`` (sent by the projector inside each
batch's transaction, so delivered when the batch is visible) gives the moment each
position became visible. Lag = that moment − the moment the decision's answer arrived, so
it is a lower bound on commit-to-visible by one response's delivery (a fraction of a ms
on 127.0.0.1); a decision already visible when its answer arrives counts 0.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import anyio
import asyncpg
import httpx

from bench.http import LaneClient
from bench.stats import Measure
from projections.runner import PROJECTED_CHANNEL
from services.runtime import Runtime

LANES = 16  # one open period each: in flight at once, never racing for one period
RATE = 200.0  # decisions/s the sender aims at (issue #5: lag while 200 decisions/s land)
# Issue 23's steady state: 500 decisions/s offered, sent as whole boards (``decideRatings``)
# — one API process on this machine answers ~300 single decisions/s — for the scale's
# ``board_window_s``.
BOARD_RATE = 500.0


@dataclass
class Sent:
    schema: str
    position: int
    answered: float


async def lag_under_load(rt: Runtime, http: LaneClient, name: str, doc: str, answer: str,
                         requests: list[tuple[str, str, dict[str, Any]]], rate: float,
                         budget_s: float, decisions_each: int = 1) -> Measure:
    """``requests`` = (schema, token, variables) of the decision ``doc`` (answered under
    ``answer``), each deciding ``decisions_each`` people (a whole board: its lines), sent so
    that ``rate`` decisions/s are offered; the figure is counted in decisions."""
    offered, rate = rate, rate / decisions_each  # decisions/s asked; requests/s sent
    seen: dict[str, list[tuple[int, float]]] = {}

    def on_projected(_c: object, _pid: int, _ch: str, payload: object) -> None:
        schema, _, position = str(payload).rpartition(":")
        seen.setdefault(schema, []).append((int(position), time.perf_counter()))

    listener = await asyncpg.connect(**rt.params.asyncpg_kwargs())
    await listener.add_listener(PROJECTED_CHANNEL, on_projected)
    sent: list[Sent] = []
    failures: list[str] = []
    limit = anyio.Semaphore(LANES)
    started = time.perf_counter()
    deadline = started + budget_s

    async def one(schema: str, token: str, variables: dict[str, Any]) -> None:
        async with limit:
            try:
                response = await http.post("/graphql",
                                           json={"query": doc, "variables": variables},
                                           headers={"Authorization": f"Bearer {token}"})
            except httpx.TransportError as error:  # counted as a failure, not a crash
                failures.append(f"{type(error).__name__}: {error}")
                return
            answered = time.perf_counter()
        body = response.json() if response.status_code == 200 else {}
        data = (body.get("data") or {}).get(answer)
        if not data:
            failures.append(str(body.get("errors") or response.text)[:200])
            return
        sent.append(Sent(schema, int(data["position"]), answered))

    try:
        async with anyio.create_task_group() as tg:
            for i, (schema, token, variables) in enumerate(requests):
                due = started + i / rate
                now = time.perf_counter()
                if now > deadline:
                    break
                if due > now:
                    await asyncio.sleep(due - now)
                tg.start_soon(one, schema, token, variables)
        sending = time.perf_counter() - started
        # Let the projector finish what was written (bounded).
        for _ in range(1000):  # 10 s at most
            if _all_seen(sent, seen):
                break
            await asyncio.sleep(0.01)
    finally:
        await listener.close()
    lags: list[float] = []
    unseen = 0
    for s in sent:
        visible = next((t for pos, t in seen.get(s.schema, []) if pos >= s.position), None)
        if visible is None:
            unseen += 1
            continue
        lags.append(max(0.0, (visible - s.answered) * 1000))
    return Measure(name, "decisions/s", len(sent) * decisions_each, sending,
                   latencies_ms=lags, errors=len(failures) + unseen,
                   concurrency=LANES,
                   extra={"target_rate": offered, "unseen": unseen,
                          "decisions_per_request": decisions_each,
                          **({"first_error": failures[0]} if failures else {})})


def _all_seen(sent: list[Sent], seen: dict[str, list[tuple[int, float]]]) -> bool:
    heads = {schema: max(pos for pos, _ in found) for schema, found in seen.items() if found}
    return all(heads.get(s.schema, 0) >= s.position for s in sent)
