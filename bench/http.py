"""Clients of the real app over real HTTP on 127.0.0.1, and a bounded closed-loop load driver."""

from __future__ import annotations

import socket
import time
from collections.abc import Awaitable, Callable, Sequence
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


def client(base_url: str, concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits)


def graphql_call(http: httpx.AsyncClient, token: str, query: str,
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
