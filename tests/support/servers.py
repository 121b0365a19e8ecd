"""The real app served over real HTTP on a free port: the one way tests start a server (the
session's ``server`` fixture, and more instances with other settings — production mode, low
limits, persisted operations only, two databases — on the test session's database)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn

from services.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[str]:
    """The app with ``settings``, served until the block ends: its base URL."""
    from services.http.api import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
        if task.done():
            task.result()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with ``settings`` and a client for it."""
    async with served(settings) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        yield client


@asynccontextmanager
async def app_with(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Another instance beside the session's server, with ``overrides``; it leaves the
    projection to the session's (no second in-process projector on the same tenants)."""
    changed = dataclasses.replace(settings, projector_in_process=False, **overrides)
    async with serving(changed) as client:
        yield client
