"""Test fixtures: one embedded PostgreSQL per test session (per xdist worker), fresh tenants
per test, the real app served by uvicorn on a free port, real HS256 tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import pytest

from services.platform.tenants import Tenant
from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings, load_settings
from tests.support.gql import data, gql, token_for
from tests.support.operations import operation
from tests.support.org import Org, StaffedTenant, build_org
from tests.support.servers import embedded_database, served

TEST_SECRET = "test-secret-" + "x" * 32


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with embedded_database("congtam-test") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings({
        "DATABASE_URL": database_url,
        "CONGTAM_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "CONGTAM_JWT_SECRET": TEST_SECRET,
        "CONGTAM_LOG_FORMAT": "json",
        "CONGTAM_LOG_LEVEL": "warning",
        "CONGTAM_FRESHNESS_TIMEOUT": "5",
        # No automatic checkpoints in the background of other tests (they count platform
        # events); the witness is driven explicitly by its own tests.
        "CONGTAM_CHECKPOINT_EVERY_S": "0",
        # Nor reminders: their tests run the scheduler themselves.
        "CONGTAM_REMINDER_EVERY_S": "0",
    })


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime without an in-process projector: tests drive projections explicitly."""
    rt = await bootstrap(settings, projector=False)
    yield rt
    await shutdown(rt)


TenantFactory = Callable[..., Awaitable[Tenant]]


@pytest.fixture
def new_tenant(runtime: Runtime) -> TenantFactory:
    async def make(slug: str | None = None, parent: str | None = None) -> Tenant:
        slug = slug or f"test-{uuid.uuid4().hex[:10]}"
        return await runtime.registry.register(slug, f"Phường thử {slug}", "ward", parent)
    return make


@pytest.fixture
def org_in(runtime: Runtime) -> Callable[..., Awaitable[Org]]:
    async def make(tenant: Tenant, members: int = 9, ids: dict[str, Any] | None = None) -> Org:
        service = runtime.service(tenant)
        org = await anyio.to_thread.run_sync(lambda: build_org(service, members, ids))
        await runtime.written(tenant)  # wake the served app's projector
        return org
    return make


@pytest.fixture
def staffed_tenant(new_tenant: TenantFactory,
                   org_in: Callable[..., Awaitable[Org]]) -> StaffedTenant:
    """A fresh tenant with its small organisation: the set-up most tests start from."""
    async def make(members: int = 9) -> tuple[Tenant, Org]:
        tenant = await new_tenant()
        return tenant, await org_in(tenant, members=members)
    return make


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[str]:
    """The real app (with its in-process projector) served over real HTTP."""
    async with served(settings) as base:
        yield base


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        yield client


@dataclass(frozen=True)
class OpenedMonth:
    """A fresh tenant with a unit and its people, and March 2026 opened by its HR officer
    over the API: where most workflows start."""

    tenant: Tenant
    org: Org
    hr: str  # the HR officer's token
    period: str  # the opened period's id
    position: int  # the log position of the opening
    settings: Settings

    def token(self, who: Any, *roles: str) -> str:
        """A token of ``who`` in this tenant, with ``roles``."""
        return token_for(self.settings, self.tenant.slug, who, *roles)


OpenedMonthFactory = Callable[..., Awaitable[OpenedMonth]]


@pytest.fixture
def opened_month(settings: Settings, http: httpx.AsyncClient, new_tenant: TenantFactory,
                 org_in: Callable[..., Awaitable[Org]]) -> OpenedMonthFactory:
    async def make(members: int = 2, year: int = 2026, month: int = 3) -> OpenedMonth:
        tenant = await new_tenant()
        org = await org_in(tenant, members=members)
        hr = token_for(settings, tenant.slug, org.hr, "hr_officer")
        opened = data(await gql(http, hr, operation("OpenPeriod"), {
            "unit": str(org.unit), "year": year, "month": month}))["openPeriod"]
        return OpenedMonth(tenant, org, hr, opened["id"], opened["position"], settings)
    return make
