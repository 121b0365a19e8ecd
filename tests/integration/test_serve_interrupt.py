"""Ctrl-C on `make run`: the server stops, and so does the embedded PostgreSQL it started,
saying so, with the data kept for the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

pytestmark = pytest.mark.integration


def test_ctrl_c_stops_the_embedded_postgresql_serve_started_and_keeps_the_data(
    tmp_path: Path,
) -> None:
    data_dir, port = tmp_path / "data", free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"CONGTAM_DATA_DIR": str(data_dir), "CONGTAM_PORT": str(port),
            "CONGTAM_CHECKPOINT_EVERY_S": "0", "CONGTAM_LOG_LEVEL": "warning"}
    # Its own process group, as a terminal's foreground job: Ctrl-C goes to the group.
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    pid_file = data_dir / "pg" / "postmaster.pid"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server never answered /healthz"
            time.sleep(0.3)
        assert pid_file.exists(), "the embedded PostgreSQL runs under the data directory"

        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=90)
        left_running = pid_file.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if pid_file.exists():  # never leave a server behind, even when the test fails
            from services.store.database import stop_embedded

            stop_embedded(data_dir)
    assert "Stopped the embedded PostgreSQL this command started" in stderr, stderr
    assert not left_running, "the embedded PostgreSQL is still running"
    assert (data_dir / "pg" / "PG_VERSION").exists(), "the data must stay"
