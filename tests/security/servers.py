"""More instances of the real app, with other settings (production mode, low limits,
persisted operations only), on the test session's database."""

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def app_with(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    from services.http.api import create_app

    changed = dataclasses.replace(settings, projector_in_process=False, **overrides)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(changed), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
        if task.done():
            task.result()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        await task
