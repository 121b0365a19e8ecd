"""Two embedded PostgreSQL servers: the session's home database and a second one (``db2``),
started only when a test here asks for it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from services.runtime import Runtime, bootstrap, shutdown
from services.settings import Settings
from tests.support.servers import embedded_database, serving


@pytest.fixture(scope="session")
def second_database_url() -> Iterator[str]:
    with embedded_database("congtam-test-db2") as url:
        yield url


@pytest.fixture(scope="session")
def placed_settings(settings: Settings, second_database_url: str) -> Settings:
    return dataclasses.replace(settings, databases=(("db2", second_database_url),))


# Module-scoped: the runtime and the served app hold home connections and run a projector
# over every home tenant; other modules of this worker's session must not share them.
@pytest.fixture(scope="module")
async def placed(placed_settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime with both databases and no projector of its own (tests drive it)."""
    rt = await bootstrap(placed_settings, projector=False)
    yield rt
    await shutdown(rt)


@pytest.fixture(scope="module")
async def placed_http(placed_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app served with both databases and its in-process projector."""
    async with serving(placed_settings) as client:
        yield client
