"""The ``congtam`` command as an operator runs it: a real process on the test database.

Always off the event loop (in a thread): the session's served app and its projector live in
the test's loop. A projector batch caught between its log_progress update and its COMMIT
would otherwise stay open, and hold the tenant's row that every append's head trigger
upserts, until the command gave up (lock timeout) — or a migration's lock on a platform table
(statement timeout)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import anyio

from services.settings import Settings

CLI_SECRET = "cli-test-" + "y" * 32


def cli_env(settings: Settings, **more: str) -> dict[str, str]:
    """The environment of a command run against the test session's database."""
    return {**os.environ, "DATABASE_URL": settings.database_url or "",
            "CONGTAM_DATA_DIR": str(settings.data_dir), "CONGTAM_LOG_LEVEL": "warning",
            "CONGTAM_JWT_SECRET": CLI_SECRET, **more}


def _run(argv: list[str], env: Mapping[str, str] | None, cwd: Path | None
         ) -> subprocess.CompletedProcess[str]:
    # Generous: a command starts a runtime (pools, migrations) and a busy CI box with
    # parallel workers has been seen to take over two minutes for one.
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=300,
                          check=False)


async def congtam(where: Settings | Mapping[str, str], *args: str, cwd: Path | None = None
                  ) -> subprocess.CompletedProcess[str]:
    """``congtam *args`` with the session's settings (or exactly the environment given)."""
    env = cli_env(where) if isinstance(where, Settings) else dict(where)
    argv = [sys.executable, "-m", "services.cli", *args]
    return await anyio.to_thread.run_sync(lambda: _run(argv, env, cwd))


async def run_auditverify(bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The bundle's own checker as an auditor runs it: -S (no site-packages) and -E (no
    PYTHON* variables), so only the standard library and the shipped files."""
    argv = [sys.executable, "-S", "-E", "-m", "auditverify", ".", *args]
    return await anyio.to_thread.run_sync(lambda: _run(argv, None, bundle))


async def import_refused_then_planned(settings: Settings, kind: str, tenant: str, sheet: Path,
                                      bad: Path, code: str) -> None:
    """``congtam import <kind>`` as scripts rely on it: ``bad`` refused (exit 2) naming
    ``code`` on stderr with nothing on stdout; ``sheet`` planned by ``--dry-run`` with the
    plan — the answer — on stdout, not among the logs."""
    refused = await congtam(settings, "import", kind, "--tenant", tenant, str(bad))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert code in refused.stderr
    assert refused.stdout == ""  # problems are not an answer: stdout stays empty
    planned = await congtam(settings, "import", kind, "--tenant", tenant, str(sheet),
                            "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert "dòng/rows" in planned.stdout
    assert "dòng/rows" not in planned.stderr
