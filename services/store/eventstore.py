"""The write side: one ``eventsourcing`` application per tenant, all sharing one pool.

The library keeps the schema on its ``PostgresDatastore`` and gives each datastore its own
connection pool, so one application per tenant would mean connections growing with the
number of tenants. ``SharedPoolDatastore`` keeps the library's recorders (table lock,
gap-free notification ids, optimistic concurrency) but borrows connections from a single
process-wide pool: the bound is ``CONGTAM_WRITE_POOL_MAX`` however many tenants exist.
Each tenant's events live in its own schema ``t_<slug>`` (table ``evaluations_events``).
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from typing import Any, LiteralString, cast
from uuid import UUID

import psycopg
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    PersistenceError,
    Recording,
    StoredEvent,
)
from eventsourcing.postgres import (
    ConnectionPool,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import Environment
from psycopg import Connection, Cursor
from psycopg.rows import DictRow, dict_row
from psycopg.sql import SQL, Identifier, Literal

from services.metrics import EVENTS_APPENDED
from services.store.database import ConnectionParams
from services.store.dbroles import WRITER_ROLE
from services.store.group_commit import (
    Batch,
    LendingCache,
    TenantWriter,
    array_text,
    current_batch,
    running_batch,
)
from services.store.personal_keys import TenantKeys
from services.store.placement import TenantMovingError, fenced_error
from storage.transcoding import PersonalDataMapper, register_transcodings

EVENTS_TABLE = "evaluations_events"
NOTIFY_CHANNEL = "congtam_events"  # payload: the tenant's schema


def tenant_schema(slug: str) -> str:
    return "t_" + slug.replace("-", "_")


WRITE_STATEMENT_FLOOR_S = 60.0


class SharedPool:
    """The process-wide psycopg pool behind every tenant's event store."""

    def __init__(self, params: ConnectionParams, max_size: int, *,
                 connect_timeout_s: float = 2.0, statement_timeout_s: float = 3.0) -> None:
        self.params = params
        # Bounded in time (services/store/outage.py): libpq's connect_timeout (whole seconds,
        # at least 2), the wait for a pooled connection, and the server's statement_timeout.
        # A frozen server keeps a statement waiting past all of these: the GraphQL edge
        # bounds its wait for the worker thread instead (services/gql/writes.py).
        # An append waits for its tenant's table lock behind other appends (a month-end burst,
        # a 2,000-row import): that wait is work, not an outage, so the server-side bound on
        # writes is a job's (WRITE_STATEMENT_FLOOR_S), never the read timeout.
        bound = max(statement_timeout_s, WRITE_STATEMENT_FLOOR_S)
        options = f"-c statement_timeout={int(bound * 1000)}"
        self.statement_timeout_s = statement_timeout_s
        # A batch holds its connection while its commands read sealing keys on another:
        # one connection is always left for those, so batches of many tenants never wait
        # on each other for the pool (services/store/group_commit.py).
        self.batches = threading.BoundedSemaphore(max(1, max_size - 1))
        self.pool: ConnectionPool[Connection[DictRow]] = ConnectionPool(
            connection_class=Connection[DictRow],
            kwargs={**params.psycopg_kwargs(), "row_factory": dict_row,
                    "connect_timeout": max(2, math.ceil(connect_timeout_s)),
                    "options": options},
            min_size=1,
            max_size=max_size,
            open=False,
            configure=_autocommit,
            # Waiting for a pooled connection behind other writes is work too (a burst of
            # deciders, 9 threads on 4 connections); the API bounds its own wait.
            timeout=bound,
            max_lifetime=3600.0,
            # A connection broken by an outage is found (and replaced) before a write uses
            # it, so the first write after the database is back does not fail on it; one
            # handed back a moment ago has just answered (see ``_check_if_idle``).
            check=_check_if_idle,
            reset=_returned,
        )
        # Open now (connections are made in the background): every path checks out from
        # it — the library's reads, a batch of commands, the sealing keys — and a pool not
        # opened yet refuses them all (PoolClosed reads as the database being away).
        self.pool.open()

    def close(self) -> None:
        self.pool.close()


