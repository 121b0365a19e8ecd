"""Every kind of event the evaluation domain records, by topic (``module:Aggregate.Event``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from eventsourcing.domain import Aggregate, CanMutateAggregate

import domain

# The platform's own log (users, grants, checkpoints) is not a tenant's evaluation log.
PLATFORM_MODULES = {"domain.platform"}


def tenant_event_topics() -> set[str]:
    """Each event class declared on an aggregate of ``domain`` (the library's default
    ``Created`` is never recorded: every aggregate names its creation event)."""
    topics: set[str] = set()
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{info.name}")
        if module.__name__ in PLATFORM_MODULES:
            continue
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and issubclass(cls, Aggregate)
                    and cls.__module__ == module.__name__):
                continue
            for name, event_class in vars(cls).items():
                if (inspect.isclass(event_class) and issubclass(event_class, CanMutateAggregate)
                        and name not in {"Event", "Created"}):
                    topics.add(f"{module.__name__}:{cls.__qualname__}.{name}")
    return topics
