"""The real app over real HTTP on 127.0.0.1, and a bounded closed-loop load driver."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import uvicorn

from bench.stats import Measure
from services.settings import Settings

# One request: returns None when it succeeded, else a short description of what went wrong.
Call = Callable[[], Awaitable[str | None]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[str]:
    """The litestar app with its in-process projector, as ``congtam serve`` runs it.

    In this process and event loop (as the e2e tests do): client and server share the GIL,
    which the ``{ __typename }`` baseline pays exactly as the paths do.
    """
    from services.api import create_app  # the app builds its schema on import: only if used

    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on", access_log=False,
                            # Pooled client connections sit idle between paths; uvicorn's
                            # 5 s default closes them, and a request racing that close
                            # fails with a read error that says nothing about the path.
                            timeout_keep_alive=120)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
            if task.done():
                task.result()  # raises what stopped it
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


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
