"""Fixtures of the integration tests beyond the session's (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from services.office.mail_sink import start_sink
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.conftest import TenantFactory
from tests.support.org import Org
from tests.support.projection import HeldStaffedTenant, holding
from tests.support.servers import free_port


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A local SMTP server keeping what it receives in a folder: (folder, port)."""
    folder, port = tmp_path / "mail", free_port()
    controller = start_sink(folder, "127.0.0.1", port)
    try:
        yield folder, port
    finally:
        controller.stop()


@pytest.fixture
def held_staffed_tenant(runtime: Runtime, new_tenant: TenantFactory,
                        org_in: Callable[..., Awaitable[Org]]) -> HeldStaffedTenant:
    """A fresh tenant this test projects alone, from before its first event (see
    ``HeldStaffedTenant``)."""
    @asynccontextmanager
    async def make(members: int = 9) -> AsyncIterator[tuple[Tenant, Org, asyncpg.Connection]]:
        tenant = await new_tenant()
        async with holding(runtime, tenant) as conn:
            yield tenant, await org_in(tenant, members=members), conn
    return make
