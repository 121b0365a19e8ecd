"""The API and the projector as separate processes, as a deployment runs them.

Memory and connections are properties of a process, so the paths that report them start the
real ``congtam serve`` / ``congtam project`` commands against the bench's database instead
of serving in the bench's own event loop. Each process logs in as its own PostgreSQL role,
which makes ``pg_stat_activity`` tell one process's connections from the other's.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.cpu import process_cpu_seconds
from bench.http import _free_port
from services.runtime import Runtime
from services.settings import Settings
from services.store.database import ConnectionParams

API_ROLE = "congtam_bench_api"
PROJECTOR_ROLE = "congtam_bench_projector"


@dataclass
class Process:
    name: str
    role: str
    popen: subprocess.Popen[bytes]
    log: Path
    base_url: str | None = None

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) in MB, from the kernel's own accounting."""
        status = Path(f"/proc/{self.popen.pid}/status").read_text(encoding="ascii")
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        kb = {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM")}
        return kb["VmRSS"] / 1024, kb["VmHWM"] / 1024

    def cpu_seconds(self) -> float:
        """User + system CPU the process has used so far (all its threads), from the kernel.
        CPU per request holds on a shared machine where wall-clock rates swing with the load."""
        return process_cpu_seconds(self.popen.pid)



async def create_roles(rt: Runtime) -> None:
    """A login role per process. Superuser, like the embedded mode's own user, so the only
    thing measured is the process — not a privilege setup that differs from development."""
    async with rt.pool.acquire() as conn:
        for role in (API_ROLE, PROJECTOR_ROLE):
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            if not exists:
                await conn.execute(f'CREATE ROLE "{role}" LOGIN SUPERUSER')


async def connections(rt: Runtime) -> dict[str, int]:
    """Client connections to the server, by role."""
    rows = await rt.pool.fetch(
        "SELECT usename, count(*) AS n FROM pg_stat_activity "
        "WHERE backend_type = 'client backend' GROUP BY usename")
    return {str(r["usename"]): int(r["n"]) for r in rows}


async def backend_memory_mb(rt: Runtime) -> dict[str, tuple[float, float]]:
    """Private memory (RssAnon) of each role's server backends: (sum, largest), in MB.

    Every backend keeps its own catalog caches; one that has touched thousands of tenant
    schemas holds an entry per table and index it met, which is memory on the database
    server that the process's own RSS does not show. The server is local, so /proc tells.
    """
    rows = await rt.pool.fetch(
        "SELECT usename, pid FROM pg_stat_activity WHERE backend_type = 'client backend'")
    found: dict[str, list[float]] = {}
    for row in rows:
        mb = _private_mb(int(row["pid"]))
        if mb is not None:
            found.setdefault(str(row["usename"]), []).append(mb)
    return {role: (sum(mbs), max(mbs)) for role, mbs in found.items()}


def _private_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None  # the backend ended meanwhile
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["RssAnon"].split()[0]) / 1024 if "RssAnon" in fields else None


def _command() -> list[str]:
    # The console script installed beside this interpreter: the command the image runs.
    script = Path(sys.executable).with_name("congtam")
    return [str(script)] if script.exists() else [sys.executable, "-m", "services.cli"]


def _env(settings: Settings, role: str, port: int, projector_in_process: bool) -> dict[str, str]:
    params = ConnectionParams.from_url(settings.database_url or "")
    own = ConnectionParams(params.host, params.port, role, "", params.dbname)
    return {
        **os.environ,
        "DATABASE_URL": own.url(),
        "CONGTAM_DATA_DIR": str(settings.data_dir),
        "CONGTAM_JWT_SECRET": settings.jwt_secret or "",
        "CONGTAM_PORT": str(port),
        "CONGTAM_PROJECTOR_IN_PROCESS": "true" if projector_in_process else "false",
        "CONGTAM_LOG_FORMAT": "json",
        "CONGTAM_LOG_LEVEL": "warning",
        # The load is the bench's own: the abuse guard's rates are not what is measured.
        "CONGTAM_RATE_PER_USER": str(settings.rate_per_user),
        "CONGTAM_RATE_PER_TENANT": str(settings.rate_per_tenant),
    }


@asynccontextmanager
async def running(settings: Settings, name: str, role: str, *,
                  serve: bool) -> AsyncIterator[Process]:
    """``congtam serve`` (projector off: it runs as its own process) or ``congtam project``;
    stopped with SIGTERM, as Kubernetes stops a pod."""
    port = _free_port()
    argv = [*_command(), "serve" if serve else "project"]
    log = settings.data_dir / f"{name}.log"
    popen = _spawn(argv, _env(settings, role, port, False), log)
    process = Process(name, role, popen, log, f"http://127.0.0.1:{port}" if serve else None)
    try:
        if serve:
            await _wait_ready(process)
        else:
            await asyncio.sleep(1.0)
            if popen.poll() is not None:
                raise RuntimeError(f"{name} exited: {_tail(process.log)}")
        yield process
    finally:
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(popen.wait, 30)
            except subprocess.TimeoutExpired:
                popen.kill()
                await asyncio.to_thread(popen.wait)


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start without waiting (Popen returns at once); output to a file, not a pipe, since a
    full pipe nobody reads would block the child."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


async def _wait_ready(process: Process, within_s: float = 60.0) -> None:
    deadline = time.monotonic() + within_s
    async with httpx.AsyncClient(base_url=process.base_url or "", timeout=2) as http:
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited: {_tail(process.log)}")
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{process.name} not ready within {within_s:.0f} s")


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-1000:]