# A connection that answered less than this ago is not asked again before its next use:
# a decision checks out a connection per batch, and the check was a round trip of its own.
# An outage is seconds long (a restart, a failover): longer than this, so a connection
# broken by it has been idle longer and is still checked before a write.
CHECK_AFTER_IDLE_S = 1.0
_last_answered: weakref.WeakKeyDictionary[Connection[Any], float] = weakref.WeakKeyDictionary()


def _returned(conn: Connection[Any]) -> None:
    """The pool's ``reset``: the connection came back idle, having just answered."""
    _last_answered[conn] = time.monotonic()


def _check_if_idle(conn: Connection[Any]) -> None:
    """The pool's ``check``: a round trip, unless the connection answered a moment ago."""
    answered = _last_answered.get(conn)
    if answered is not None and time.monotonic() - answered < CHECK_AFTER_IDLE_S \
            and not conn.broken:
        return
    ConnectionPool.check_connection(conn)


def _autocommit(conn: Connection[Any]) -> None:
    conn.autocommit = True
    conn.execute("SET idle_in_transaction_session_timeout = '5000ms'")


def _batch_of(datastore: PostgresDatastore) -> Batch | None:
    batch = running_batch()
    return batch if batch is not None and batch.datastore is datastore else None


class SharedPoolDatastore(PostgresDatastore):
    def __init__(self, shared: SharedPool, schema: str) -> None:
        p = shared.params
        super().__init__(
            dbname=p.dbname, host=p.host, port=p.port, user=p.user, password=p.password,
            schema=schema, pool_size=0, max_overflow=1, lock_timeout=10,
        )
        # Replace the library's per-datastore pool (never opened) by the shared one.
        self.pool = shared.pool
        self.batches = shared.batches

    @contextmanager
    def get_connection(self) -> Iterator[Connection[DictRow]]:
        # Inside a batch every statement of the tenant's log runs in the batch's transaction
        # (a read sees the commands before it; nothing checks out a second connection).
        batch = _batch_of(self)
        if batch is not None:
            batch.flush()  # the running command's savepoint first
            yield batch.conn
            return
        with super().get_connection() as conn:
            yield conn

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Cursor[DictRow]]:
        batch = _batch_of(self)
        if batch is not None:
            batch.flush()
            yield batch.conn.cursor()
            return
        with super().transaction(commit=commit) as curs:
            yield curs

    def close(self) -> None:
        # The shared pool belongs to the process, not to one tenant.
        pass

    def register_type_adapters(self) -> None:
        # TenantRecorder inserts without composite types: nothing to register.
        pass


PIPELINED_APPEND_MAX = 200  # events; a bigger append goes without the pipeline (below)


