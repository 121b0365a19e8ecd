"""CPU time from the kernel: a process's (its threads, live and ended), a local
PostgreSQL's (the postmaster and its children), and a stopwatch that takes both around a
path run in the bench's own process.

On a shared machine wall-clock rates swing with other jobs; CPU an event or a request
holds, and says where the time goes: the client (this process) or the server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.runtime import Runtime


def _cpu_clock(pid: int) -> int:
    """The kernel's clock id for another process's CPU time (``clock_getcpuclockid(3)``:
    ``~pid << 3 | CPUCLOCK_SCHED``), which the standard library takes but cannot name."""
    return ((~pid) << 3) | 2


def process_cpu_seconds(pid: int) -> float:
    """CPU the process ``pid`` has used so far, its threads (live and ended) together.

    Read from the process's CPU clock, in nanoseconds: ``/proc/<pid>/stat`` counts in clock
    ticks (10 ms), so a floor that answers a few hundred cheap requests could read 0 s.
    ``/proc`` stays the fallback for a kernel without the clock."""
    try:
        return time.clock_gettime(_cpu_clock(pid))
    except OSError:
        after = _stat(pid)  # utime and stime, in clock ticks
        return (int(after[11]) + int(after[12])) / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (which may hold spaces):
    ppid is [1], utime/stime [11]/[12], cutime/cstime [13]/[14]."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return text.rsplit(")", 1)[1].split()


class PostgresCpu:
    """The CPU of a local PostgreSQL: the postmaster, its live children (backends, workers)
    and the children it has reaped (closed backends), from the kernel. The live processes
    are read from their CPU clocks (nanoseconds); the reaped ones are known only in clock
    ticks (the postmaster's ``cutime``/``cstime``)."""

    def __init__(self, pgdata: Path) -> None:
        self.postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])

    def cpu_seconds(self) -> float:
        own = _stat(self.postmaster)  # cutime, cstime: the children it has reaped
        seconds = (int(own[13]) + int(own[14])) / os.sysconf("SC_CLK_TCK")
        seconds += process_cpu_seconds(self.postmaster)
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if int(_stat(int(entry.name))[1]) == self.postmaster:  # ppid
                    seconds += process_cpu_seconds(int(entry.name))
            except (OSError, ValueError):
                continue  # gone meanwhile
        return seconds


def postgres_of(rt: Runtime) -> PostgresCpu | None:
    """The bench's embedded cluster (bench/env.py puts it beside the data dir), if local."""
    pgdata = rt.settings.data_dir.parent / "pg"
    return PostgresCpu(pgdata) if (pgdata / "postmaster.pid").exists() else None


@dataclass
class CpuWatch:
    seconds: float = 0.0  # wall clock
    client_s: float = 0.0  # this process, every thread
    server_s: float | None = None  # PostgreSQL, every process (None: not local)

    def per_item(self, count: int) -> dict[str, Any]:
        """CPU an item (event, row) in microseconds, client and server, for the JSON."""
        n = max(1, count)
        return {"client_cpu_us": round(self.client_s / n * 1e6, 2),
                "server_cpu_us": None if self.server_s is None
                else round(self.server_s / n * 1e6, 2)}


@contextmanager
def cpu_stopwatch(rt: Runtime) -> Iterator[CpuWatch]:
    """Wall clock, this process's CPU and the database server's, around the block."""
    server = postgres_of(rt)
    watch = CpuWatch()
    server_before = server.cpu_seconds() if server is not None else 0.0
    client_before = time.process_time()
    started = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - started
        watch.client_s = time.process_time() - client_before
        if server is not None:
            watch.server_s = server.cpu_seconds() - server_before
