"""``congtam tenant move``'s work: the biggest tenant moved to a second PostgreSQL server.

A second embedded server is started for the path (its own temp dir, deleted after). The
timed leg is the whole move as the command runs it: record, verify the source, fence,
copy, check both sides, verify the target, build the read models there, switch. The
tenant is then moved back (not timed; it replaces the fenced copy left at home), so the
paths after this one find it where they expect it. Read against ``baseline_copy`` (the
raw COPY floor) since a move is a bulk copy plus a rebuild.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

import anyio

from bench.stats import Measure
from domain.actor import Actor
from services.platform.tenant_move import move_tenant
from services.platform.tenants import Tenant
from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings
from services.store.database import start_embedded, stop_embedded

TARGET = "bench2"


async def tenant_move(rt: Runtime, settings: Settings, tenant: Tenant) -> Measure:
    data_dir = Path(tempfile.mkdtemp(prefix="congtam-bench-db2-"))
    try:
        url = await anyio.to_thread.run_sync(start_embedded, data_dir)
        try:
            placed = await bootstrap(
                dataclasses.replace(settings, databases=((TARGET, url),)), projector=False)
            try:
                actor = Actor("bench", "platform_admin")
                report = await move_tenant(placed, actor, tenant.slug, TARGET)
                started = time.perf_counter()
                await move_tenant(placed, actor, tenant.slug, "home")
                back_s = time.perf_counter() - started
            finally:
                await shutdown(placed)
        finally:
            await anyio.to_thread.run_sync(stop_embedded, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    await rt.directory.load()
    return Measure("tenant_move", "events/s", report.after.events, report.seconds,
                   baseline="baseline_copy",
                   extra={"tenant": tenant.slug, "events": report.after.events,
                          "writes_refused_s": round(report.fenced_seconds, 3),
                          "back_home_s": round(back_s, 3),
                          "chain_head": report.after.head.hex()})
