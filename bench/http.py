"""Clients of the real app over real HTTP on 127.0.0.1, and a bounded closed-loop load driver."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any

import anyio
import httpx

from bench.stats import Measure

# One request: returns None when it succeeded, else a short description of what went wrong.
Call = Callable[[], Awaitable[str | None]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LaneClient:
    """The load generator's HTTP: each asyncio task (a client lane) on a connection of its own.

    One ``httpx.AsyncClient`` shared by many concurrent requests matches waiting requests to
    pooled connections by scanning them all, so its cost grows with the concurrency: on this
    machine, against a trivial ASGI app, 2.2 ms of the generator's CPU a request at 32 lanes
    and 5.2 ms at 334 (0.5 and 0.7 ms with a connection per lane) — the generator, not the
    server measured, set the pace of every closed loop. Here a task's first request gives it
    a client of one connection; when the task ends its client (and connection, kept alive)
    goes to the next task that asks, so there are never more connections than live lanes.

    A new ``httpx.AsyncClient`` loads the CA bundle into an SSL context of its own (~40 ms
    here, even for plain HTTP): 334 lanes' first requests spent 13 s in it. The clients share
    one context, and ``lanes`` of them are made before anything is timed."""

    def __init__(self, base_url: str, lanes: int = 0) -> None:
        self.base_url = base_url
        self._ssl = ssl.create_default_context()
        self._by_task: dict[asyncio.Task[Any], httpx.AsyncClient] = {}
        self._all: list[httpx.AsyncClient] = []
        self._free: list[httpx.AsyncClient] = [self._new() for _ in range(lanes)]

    def _new(self) -> httpx.AsyncClient:
        made = httpx.AsyncClient(base_url=self.base_url, timeout=30, verify=self._ssl,
                                 limits=httpx.Limits(max_connections=1,
                                                     max_keepalive_connections=1))
        self._all.append(made)
        return made

    def _mine(self) -> httpx.AsyncClient:
        task = asyncio.current_task()
        assert task is not None, "requests are sent from a task"
        mine = self._by_task.get(task)
        if mine is None:
            mine = self._free.pop() if self._free else self._new()
            self._by_task[task] = mine
            task.add_done_callback(self._release)
        return mine

    def _release(self, task: asyncio.Task[Any]) -> None:
        self._free.append(self._by_task.pop(task))

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self._mine().post(url, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self._mine().get(url, **kwargs)

    async def __aenter__(self) -> LaneClient:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        tb: TracebackType | None) -> None:
        for each in self._all:
            await each.aclose()



def graphql_call(http: LaneClient, token: str, query: str,
                 variables: dict[str, Any] | None = None) -> Call:
    payload = {"query": query, "variables": variables or {}}
    headers = {"Authorization": f"Bearer {token}"}

    async def call() -> str | None:
        try:
            response = await http.post("/graphql", json=payload, headers=headers)
        except httpx.TransportError as error:  # a failed request, reported, not a crash
            return f"{type(error).__name__}: {error}"
        if response.status_code != 200:
            return f"HTTP {response.status_code}: {response.text[:200]}"
        body = response.json()
        if body.get("errors"):
            return str(body["errors"][0].get("message"))[:200]
        return None

    return call


async def drive(name: str, lanes: Sequence[Sequence[Call]], budget_s: float,
                baseline: str | None = None, unit: str = "req/s") -> Measure:
    """Closed loop: one client per lane, each sending its calls one after another.

    Bounded twice: by the calls given and by ``budget_s``. Clients own their lanes, so
    8 clients deciding in 8 units never race for the same period.
    """
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.perf_counter() + budget_s

    async def client_loop(calls: Sequence[Call]) -> None:
        for call in calls:
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            error = await call()
            latencies.append((time.perf_counter() - started) * 1000)
            if error is not None:
                failures.append(error)

    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for calls in lanes:
            tg.start_soon(client_loop, calls)
    seconds = time.perf_counter() - started
    extra: dict[str, Any] = {"first_error": failures[0]} if failures else {}
    return Measure(name, unit, len(latencies), seconds, baseline=baseline,
                   latencies_ms=latencies, errors=len(failures), concurrency=len(lanes),
                   extra=extra)


def split(calls: Sequence[Call], clients: int) -> list[list[Call]]:
    """Deal ``calls`` out to ``clients`` lanes, round robin."""
    return [list(calls[k::clients]) for k in range(clients)]
