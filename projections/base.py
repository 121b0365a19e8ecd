"""What a projection is: a name, the tables it owns, and SQL for each event type it needs.

Handlers return statements instead of executing them, so the runner decides the
transaction: every statement of a batch and the tracking position commit together.
Handlers use only the event (its timestamp, never ``now()``), so a rebuild from zero
writes byte-identical rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Statement = tuple[str, tuple[Any, ...]]
Handler = Callable[[str, Any, int], list[Statement]]
# A connection, whether taken from a pool or opened on its own.
DbConn: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"


class Projection:
    """Handlers are keyed by event topic (``module:Aggregate.Event``): the projection declares
    the topics it needs, and events no projection needs are never decoded."""

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    handlers: ClassVar[dict[str, Handler]]

    @classmethod
    def statements(cls, schema: str, topic: str, event: Any, position: int) -> list[Statement]:
        handler = cls.handlers.get(topic)
        return handler(schema, event, position) if handler else []
