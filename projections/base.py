"""What a projection is: a name, the tables it owns, and SQL for each event type it needs.

Handlers return statements instead of executing them, so the runner decides the
transaction: every statement of a batch and the tracking position commit together.
Handlers use only the event (its timestamp, never ``now()``), so a rebuild from zero
writes byte-identical rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

Statement = tuple[str, tuple[Any, ...]]
Handler = Callable[[str, Any, int], list[Statement]]


class Projection:
    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    handlers: ClassVar[dict[type, Handler]]

    @classmethod
    def statements(cls, schema: str, event: Any, position: int) -> list[Statement]:
        handler = cls.handlers.get(type(event))
        return handler(schema, event, position) if handler else []
