"""Audit bundles: a tenant's events as JSON Lines, a manifest, and the standalone verifier.

The events are formatted by PostgreSQL and streamed with COPY straight into the file
(no per-row Python), which is what makes an export run at the speed of the disk; the
file's SHA-256 is taken from the same chunks as they are written. Given the pool, a long
range is cut into slices of at most ``PIECE`` positions, ``RANGES`` copied at once on as
many connections (the rows up to the head are append-only, so every slice sees the same
rows whatever its snapshot): the first streams into the file, the others into parts
appended in order as they finish. No COPY covers more than ``PIECE`` positions, so none
outlasts the statement timeout whatever the log's length.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any, BinaryIO

import anyio
import asyncpg

from services.audit.checkpoints import checkpoints
from services.platform.tenants import Tenant
from services.store.integrity import GENESIS, pieces
from storage.db import DbConn, index_order

FORMAT = "congtam-audit-bundle/1"
EVENTS_TABLE = "evaluations_events"
PARALLEL_FROM = 50_000  # events: below this, one COPY is as fast as several
RANGES = 4
PIECE = 50_000  # positions one COPY covers at most

# The stored state (UTF-8 JSON, exactly the bytes the chain covers) goes last and verbatim,
# so a reader sees the event as JSON and the verifier slices the exact bytes back out.
_LINE = (
    "SELECT '{\"position\":' || notification_id || ',\"originator_id\":\"' || originator_id "
    "|| '\",\"version\":' || originator_version || ',\"topic\":\"' || topic "
    "|| '\",\"chain_hash\":\"' || coalesce(encode(chain_hash, 'hex'), '') "
    "|| '\",\"state\":' || convert_from(state, 'UTF8') || '}' "
    "FROM {t} WHERE notification_id > $1 AND notification_id <= $2 ORDER BY notification_id"
)


@dataclass(frozen=True)
class Bundle:
    path: Path
    events: int
    from_position: int
    until_position: int
    head: str


async def export(conn: DbConn, tenant: Tenant, out: Path, *, from_position: int = 0,
                 until_position: int | None = None, pool: asyncpg.Pool | None = None) -> Bundle:
    """Write ``out/`` with events.jsonl, manifest.json and the verifier (auditverify/).

    With ``pool``, a long range is copied as parallel slices (see the module docstring)."""
    t = f"{tenant.schema}.{EVENTS_TABLE}"
    await anyio.to_thread.run_sync(lambda: out.mkdir(parents=True, exist_ok=True))
    events_path = out / "events.jsonl"
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        head_position = int(await conn.fetchval(
            f"SELECT coalesce(max(notification_id), 0) FROM {t}"))
        until = min(until_position if until_position is not None else head_position,
                    head_position)
        previous = await conn.fetchval(
            f"SELECT chain_hash FROM {t} WHERE notification_id <= $1 "
            "ORDER BY notification_id DESC LIMIT 1", from_position)
        summary = await conn.fetchrow(
            f"SELECT count(*) AS n, max(notification_id) AS last FROM {t} "
            "WHERE notification_id > $1 AND notification_id <= $2", from_position, until)
        assert summary is not None  # an aggregate always returns a row
        head = await conn.fetchval(f"SELECT chain_hash FROM {t} WHERE notification_id = $1",
                                   summary["last"] or -1)
        events = _HashedFile(await anyio.to_thread.run_sync(events_path.open, "wb"))
        try:
            if pool is None or until - from_position < PARALLEL_FROM:
                for lo, hi in pieces(from_position, until, 1, PIECE):
                    await _copy(conn, t, lo, hi, events)
            else:
                await _copy_in_slices(pool, t, pieces(from_position, until, RANGES, PIECE),
                                      events, events_path)
        finally:
            await anyio.to_thread.run_sync(events.file.close)
        published = await checkpoints(conn, tenant.slug, until=until)
    previous_hex = bytes(previous).hex() if previous is not None else GENESIS.hex()
    head_hex = bytes(head).hex() if head is not None else previous_hex
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "tenant": tenant.slug,
        "tenant_name": tenant.name,
        "exported_at": datetime.now(UTC).isoformat(),
        "from_position": from_position,
        "until_position": until,
        "previous_hash": previous_hex,
        "head": head_hex,
        "events": int(summary["n"]),
        "events_sha256": events.digest.hexdigest(),
        "checkpoints": [c.as_json() for c in reversed(published)],
        "verify": "python -m auditverify .",
    }
    await anyio.to_thread.run_sync(_finish, out, manifest)
    return Bundle(out, manifest["events"], from_position, until, head_hex)


class _HashedFile:
    """The events file, written in order while its SHA-256 is taken: a COPY sink whose
    chunks are hashed and written in a worker thread (both let go of the GIL)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.digest = file, hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.file.write(chunk)

    async def __call__(self, chunk: bytes) -> None:
        await anyio.to_thread.run_sync(self.write, chunk)

    def append(self, part: Path) -> None:
        with part.open("rb") as f:
            while chunk := f.read(1 << 22):
                self.write(chunk)
        part.unlink()


async def _copy(conn: Any, t: str, lo: int, hi: int, output: Path | _HashedFile) -> None:
    # CSV with a quote and a delimiter that compact JSON never holds (control characters
    # are always escaped in JSON): COPY writes every line as is, with no escaping at all.
    async with index_order(conn):
        await conn.copy_from_query(_LINE.replace("{t}", t), lo, hi, output=output,
                                   format="csv", delimiter="\x02", quote="\x01")


async def _copy_in_slices(pool: asyncpg.Pool, t: str, slices: list[tuple[int, int]],
                          out: _HashedFile, path: Path) -> None:
    """``slices`` copied ``RANGES`` at a time: the first into ``out``, the others into
    parts, each appended to ``out`` once it and the slices before it are done."""
    parts = [path.with_name(f"{path.name}.part{i}") for i in range(len(slices))]
    copied = [anyio.Event() for _ in slices]
    at_once = anyio.Semaphore(RANGES)

    async def one(i: int) -> None:
        async with at_once, pool.acquire() as conn:
            await _copy(conn, t, *slices[i], out if i == 0 else parts[i])
        copied[i].set()
    try:
        async with anyio.create_task_group() as tg:
            for i in range(len(slices)):
                tg.start_soon(one, i)
            await copied[0].wait()
            for i in range(1, len(slices)):
                await copied[i].wait()
                await anyio.to_thread.run_sync(out.append, parts[i])
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


def _finish(out: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest and put the verifier's source beside the data (short enough to
    read before running it)."""
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
    spec = find_spec("auditverify")
    assert spec is not None
    assert spec.origin is not None
    source = Path(spec.origin).parent
    target = out / "auditverify"
    target.mkdir(exist_ok=True)
    for name in ("__init__.py", "__main__.py", "ed25519.py"):
        shutil.copyfile(source / name, target / name)
