"""The synchronous event store, called from the event loop with a bound on the wait.

The ``eventsourcing`` library is synchronous and runs in a worker thread. A stopped
database fails fast there (connect timeout, pool timeout); a frozen one does not — the
server holds the statement and enforces nothing, and libpq has no client-side statement
timeout. So the request stops waiting for the thread after the statement timeout (plus a
second of slack) and answers DATABASE_UNAVAILABLE, retryable. The thread itself finishes
when the database answers again: such a write was never acknowledged, and may or may not
have landed — a client re-reads (or retries with ``expectedVersion``) before writing again.

Commands run on a pool of their own threads, handed over with the event loop's own
``run_in_executor``: one future and one wake-up each way. (anyio's ``to_thread`` adds a
checkpoint, a capacity limiter and a cancel scope to every hop: 45–75 µs of CPU a hop
measured on the bench machine, against 20–40 µs.) A command waited for no longer — a
timeout, a client gone — is abandoned, not stopped, as before: its thread finishes on its
own.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

from services.settings import Settings
from services.store.outage import DatabaseUnavailableError

T = TypeVar("T")
SLACK_S = 1.0
# As many commands at once as anyio's default thread limiter let run: the group commit's
# followers each hold a thread while their leader runs them.
WORKERS = 40


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(WORKERS, thread_name_prefix="command")


async def in_worker(settings: Settings, call: Callable[[], T]) -> T:
    """``call()`` in a worker thread, in a copy of the caller's context (who acts, the
    request's log fields), waited for at most statement timeout + slack."""
    context = contextvars.copy_context()
    running = asyncio.get_running_loop().run_in_executor(_pool(), context.run, call)
    try:
        return await asyncio.wait_for(running, settings.db_statement_timeout_s + SLACK_S)
    except TimeoutError:
        raise DatabaseUnavailableError() from None
