"""Audit bundles: a tenant's events as JSON Lines, a manifest, and the standalone verifier.

The events are formatted by PostgreSQL and streamed with COPY straight into the file
(no per-row Python), which is what makes an export run at the speed of the disk; the
file's SHA-256 is taken from the same bytes as they are written. PostgreSQL joins the
lines of ``BLOCK`` positions into one value, copied in binary: one message per block
instead of one per line, and no CSV scan of every byte. The file is what a CSV COPY of
one line per row writes (the format bundles have always had): a block holding a line that
CSV would have quoted (a topic or state with a line break, a carriage return or the COPY's
quote or delimiter character) is seen on the client, and the range from that block on is
copied as CSV, one line per row. Given the pool, a long range is cut into slices of at
most ``PIECE`` positions, ``RANGES`` copied at once on as many connections (the rows up
to the head are append-only, so every slice sees the same rows whatever its snapshot):
the first streams into the file, the others into parts appended in order as they finish
(hashed from the page cache, copied by the kernel). No COPY covers more than ``PIECE``
positions, so none outlasts the statement timeout whatever the log's length.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import anyio
import asyncpg

from services.audit.checkpoints import checkpoints
from services.platform.tenants import Tenant
from services.store.integrity import GENESIS, pieces
from storage.db import DbConn, index_order, past_copy_header

FORMAT = "congtam-audit-bundle/1"
EVENTS_TABLE = "evaluations_events"
PARALLEL_FROM = 50_000  # events: below this, one COPY is as fast as several
RANGES = 4
PIECE = 50_000  # positions one COPY covers at most
BLOCK = 64  # positions whose lines PostgreSQL sends as one value (~45 kB)
FLUSH = 1 << 22  # bytes gathered before they are written (and hashed) in a worker thread

# The stored state (UTF-8 JSON, exactly the bytes the chain covers) goes last and verbatim,
# so a reader sees the event as JSON and the verifier slices the exact bytes back out.
_LINE = (
    "'{\"position\":' || notification_id || ',\"originator_id\":\"' || originator_id "
    "|| '\",\"version\":' || originator_version || ',\"topic\":\"' || topic "
    "|| '\",\"chain_hash\":\"' || coalesce(encode(chain_hash, 'hex'), '') "
    "|| '\",\"state\":' || convert_from(state, 'UTF8') || '}'"
)
# Each block of (lo, hi] in order: its row count and its lines, each ended by a line break
# (a null line empty, as CSV writes it), joined in position order down the index.
_BLOCKS = (
    "SELECT n, lines FROM (SELECT b FROM generate_series($1::bigint, $2 - 1, {block}) b "
    "ORDER BY b) blocks, LATERAL (SELECT count(*) AS n, "
    f"string_agg(coalesce({_LINE}, ''), E'\\n' ORDER BY notification_id) || E'\\n' AS lines "
    "FROM {t} WHERE notification_id > b AND notification_id <= least(b + {block}, $2)) block "
    "ORDER BY b"
)
_LINES = (f"SELECT {_LINE} FROM {{t}} WHERE notification_id > $1 AND notification_id <= $2 "
          "ORDER BY notification_id")
# CSV with a quote and a delimiter that compact JSON never holds (control characters are
# always escaped in JSON): COPY writes such a line as is, and quotes a line holding one of
# them, a line break or a carriage return.
_QUOTE, _DELIMITER = "\x01", "\x02"
_QUOTED = (_QUOTE.encode(), _DELIMITER.encode(), b"\r")
_ROW = struct.Struct("!hiqi")  # fields, the count's length, the count, the lines' length


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
        events = _File(await anyio.to_thread.run_sync(_create, events_path), hashlib.sha256())
        try:
            if pool is None or until - from_position < PARALLEL_FROM:
                for lo, hi in pieces(from_position, until, 1, PIECE):
                    await _copy(conn, t, lo, hi, events)
            else:
                await _copy_in_slices(pool, t, pieces(from_position, until, RANGES, PIECE),
                                      events, events_path)
        finally:
            await anyio.to_thread.run_sync(os.close, events.fd)
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
        "events_sha256": events.hexdigest(),
        "checkpoints": [c.as_json() for c in reversed(published)],
        "verify": "python -m auditverify .",
    }
    await anyio.to_thread.run_sync(_finish, out, manifest)
    return Bundle(out, manifest["events"], from_position, until, head_hex)


def _create(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)


class _File:
    """A file written in order, ``FLUSH`` bytes or more at a time in a worker thread, its
    SHA-256 taken there from the same bytes when given ``digest`` (both let go of the GIL).
    Called with a COPY's chunks or a block's lines."""

    def __init__(self, fd: int, digest: Any = None) -> None:
        self.fd, self.digest = fd, digest
        self.held: list[bytes | memoryview] = []
        self.size = 0

    async def __call__(self, data: bytes | memoryview) -> None:
        self.held.append(data)
        self.size += len(data)
        if self.size >= FLUSH:
            await self.flush()

    async def flush(self) -> None:
        if self.held:
            held, self.held, self.size = self.held, [], 0
            await anyio.to_thread.run_sync(self._write, held)

    def _write(self, held: list[bytes | memoryview]) -> None:
        if self.digest is not None:
            for data in held:
                self.digest.update(data)
        _write_all(self.fd, held)

    def hexdigest(self) -> str:
        assert self.digest is not None
        return str(self.digest.hexdigest())

    def append(self, part: Path) -> None:
        """``part`` (written in full) hashed from the page cache and copied onto the end of
        the file by the kernel."""
        fd = os.open(part, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            if size:
                with mmap.mmap(fd, size, prot=mmap.PROT_READ) as mapped:
                    if self.digest is not None:
                        self.digest.update(mapped)
                    done = 0
                    # Linux only; elsewhere, or between these two files, written from the map.
                    in_kernel = getattr(os, "copy_file_range", None)
                    try:
                        while in_kernel and done < size and (
                                n := in_kernel(fd, self.fd, size - done, done)):
                            done += n
                    except OSError:
                        pass
                    with memoryview(mapped) as view:
                        _write_all(self.fd, [view[done:]])
        finally:
            os.close(fd)
        part.unlink()


_IOV_MAX = 1024  # buffers one writev takes (POSIX allows no fewer than 16; Linux 1024)


def _write_all(fd: int, buffers: list[bytes | memoryview]) -> None:
    """``buffers`` written in order: gathered by writev, resumed after a short write."""
    views = [memoryview(b) for b in buffers]
    while views:
        written = os.writev(fd, views[:_IOV_MAX])
        done = 0
        while done < len(views) and written >= len(views[done]):
            written -= len(views[done])
            done += 1
        del views[:done]
        if written:
            views[0] = views[0][written:]


class _Blocks:
    """A COPY sink for ``_BLOCKS`` in binary: each block's lines go on to ``out``, until a
    block holds a line CSV would have quoted; from that block (``odd``, counted from the
    range's start) on, nothing more goes to ``out``."""

    def __init__(self, out: _File) -> None:
        self.out = out
        self.header = True
        self.rest = b""  # a row begun in one chunk, ended in the next
        self.blocks = 0
        self.odd: int | None = None

    async def __call__(self, chunk: bytes) -> None:
        if self.rest:
            chunk, self.rest = self.rest + chunk, b""
        pos, end = 0, len(chunk)
        if self.header:
            pos = past_copy_header(chunk)
            if pos < 0:
                self.rest = chunk
                return
            self.header = False
        while end - pos >= 2:
            if chunk[pos:pos + 2] == b"\xff\xff":  # the trailer
                pos = end
                break
            if end - pos < _ROW.size:
                break
            _fields, _eight, rows, size = _ROW.unpack_from(chunk, pos)
            start = pos + _ROW.size
            stop = start + max(size, 0)
            if stop > end:
                break
            if size > 0 and self.odd is None:
                if _plain(chunk, start, stop, rows):
                    await self.out(memoryview(chunk)[start:stop])
                else:
                    self.odd = self.blocks
            self.blocks += 1
            pos = stop
        self.rest = chunk[pos:]


def _plain(chunk: bytes, start: int, stop: int, rows: int) -> bool:
    """Whether the block's lines, ``chunk[start:stop]``, are what CSV writes unquoted: no
    quote, delimiter or carriage return, and a line break only at each line's end."""
    return (all(chunk.find(c, start, stop) < 0 for c in _QUOTED)
            and chunk.count(b"\n", start, stop) == rows)


async def _copy(conn: Any, t: str, lo: int, hi: int, out: _File) -> None:
    """(``lo``, ``hi``] into ``out`` in blocks; from a block with a line CSV would have
    quoted, one line per row, as CSV."""
    async with index_order(conn):
        blocks = _Blocks(out)
        await conn.copy_from_query(_BLOCKS.replace("{t}", t).replace("{block}", str(BLOCK)),
                                   lo, hi, output=blocks, format="binary")
        if blocks.odd is not None:
            await conn.copy_from_query(_LINES.replace("{t}", t), lo + blocks.odd * BLOCK, hi,
                                       output=out, format="csv", delimiter=_DELIMITER,
                                       quote=_QUOTE)
    await out.flush()


async def _copy_in_slices(pool: asyncpg.Pool, t: str, slices: list[tuple[int, int]],
                          out: _File, path: Path) -> None:
    """``slices`` copied ``RANGES`` at a time: the first into ``out``, the others into
    parts, each appended to ``out`` once it and the slices before it are done."""
    parts = [path.with_name(f"{path.name}.part{i}") for i in range(len(slices))]
    copied = [anyio.Event() for _ in slices]
    at_once = anyio.Semaphore(RANGES)

    async def one(i: int) -> None:
        async with at_once, pool.acquire() as conn:
            if i == 0:
                await _copy(conn, t, *slices[i], out)
            else:
                part = _File(await anyio.to_thread.run_sync(_create, parts[i]))
                try:
                    await _copy(conn, t, *slices[i], part)
                finally:
                    await anyio.to_thread.run_sync(os.close, part.fd)
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
