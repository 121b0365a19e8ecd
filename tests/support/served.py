"""The service as operators run it: ``congtam serve`` in its own process, on a free port.

Its log (JSON, from info up) goes to a file the test reads afterwards, so a test can say
what was logged and at which level; settings come as environment variables.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import TEST_SECRET
from tests.support.servers import free_port


@dataclass
class Served:
    base: str
    port: int
    log: Path
    process: asyncio.subprocess.Process

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def congtam_serve(database_url: str, data_dir: Path,
                        **env: str) -> AsyncIterator[Served]:
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url,
                   "CONGTAM_DATA_DIR": str(data_dir), "CONGTAM_JWT_SECRET": TEST_SECRET,
                   "CONGTAM_HOST": "127.0.0.1", "CONGTAM_PORT": str(port),
                   "CONGTAM_LOG_FORMAT": "json", "CONGTAM_LOG_LEVEL": "info",
                   "CONGTAM_PROJECTOR_IN_PROCESS": "false",
                   "CONGTAM_CHECKPOINT_EVERY_S": "0", **env}
    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (once, before serving)
    log_path = data_dir / "server.log"  # a file, not a pipe: a full pipe would stall it
    log_file = log_path.open("wb")
    executable = str(Path(sys.executable).parent / "congtam")
    proc = await asyncio.create_subprocess_exec(executable, "serve", env=environment,
                                                stdout=log_file, stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", port, log_path, proc)
    try:
        deadline = time.monotonic() + 90
        async with httpx.AsyncClient(base_url=served.base, timeout=5) as client:
            while True:
                assert proc.returncode is None, served.logged()
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "never ready:\n" + served.logged()
                await asyncio.sleep(0.2)
        yield served
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        log_file.close()
