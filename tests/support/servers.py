"""The real app served over real HTTP on a free port: the one way tests start a server (the
session's ``server`` fixture, and more instances with other settings — production mode, low
limits, persisted operations only, two databases — on the test session's database); and the
embedded databases they serve from."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from services.settings import Settings
from services.store.database import start_embedded, stop_embedded


@contextmanager
def embedded_database(name: str) -> Iterator[str]:
    """A fresh embedded PostgreSQL in a temporary folder named after ``name``: its URL,
    until the block ends (then stopped and its folder removed)."""
    data_dir = Path(tempfile.gettempdir()) / f"{name}-{uuid.uuid4().hex[:8]}"
    url = start_embedded(data_dir)
    try:
        yield url
    finally:
        stop_embedded(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def running(app: Any, port: int, lifespan: str = "auto") -> AsyncIterator[None]:
    """The ASGI ``app`` served by uvicorn on 127.0.0.1:``port`` until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan=lifespan))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
        if task.done():
            task.result()
    try:
        yield
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[str]:
    """The app with ``settings``, served until the block ends: its base URL."""
    from services.http.api import create_app

    port = free_port()
    async with running(create_app(settings), port, lifespan="on"):
        yield f"http://127.0.0.1:{port}"


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