class TenantRecorder(PostgresApplicationRecorder):
    """The library's application recorder, minus composite types, plus a tenant-tagged NOTIFY.

    The library inserts through a per-schema composite type whose psycopg adapter is keyed
    by type name, so tenants sharing a connection would clash; plain typed arrays avoid
    that (and need no adapter at all). The table lock that keeps notification ids in
    commit order is kept as is.
    """

    writer_role = WRITER_ROLE  # the role an append runs as (services/store/dbroles.py)

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        self._insert_arrays = SQL(
            "INSERT INTO {0}.{1} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(schema, table).as_bytes()  # rendered once: psycopg caches its parsing
        # The arrays go in binary: psycopg renders a text array element by element in Python
        # (each state's bytes escaped), which cost more than the rest of a board's append.
        self._notify = SQL("SELECT pg_notify({0}, {1})").format(
            Literal(NOTIFY_CHANNEL), Literal(datastore.schema))
        # Appends run as the writer role once its privileges on this table are installed and
        # the login may take it (a schema set up without roles, a login outside the role, or
        # PostgreSQL before 17: appends run as the login, as before).
        self._as_writer: bool | None = None
        self._writer_ready = SQL(
            "SELECT CASE WHEN to_regrole({0}) IS NULL "
            "OR current_setting('server_version_num')::int < 170000 THEN false "
            "ELSE pg_has_role(current_user, {0}, 'MEMBER') "
            "AND has_table_privilege({0}, {1}, 'INSERT') "
            "AND has_table_privilege({0}, {1}, 'MAINTAIN') END AS ready"
        ).format(Literal(self.writer_role), Literal(f"{datastore.schema}.{events_table_name}"))
        self._set_writer = SQL("SET LOCAL ROLE {0}").format(Identifier(self.writer_role))
        self._opening: str | None = None  # a batch's, once known whether it is the writer's
        self._closing = {wrote: SQL("; ").join([*([self._notify] if wrote else []),
                                                SQL("COMMIT")]).as_bytes()
                         for wrote in (False, True)}

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any
                      ) -> Sequence[int] | None:
        """The library's pipelined append, except for a large one (a staff import: thousands
        of events in one transaction): in pipeline mode psycopg stalls once the statement
        outgrows the socket buffers (the server waits in ClientRead, the client in sync), so a
        large append sends the same statements, in the same transaction under the same table
        lock, without the pipeline."""
        batch = _batch_of(self.datastore)
        if batch is not None:  # the batch's transaction: already the writer, table locked
            batch.flush()
            try:
                self._insert(batch.cursor, stored_events)
                ids = [row["notification_id"] for row in batch.cursor.fetchall()]
            except psycopg.IntegrityError as error:  # a version clash: decide again
                raise IntegrityError(str(error)) from error
            batch.wrote = True
            return ids
        if len(stored_events) <= PIPELINED_APPEND_MAX:
            return super().insert_events(stored_events, **kwargs)  # type: ignore[no-any-return]
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    def _become_writer(self, curs: Cursor[DictRow]) -> None:
        if self._as_writer is None:
            curs.execute(self._writer_ready)
            row = curs.fetchone()
            self._as_writer = bool(row and row["ready"])
        if self._as_writer:
            # Least privilege for the append: the writer role may insert events and read
            # them, nothing else (services/store/dbroles.py); the role ends with the transaction.
            curs.execute(self._set_writer)

    def opening(self, curs: Cursor[DictRow]) -> str:
        """How a batch's transaction starts, as every append does — as the writer, the
        table locked — setting its first command's savepoint. Not sent here: it rides with
        the batch's first statement (services/store/group_commit.py ``Batch.query``)."""
        if self._opening is not None:
            return self._opening
        if self._as_writer is None:
            curs.execute(self._writer_ready)
            row = curs.fetchone()
            self._as_writer = bool(row and row["ready"])
        opening = [SQL("BEGIN"), *([self._set_writer] if self._as_writer else []),
                   *self.lock_table_statements, SQL("SAVEPOINT command")]
        self._opening = SQL("; ").join(opening).as_string(curs)
        return self._opening

    def close_batch(self, curs: Cursor[DictRow], wrote: bool) -> None:
        """NOTIFY (delivered at commit, with the schema) and COMMIT: one round trip. A
        transaction found aborted answers ROLLBACK to a COMMIT: that is an error here."""
        curs.execute(self._closing[wrote], prepare=False)
        while curs.nextset():  # the COMMIT's answer is the last one
            pass
        if curs.statusmessage != "COMMIT":
            raise PersistenceError(f"batch not committed: {curs.statusmessage}")

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        self._become_writer(curs)
        self._lock_table(curs)
        curs.execute(self._notify, prepare=True)  # delivered at commit, with the schema
        self._insert(curs, stored_events)

    def _insert(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]) -> None:
        curs.execute(self._insert_arrays, (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        ), prepare=True)


class TenantFactory(PostgresFactory):
    application_recorder_class: type[PostgresApplicationRecorder] = TenantRecorder

    def __init__(self, env: Environment, datastore: PostgresDatastore) -> None:
        InfrastructureFactory.__init__(self, env)
        self.datastore = datastore

    def close(self) -> None:
        pass


