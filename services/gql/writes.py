"""The synchronous event store, called from the event loop with a bound on the wait.

The ``eventsourcing`` library is synchronous and runs in a worker thread. A stopped
database fails fast there (connect timeout, pool timeout); a frozen one does not — the
server holds the statement and enforces nothing, and libpq has no client-side statement
timeout. So the request stops waiting for the thread after the statement timeout (plus a
second of slack) and answers DATABASE_UNAVAILABLE, retryable. The thread itself finishes
when the database answers again: such a write was never acknowledged, and may or may not
have landed — a client re-reads (or retries with ``expectedVersion``) before writing again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio

from services.settings import Settings
from services.store.outage import DatabaseUnavailableError

T = TypeVar("T")
SLACK_S = 1.0


async def in_worker(settings: Settings, call: Callable[[], T]) -> T:
    """``call()`` in a worker thread, waited for at most statement timeout + slack."""
    try:
        with anyio.fail_after(settings.db_statement_timeout_s + SLACK_S):
            return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
    except TimeoutError:
        raise DatabaseUnavailableError() from None
