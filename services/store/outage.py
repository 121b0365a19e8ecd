"""A database that does not answer: how it is recognised, and what the client is told.

Every pool is bounded in time (``CONGTAM_DB_CONNECT_TIMEOUT_S`` to connect or to wait for a
free connection, ``CONGTAM_DB_STATEMENT_TIMEOUT_S`` for one statement), so a stopped or
frozen PostgreSQL surfaces as an exception within seconds instead of a request that hangs
for the whole outage. ``is_unavailable`` says which exceptions mean "the database is away"
(as opposed to a bug or a refused statement); the edges answer those with
``DatabaseUnavailableError`` — retryable, HTTP 503 where the transport allows — and not as
an internal error. Once the database is back, the pools open new connections by themselves:
nothing is restarted.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import psycopg
from eventsourcing import persistence

from domain.errors import DomainError

RETRY_AFTER_S = 5  # what a client is told to wait before retrying


class DatabaseUnavailableError(DomainError):
    """The database did not answer in time; nothing the client did is wrong — retry."""

    code = "DATABASE_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__(
            "Cơ sở dữ liệu tạm thời không phản hồi; vui lòng thử lại sau ít giây.",
            "The database is temporarily unavailable; please retry in a few seconds.")
        self.details = {"retryable": "true", "retryAfterSeconds": RETRY_AFTER_S}


# Errors of the server's own state (starting up, shutting down, the connection killed by an
# administrator), of the connection itself, and of our time bounds.
_ASYNCPG_AWAY: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.QueryCanceledError,  # our statement_timeout (and lock waits)
    asyncpg.exceptions.InterfaceError,  # e.g. the pool is closing, the connection lost
)
_PSYCOPG_AWAY: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,  # includes psycopg_pool.PoolTimeout
    psycopg.errors.QueryCanceled,
    persistence.OperationalError,  # the eventsourcing library's wrapping of the above
    persistence.InterfaceError,
)


def is_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) means the database did not answer."""
    seen = 0
    while error is not None and seen < 8:  # follow ``raise … from`` a few links, no cycles
        if isinstance(error, (*_ASYNCPG_AWAY, *_PSYCOPG_AWAY, TimeoutError,
                              ConnectionError, FileNotFoundError)):
            # (connect() to a Unix socket that is gone: FileNotFoundError)
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


RELEASE_AFTER_TIMEOUT_S = 0.5


class BoundedPool(asyncpg.Pool):
    """asyncpg's pool, except that a connection whose statement timed out is not waited on.

    After a client-side statement timeout asyncpg asks the server to cancel the statement
    and, when the connection is released, waits for the server to acknowledge — without a
    bound. A frozen server acknowledges nothing, so the release (and the request around it)
    would hang for the whole outage. Such a connection gets half a second, then is closed;
    the pool opens a fresh one when it needs it.
    """

    async def release(self, connection: Any, *,
                      timeout: float | None = None) -> None:  # noqa: ASYNC109 (asyncpg's)
        con = getattr(connection, "_con", None)
        if timeout is None and con is not None and con._protocol._is_cancelling():
            timeout = RELEASE_AFTER_TIMEOUT_S
        await super().release(connection, timeout=timeout)


async def bounded_pool(*, min_size: int, max_size: int, **kwargs: Any) -> asyncpg.Pool:
    """``asyncpg.create_pool`` with ``BoundedPool``'s release (same arguments)."""
    pool = BoundedPool(min_size=min_size, max_size=max_size, max_queries=50_000,
                       max_inactive_connection_lifetime=300.0, loop=None,
                       connection_class=asyncpg.Connection, record_class=asyncpg.Record,
                       **kwargs)
    await pool
    return pool
