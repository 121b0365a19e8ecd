"""Per-person keys for the write side: made on first use, kept in ``platform.personal_keys``.

The keys never enter an event table. One key per person (their staff id), whichever
tenant writes about them — a transferred person's data in both tenants goes with one
erasure. ``platform.personal_key_tenants`` records which tenants sealed data with a key,
so an erasure knows whose read models to rebuild.

Keys are cached per process (they never change; an erasure evicts its key here, and a
reader elsewhere fetches keys fresh for every batch — see storage/sealing.py).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Collection
from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import DictRow
from psycopg_pool import ConnectionPool

from domain.errors import DomainError
from services.store.dbroles import KEYS_ROLE, roles_enabled
from storage.sealing import new_key

OWNER_CACHE_SIZE = 100_000


class PersonalDataErasedError(DomainError):
    code = "PERSONAL_DATA_ERASED"


class KeyCache:
    """Process-wide: keys by person, and which (tenant, person) pairs are recorded."""

    def __init__(self) -> None:
        self.keys: dict[UUID, bytes] = {}
        self.used: set[tuple[str, UUID]] = set()
        self.lock = threading.Lock()

    def evict(self, subject: UUID) -> None:
        with self.lock:
            self.keys.pop(subject, None)
            self.used = {u for u in self.used if u[1] != subject}


CACHE = KeyCache()


class TenantKeys:
    """The ``KeyRing`` of one tenant's application (sync: it runs in the library's thread)."""

    def __init__(self, pool: ConnectionPool[Connection[DictRow]], tenant: str,
                 schema: str, table: str,
                 events_pool: ConnectionPool[Connection[DictRow]] | None = None) -> None:
        self.pool = pool  # the home database: keys
        self.events_pool = events_pool or pool  # the database holding the tenant's log
        self.tenant = tenant
        self.events = f"{schema}.{table}"
        self._owners: OrderedDict[UUID, UUID] = OrderedDict()
        self._owners_lock = threading.Lock()

    def key_to_open(self, subject: UUID) -> bytes | None:
        key = CACHE.keys.get(subject)
        if key is not None:
            return key
        with self.pool.connection() as conn:
            row = conn.execute("SELECT key FROM platform.personal_keys WHERE subject_id = %s",
                               (subject,)).fetchone()
        if row is None or row["key"] is None:
            return None
        with CACHE.lock:
            CACHE.keys[subject] = bytes(row["key"])
        return bytes(row["key"])

    def key_to_seal(self, subject: UUID) -> bytes:
        key = CACHE.keys.get(subject)
        if key is not None and (self.tenant, subject) in CACHE.used:
            return key
        with self.pool.connection() as conn, conn.transaction():
            if roles_enabled():
                # Least privilege: make a key and read it back, never change one.
                conn.execute(f"SET LOCAL ROLE {KEYS_ROLE}")
            conn.execute("INSERT INTO platform.personal_keys (subject_id, key) VALUES (%s, %s) "
                         "ON CONFLICT (subject_id) DO NOTHING", (subject, new_key()))
            conn.execute("INSERT INTO platform.personal_key_tenants (subject_id, tenant) "
                         "VALUES (%s, %s) ON CONFLICT DO NOTHING", (subject, self.tenant))
            row = conn.execute("SELECT key FROM platform.personal_keys WHERE subject_id = %s",
                               (subject,)).fetchone()
        if row is None or row["key"] is None:
            raise PersonalDataErasedError(
                "Dữ liệu cá nhân của người này đã bị xoá; không thể ghi thêm nội dung cá nhân "
                "(họ tên, lý do, ý kiến…) về họ.",
                "This person's personal data was erased; no further personal text (name, "
                "reasons, opinions…) can be recorded about them.")
        with CACHE.lock:
            CACHE.keys[subject] = bytes(row["key"])
            CACHE.used.add((self.tenant, subject))
        return bytes(row["key"])

    def prepare_to_seal(self, subjects: Collection[UUID]) -> None:
        """``key_to_seal`` for many people in one transaction (an import registers thousands
        at once: one round trip each was most of its time). An erased person's key stays
        absent, so sealing for them is refused as before."""
        wanted = [s for s in dict.fromkeys(subjects)
                  if not (s in CACHE.keys and (self.tenant, s) in CACHE.used)]
        if not wanted:
            return
        with self.pool.connection() as conn, conn.transaction():
            if roles_enabled():
                conn.execute(f"SET LOCAL ROLE {KEYS_ROLE}")
            conn.execute("INSERT INTO platform.personal_keys (subject_id, key) "
                         "SELECT * FROM unnest(%s::uuid[], %s::bytea[]) "
                         "ON CONFLICT (subject_id) DO NOTHING",
                         (wanted, [new_key() for _ in wanted]))
            conn.execute("INSERT INTO platform.personal_key_tenants (subject_id, tenant) "
                         "SELECT s, %s FROM unnest(%s::uuid[]) s ON CONFLICT DO NOTHING",
                         (self.tenant, wanted))
            rows = conn.execute("SELECT subject_id, key FROM platform.personal_keys "
                                "WHERE subject_id = ANY(%s)", (wanted,)).fetchall()
        with CACHE.lock:
            for row in rows:
                if row["key"] is not None:
                    CACHE.keys[row["subject_id"]] = bytes(row["key"])
                    CACHE.used.add((self.tenant, row["subject_id"]))

    def owner(self, aggregate_id: UUID) -> UUID | None:
        with self._owners_lock:
            known = self._owners.get(aggregate_id)
        if known is not None:
            return known
        with self.events_pool.connection() as conn:
            row = conn.execute(f"SELECT state FROM {self.events} WHERE originator_id = %s "
                               "AND originator_version = 1", (aggregate_id,)).fetchone()
        if row is None:
            return None
        staff: Any = json.loads(bytes(row["state"]))["staff_id"]
        subject = UUID(staff["_data_"] if isinstance(staff, dict) else staff)
        self.note_owner(aggregate_id, subject)
        return subject

    def note_owner(self, aggregate_id: UUID, subject: UUID) -> None:
        with self._owners_lock:
            self._owners[aggregate_id] = subject
            while len(self._owners) > OWNER_CACHE_SIZE:
                self._owners.popitem(last=False)