class Evaluations(Application):  # type: ignore[type-arg]
    """A tenant's event-sourced application: every aggregate of that tenant, one log."""

    name = "Evaluations"

    def __init__(self, datastore: PostgresDatastore, create_tables: bool,
                 aggregate_cache_size: int = 0, tenant: str = "",
                 keys_pool: ConnectionPool[Connection[DictRow]] | None = None) -> None:
        self._datastore = datastore
        # Personal-data keys are in the home database whichever database holds the log.
        self._keys_pool = keys_pool or datastore.pool
        self._tenant = tenant or datastore.schema
        env = {"CREATE_TABLE": "y" if create_tables else "n"}
        if aggregate_cache_size > 0:
            # Fast-forward (the library's default for a cache): every get() still reads the
            # events stored after the cached version, whoever wrote them, so a cached
            # aggregate is never staler than the log; a decision racing another process is
            # caught, as without the cache, by the unique (id, version) on save. Saves do
            # not feed the cache. The cache lends its aggregates to the commands of a batch
            # and copies them for anyone else (services/store/group_commit.py), so a
            # command that fails half-way never leaves its mutations behind.
            env |= {"AGGREGATE_CACHE_MAXSIZE": str(aggregate_cache_size),
                    "AGGREGATE_CACHE_FASTFORWARD": "y",
                    "DEEPCOPY_FROM_AGGREGATE_CACHE": "n"}
        super().__init__(env=env)
        # Commands of this tenant run grouped (``_retrying`` in services/app/handler_base.py).
        self.writer = TenantWriter(self._open_batch, self)
        self._cache: LendingCache | None = None
        self._selects: dict[str, bytes] = {}  # ``_stored``'s statements
        if aggregate_cache_size > 0:
            self._cache = LendingCache(aggregate_cache_size, self, self.writer.lock)
            self.repository.cache = self._cache  # type: ignore[assignment]

    @contextmanager
    def _open_batch(self) -> Iterator[Batch]:
        """One transaction for a group of commands: as the writer, the table locked; one
        NOTIFY and one commit at the end. The cache learns the batch's state only once it
        is committed; a failed commit makes it forget everything the batch touched."""
        recorder = cast(TenantRecorder, self.recorder)
        batches = getattr(self._datastore, "batches", None)
        batch: Batch | None = None
        with batches or nullcontext(), self._datastore.pool.connection() as conn:
            curs = conn.cursor()
            try:
                # BEGIN … (the connection is in autocommit), sent with the first statement
                batch = Batch(self, self._datastore, conn, curs,
                              pending=recorder.opening(curs), opened=False)
                yield batch
                if batch.opened:  # else nothing was sent: nothing to commit
                    recorder.close_batch(curs, batch.wrote)  # … COMMIT
            except BaseException:
                if batch is not None and self._cache is not None:
                    self._cache.discard(batch)
                with suppress(psycopg.Error):  # a broken connection: the pool replaces it
                    curs.execute("ROLLBACK", prepare=False)
                raise
        assert batch is not None
        if self._cache is not None:
            self._cache.publish(batch)
        if batch.appended:
            EVENTS_APPENDED.labels(self._slug()).inc(batch.appended)

    def step(self) -> AbstractContextManager[None]:
        """One attempt of a command: inside a batch, its own savepoint (kept or rolled back
        whole, the other commands untouched); outside one, nothing to do."""
        batch = current_batch(self)
        return batch.step(self._cache) if batch is not None else nullcontext()

    def _slug(self) -> str:
        return self._datastore.schema.removeprefix("t_").replace("_", "-")

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        return TenantFactory(env, self._datastore)  # type: ignore[return-value]

    def cached(self, aggregate_id: UUID) -> Aggregate | None:
        """The cached state of an aggregate, possibly behind its log, never to be changed:
        only a hint of which ids a command will read next (``UnitOfWork._prefetch``)."""
        cache = self.repository.cache
        if cache is None:
            return None
        try:
            return cast(Aggregate, cache.get(aggregate_id))
        except KeyError:
            return None

    def get_many(self, ids: Iterable[UUID]) -> dict[UUID, Aggregate]:
        """Several aggregates in one round trip (a board's evaluations and people), where
        ``repository.get`` costs one query each.

        Same guarantees as the cached ``get``: each aggregate is read from the log up to its
        latest event (a cached one is fast-forwarded from its cached version), and a
        concurrent writer is caught by the unique (id, version) on save. Inside the
        tenant's batch the aggregates are the cache's own, lent without a copy (the batch
        alone touches them); outside, copies. Ids with no events are absent from the result.
        """
        wanted = list(dict.fromkeys(ids))
        start: dict[UUID, Aggregate] = {}
        for aggregate_id in wanted:
            cached = self.cached(aggregate_id)
            if cached is not None:
                start[aggregate_id] = cached
        since = [start[i].version if i in start else 0 for i in wanted]
        rows = self._stored("JOIN unnest(%s::uuid[], %s::bigint[]) AS w(id, v) "
                            "ON e.originator_id = w.id AND e.originator_version > w.v",
                            (wanted, since))
        found = dict(start)  # lent (in the batch) or copies: brought forward in place
        moved = self._replay(rows, found)
        if self._cache is not None:
            for aggregate_id in moved:
                self._cache.put(aggregate_id, found[aggregate_id])  # outside a batch: a copy
        return found

    def as_of(self, ids: Iterable[UUID], event: tuple[UUID, int]) -> dict[UUID, Aggregate]:
        """Aggregates as they stood when ``event`` (originator id, version) was recorded:
        their events up to its position in the log, replayed. Positions follow the commit
        order (appends hold the table lock), where clocks of several processes need not.
        Ids with no events by then are absent from the result."""
        rows = self._stored("WHERE e.originator_id = ANY(%s::uuid[]) AND e.notification_id <= "
                            "(SELECT notification_id FROM {0}.{1} WHERE originator_id = %s "
                            "AND originator_version = %s)", (list(ids), *event))
        found: dict[UUID, Aggregate] = {}
        self._replay(rows, found)
        return found

    def _stored(self, selecting: LiteralString, params: Sequence[Any]) -> list[Any]:
        """The stored events ``e`` of the log that ``selecting`` keeps (a join or a WHERE,
        ``{0}.{1}`` naming the log), in each aggregate's order. One statement, its own
        transaction (autocommit) or the batch's: never a rolled back one, which would make
        psycopg forget its prepared statements. In the batch the read carries the command's
        savepoint."""
        query = self._selects.get(selecting)
        if query is None:  # rendered once: psycopg caches the parsing of a rendered query
            query = self._selects[selecting] = SQL(
                "SELECT e.originator_id, e.originator_version, e.topic, e.state "
                "FROM {0}.{1} e " + selecting +
                " ORDER BY e.originator_id, e.originator_version").format(
                Identifier(self._datastore.schema), Identifier(EVENTS_TABLE)).as_bytes()
        batch = current_batch(self)
        if batch is not None:  # bound on the client (group_commit.inline)
            return batch.query(query, params)
        # Arrays of ids or versions as one text each: psycopg adapts a list item by item.
        bound = [array_text(p) if type(p) is list else p for p in params]
        with self._datastore.get_connection() as conn:
            return conn.execute(query, bound, prepare=True).fetchall()

    def _replay(self, rows: Iterable[Any], found: dict[UUID, Aggregate]) -> set[UUID]:
        """Apply stored events (in each aggregate's order) to ``found``; the ids moved."""
        moved: set[UUID] = set()
        for row in rows:
            aggregate_id = row["originator_id"]
            event: Any = self.mapper.to_domain_event(StoredEvent(
                originator_id=aggregate_id, originator_version=row["originator_version"],
                topic=row["topic"], state=bytes(row["state"])))
            found[aggregate_id] = event.mutate(found.get(aggregate_id))
            moved.add(aggregate_id)
        return moved

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        register_transcodings(transcoder)

    def construct_mapper(self) -> Mapper[Any]:
        """Personal fields sealed with each person's key (storage/sealing.py)."""
        transcoder = self.construct_transcoder()
        assert isinstance(transcoder, JSONTranscoder)
        keys = TenantKeys(self._keys_pool, self._tenant, self._datastore.schema,
                          EVENTS_TABLE, events_pool=self._datastore.pool)
        return PersonalDataMapper(transcoder, keys)

    def prepare_to_seal(self, subjects: Collection[UUID]) -> None:
        """Make (or read) the sealing keys of many people at once, before a large save."""
        mapper = self.mapper
        assert isinstance(mapper, PersonalDataMapper)
        keys = mapper.keys
        assert isinstance(keys, TenantKeys)
        keys.prepare_to_seal(subjects)

    @property
    def datastore_pool(self) -> Any:
        return self._datastore.pool

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        try:
            recordings = self._save_aggregates(objs, kwargs)
        except Exception as error:
            if fenced_error(error):  # the tenant is moving between databases
                raise TenantMovingError() from None
            raise
        if not recordings:
            return recordings
        batch = current_batch(self)
        if batch is not None:  # counted once the batch commits
            batch.appended += len(recordings)
        else:  # counted once committed: save returns only after the commit
            EVENTS_APPENDED.labels(self._slug()).inc(len(recordings))
        return recordings

    def _save_aggregates(self, objs: tuple[Any, ...], kwargs: dict[str, Any]
                         ) -> list[Recording[Any]]:
        """The library's ``save``, its events collected from aggregates without its runtime
        protocol checks: each ``isinstance`` against a Protocol lists the protocol's
        attributes again (two per aggregate, a tenth of a decision's own CPU). The library
        functions it follows are pinned by tests/unit/test_library_save_pinned.py."""
        if not all(obj is None or isinstance(obj, Aggregate) for obj in objs):
            return super().save(*objs, **kwargs)  # type: ignore[no-any-return]
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if obj is not None:
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # type: ignore[no-untyped-call]
        return recordings


