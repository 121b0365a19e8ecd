"""Group commit: a tenant's concurrent commands share one transaction, one table lock and
one fsync, each still judged on its own.

A command (``TenantWriter.run``) joins its tenant's queue. One of the waiting threads
becomes the leader: it checks out one connection, begins one transaction, takes the
tenant's table lock (so nothing else appends meanwhile) and runs the queued commands one
after the other, each in a savepoint (``Batch.step``): a command reads the state the ones
before it left (their events are in the same transaction), decides, and appends; a
command that fails — a rule refuses, a version clashes — is rolled back to its savepoint
and answered with its own error, the others are untouched. Then one NOTIFY and one COMMIT
for all; every caller gets its own position, or the commit's error if the commit fails
(nothing of the batch was recorded then).

The aggregate cache is lent, not copied (``LendingCache``): inside a batch, commands
receive the cached objects themselves and mutate them in place, which is safe because the
batch is the only one touching the tenant's cache while it runs (readers outside a batch
wait for the leader's lock and get copies). What a command leaves behind is kept only if it
is the log's state: a command that failed, or left an aggregate with events it did not
save, has those aggregates evicted; and a batch whose commit failed evicts everything it
touched, so the cache is never ahead of the log.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

from eventsourcing.application import LRUCache
from eventsourcing.domain import Aggregate
from psycopg import ClientCursor, Connection, Cursor
from psycopg.rows import DictRow, dict_row
from psycopg.sql import Composed

T = TypeVar("T")
BATCH_MAX = 64  # commands per transaction: bounds how long the table lock is held
FOLLOWER_POLL_S = 0.01
LEADER_WAIT_S = 0.5  # a follower's sleep while a leader runs (woken at once when served)

_local = threading.local()


@dataclass
class Batch:
    """One leader's transaction: the connection, and the cache changes not yet committed."""

    owner: object  # the tenant application running it
    datastore: object  # its datastore: every statement of that log runs on ``conn``
    conn: Connection[DictRow]
    cursor: Cursor[DictRow]
    staged: dict[UUID, Aggregate] = field(default_factory=dict)  # state as of this transaction
    lent: dict[UUID, Aggregate] = field(default_factory=dict)  # handed to the running command
    touched: set[UUID] = field(default_factory=set)  # everything lent during the batch
    appended: int = 0  # events written by the steps that succeeded
    wrote: bool = False
    # The savepoint "command": "ready" (set, unused), "active" (a command runs in it),
    # "held" (its command finished; released when the next one starts), or "none".
    mark: str = "ready"
    # Statements not sent yet: the batch's opening (``opened`` False until it is sent), then
    # each command's savepoint; they ride with the next statement of the batch (``query``).
    pending: str | None = None
    opened: bool = True
    broken: BaseException | None = None  # the opening failed: so does every command after

    def lend(self, aggregate_id: UUID, aggregate: Aggregate) -> Aggregate:
        self.lent[aggregate_id] = aggregate
        self.touched.add(aggregate_id)
        return aggregate

    @contextmanager
    def step(self, cache: LendingCache | None) -> Iterator[None]:
        """One command's attempt: kept whole, or rolled back whole (its savepoint).

        The savepoints are the server's own (no psycopg transaction object: rolling back
        one of those makes psycopg drop the connection's prepared statements), and ride
        with other statements: the first is set by the batch's opening (itself sent with
        the first command's first read); a command's is
        released together with setting the next one's, and that is sent with the next
        command's first read (``query``), so a command costs no round trip of its own for
        it; the last is released by the COMMIT. A command that sends nothing leaves the
        savepoints as it found them."""
        if self.broken is not None:
            raise self.broken
        nested = self.mark == "active"
        before = self.mark, self.pending
        if nested:
            self.flush()
            self.cursor.execute("SAVEPOINT command", prepare=False)
        elif self.mark == "held":
            self.pending = "RELEASE SAVEPOINT command; SAVEPOINT command"
        elif self.mark == "none":
            self.pending = "SAVEPOINT command"
        self.mark = "active"
        appended, outer, self.lent = self.appended, self.lent, {}
        try:
            yield
        except BaseException:
            if self.pending is not None and not nested:  # nothing of it reached the server
                self.mark, self.pending = before
            elif self.broken is None:
                self.cursor.execute("ROLLBACK TO SAVEPOINT command; RELEASE SAVEPOINT command",
                                    prepare=False)
                self.mark = "active" if nested else "none"
            self.appended = appended
            for aggregate_id in self.lent:  # possibly mutated: not the log's state
                self._forget(aggregate_id, cache)
            raise
        else:
            if nested:  # the outer command's savepoint is the one left to hold
                self.cursor.execute("RELEASE SAVEPOINT command", prepare=False)
                self.mark = "active"
            elif self.pending is not None:  # nothing sent: the savepoints are as they were
                self.mark, self.pending = before
            else:
                self.mark = "held"
            for aggregate_id, aggregate in self.lent.items():
                if aggregate.pending_events:  # changed, never saved: ahead of the log
                    self._forget(aggregate_id, cache)
        finally:
            outer.update(self.lent)  # a step inside a step: the outer one answers for both
            self.lent = outer

    def flush(self) -> None:
        """Send what is pending now: before any statement of the batch's transaction other
        than ``query``."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self._send(self.cursor, pending)

    def query(self, statement: Composed | bytes, params: Sequence[Any]) -> list[DictRow]:
        """A read in the batch's transaction. What is pending (the batch's opening, the
        command's savepoint) rides with it in the same round trip: one simple query, bound
        on the client."""
        if self.pending is None:
            return self.conn.execute(statement, params, prepare=True).fetchall()
        curs = ClientCursor(self.conn, row_factory=dict_row)
        read = inline(statement, params, curs)  # bound here: nothing is sent if this fails
        pending, self.pending = self.pending, None
        self._send(curs, f"{pending}; {read}")
        while curs.nextset():  # the read's answer is the last one
            pass
        return curs.fetchall()

    def _send(self, curs: Cursor[DictRow], text: str) -> None:
        opening, self.opened = not self.opened, True
        try:
            curs.execute(text, prepare=False)  # type: ignore[call-overload]
        except BaseException as error:
            if opening:  # no savepoint to go back to: the batch fails whole
                self.broken = error
            raise

    def _forget(self, aggregate_id: UUID, cache: LendingCache | None) -> None:
        self.staged.pop(aggregate_id, None)
        if cache is not None:
            cache.evict(aggregate_id)


def _literal(value: object) -> str | None:
    """A parameter of a batch read as SQL text, for the types whose text cannot carry a
    quote (ids, versions, arrays of either); None for anything else."""
    kind = type(value)
    if kind is UUID:
        return f"'{value}'::uuid"
    if kind is int:
        return f"'{value}'::int8"
    if kind is list:
        items = cast(list[object], value)
        if not items:  # typed by the statement's cast, as psycopg leaves it
            return "'{}'"
        if all(type(item) is UUID for item in items):
            return f"'{array_text(items)}'::uuid[]"
        if all(type(item) is int for item in items):
            return f"'{array_text(items)}'::int8[]"
    return None


def array_text(values: Iterable[object]) -> str:
    """An array of ids or versions as PostgreSQL's text literal (unquoted, uncast): ids and
    numbers need no quoting, so one join does what psycopg does element by element."""
    return "{" + ",".join(map(str, values)) + "}"


def inline(statement: Composed | bytes, params: Sequence[Any], curs: ClientCursor[DictRow]
           ) -> str:
    """``statement`` with ``params`` bound on the client, as ``curs.mogrify`` would bind
    them: the reads of a batch take only ids and versions, whose text is written here
    directly (psycopg's adaptation of a list was most of the cost of binding a read);
    anything else goes through ``mogrify``."""
    literals = [_literal(value) for value in params]
    if None in literals:
        return curs.mogrify(statement, params)
    text = statement.decode() if isinstance(statement, bytes) else statement.as_string(curs)
    return text % tuple(literals)


def running_batch() -> Batch | None:
    """The batch this thread runs, whichever tenant's."""
    batch: Batch | None = getattr(_local, "batch", None)
    return batch


def current_batch(owner: object) -> Batch | None:
    """The batch ``owner`` runs on this thread, if any."""
    batch: Batch | None = getattr(_local, "batch", None)
    return batch if batch is not None and batch.owner is owner else None


def in_other_batch(owner: object) -> bool:
    """Whether this thread runs another tenant's batch (a command spanning tenants): the
    nested tenant's command then runs on its own, without its cache."""
    batch: Batch | None = getattr(_local, "batch", None)
    return batch is not None and batch.owner is not owner


@contextmanager
def running(batch: Batch) -> Iterator[Batch]:
    _local.batch = batch
    try:
        yield batch
    finally:
        _local.batch = None


class LendingCache(LRUCache[UUID, Aggregate]):
    """The tenant's aggregate cache: lent inside its batch, copied outside one."""

    def __init__(self, maxsize: int, owner: object, lock: threading.Lock) -> None:
        super().__init__(maxsize=maxsize)
        self._owner = owner
        self._lock = lock  # the writer's: held by a leader for its whole batch

    def get(self, key: UUID, *, evict: bool = False) -> Aggregate:
        batch = current_batch(self._owner)
        if batch is not None:
            found = batch.staged.get(key)
            if found is None:
                found = super().get(key, evict=evict)
            return batch.lend(key, found)
        if in_other_batch(self._owner):
            raise KeyError(key)
        with self._lock:
            return deepcopy(super().get(key, evict=evict))

    def put(self, key: UUID, value: Aggregate | None) -> Any:
        batch = current_batch(self._owner)
        if batch is not None and value is not None:
            batch.staged[key] = batch.lend(key, value)
            return None
        if in_other_batch(self._owner):
            return None
        with self._lock:
            return super().put(key, deepcopy(value))

    def evict(self, key: UUID) -> None:
        """Forget ``key`` (only from inside the batch holding the lock, or under it)."""
        with suppress(KeyError):
            super().get(key, evict=True)

    def publish(self, batch: Batch) -> None:
        """After the commit: what the batch staged is now the log's state."""
        for aggregate_id, aggregate in batch.staged.items():
            super().put(aggregate_id, aggregate)

    def discard(self, batch: Batch) -> None:
        """After a failed commit: nothing the batch touched may be served again."""
        for aggregate_id in batch.touched | set(batch.staged):
            self.evict(aggregate_id)


@dataclass
class _Job(Generic[T]):
    call: Callable[[], T]
    context: contextvars.Context
    finished: threading.Event = field(default_factory=threading.Event)
    result: T | None = None
    error: BaseException | None = None


class TenantWriter:
    """The tenant's commands, grouped: see the module's docstring."""

    def __init__(self, open_batch: Callable[[], AbstractContextManager[Batch]],
                 owner: object) -> None:
        self._open_batch = open_batch
        self._owner = owner
        self.lock = threading.Lock()  # the leader's (and the cache's)
        self._queue: list[_Job[Any]] = []
        self._queue_lock = threading.Lock()
        self._leading = False  # a leader holds the lock and will run what is queued
        self.batches = 0  # transactions run so far (each one commit for all its commands)

    def pending(self) -> int:
        """Commands waiting for the next batch."""
        with self._queue_lock:
            return len(self._queue)

    def run(self, call: Callable[[], T]) -> T:
        """``call()`` inside the tenant's next batch; its own result or its own error."""
        if getattr(_local, "batch", None) is not None:
            # Already inside a batch (a command spanning tenants, or a use case calling
            # another): run in place, in the running transaction or on its own.
            return call()
        job: _Job[T] = _Job(call, contextvars.copy_context())
        with self._queue_lock:
            self._queue.append(job)
        while not job.finished.is_set():
            # Whoever finds no leader leads; the others are woken when their batch ends.
            # With a leader at work a queued command is its to run (it gives up only once
            # it sees the queue empty), so its followers sleep; without one, the lock is a
            # reader's for a moment: look again soon.
            if self.lock.acquire(blocking=False):
                self._lead()
            else:
                job.finished.wait(LEADER_WAIT_S if self._leading else FOLLOWER_POLL_S)
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _lead(self) -> None:
        """Batch after batch while commands wait (those that arrived during one batch form
        the next), then give up the lock. It is given up while the queue is seen empty, so
        a command queued after that finds the lock free: none is left without a leader."""
        released = False
        self._leading = True
        try:
            while True:
                with self._queue_lock:
                    jobs, self._queue = self._queue[:BATCH_MAX], self._queue[BATCH_MAX:]
                    if not jobs:
                        self._leading = False
                        self.lock.release()
                        released = True
                        return
                self._execute(jobs)
        finally:
            if not released:
                self._leading = False
                self.lock.release()

    def _execute(self, jobs: list[_Job[Any]]) -> None:
        try:
            with self._open_batch() as batch, running(batch):
                for job in jobs:
                    try:
                        job.result = job.context.run(job.call)
                    except BaseException as error:  # answered to its own caller
                        job.error = error
            self.batches += 1
        except BaseException as error:  # the batch itself failed: nothing was recorded
            for job in jobs:
                if job.error is None:
                    job.error, job.result = error, None
        finally:
            for job in jobs:
                job.finished.set()
