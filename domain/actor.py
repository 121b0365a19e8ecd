"""Who is acting: stamped on every event, so history always says who did what, in which capacity.

A ContextVar (as in the eventsourcing content-management example) rather than an
argument on every command: the service layer sets it once per request or job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate


@dataclass(frozen=True)
class Actor:
    user_id: str
    capacity: str  # the role acted in: hr_officer, unit_leader, staff, system, …


SYSTEM = Actor(user_id="system", capacity="system")
_current: ContextVar[Actor] = ContextVar("congtam_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def _actor_id() -> str:
    return _current.get().user_id


def _actor_capacity() -> str:
    return _current.get().capacity


class TenantAggregate(Aggregate):
    """Base of every aggregate: each event records the actor and the capacity they acted in."""

    class Event(Aggregate.Event):
        actor: str = field(default_factory=_actor_id, init=False)
        capacity: str = field(default_factory=_actor_capacity, init=False)