class TenantApps:
    """A bounded cache of tenant applications (they are cheap: no connections of their own)."""

    def __init__(self, shared: SharedPool, max_size: int, aggregate_cache_size: int = 0,
                 route: Callable[[str], SharedPool] | None = None) -> None:
        self.shared = shared  # the home database's: personal-data keys are there
        # Which database's pool holds a tenant's log (services/store/placement.py); home if unset.
        self.route = route
        self.max_size = max_size
        self.aggregate_cache_size = aggregate_cache_size
        self._apps: OrderedDict[str, Evaluations] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, slug: str) -> Evaluations:
        shared = self.route(slug) if self.route is not None else self.shared
        with self._lock:
            app = self._apps.get(slug)
            # An application is bound to one database: after a move it is made afresh there.
            if app is not None and app.datastore_pool is shared.pool:
                self._apps.move_to_end(slug)
                return app
        app = Evaluations(SharedPoolDatastore(shared, tenant_schema(slug)), False,
                          self.aggregate_cache_size, slug, self.shared.pool)
        with self._lock:
            self._apps[slug] = app
            while len(self._apps) > self.max_size:
                self._apps.popitem(last=False)
        return app

    def forget(self) -> None:
        """Drop every cached application (and with them their cached aggregates): after an
        erasure no aggregate built with the erased key may serve another command."""
        with self._lock:
            self._apps.clear()

    def create_tables(self, slug: str, shared: SharedPool | None = None) -> None:
        """Create the tenant's event table (idempotent): when a tenant is registered, or in
        the target database of a move (``shared``)."""
        Evaluations(SharedPoolDatastore(shared or self.shared, tenant_schema(slug)), True, 0,
                    slug, self.shared.pool)
