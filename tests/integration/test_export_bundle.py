"""An exported bundle verifies with the standalone verifier; every kind of alteration fails."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from auditverify import link, state_bytes, verify_bundle
from domain.actor import Actor
from services.audit import export as export_module
from services.audit.checkpoints import publish
from services.audit.export import export
from services.platform.tenants import Tenant
from services.runtime import Runtime
from tests.support.cli import run_auditverify
from tests.support.org import Org, StaffedTenant

pytestmark = pytest.mark.integration


def _lines(bundle: Path) -> list[bytes]:
    return (bundle / "events.jsonl").read_bytes().splitlines(keepends=True)


def _write(bundle: Path, lines: list[bytes]) -> None:
    (bundle / "events.jsonl").write_bytes(b"".join(lines))


def _position(line: bytes) -> int:
    return int(json.loads(line)["position"])


def _rechain(lines: list[bytes], previous: str) -> None:
    """What a careful forger does: recompute every hash after the alteration."""
    prev = bytes.fromhex(previous)
    for i, line in enumerate(lines):
        row = json.loads(line)
        prev = link(prev, row["position"], uuid.UUID(row["originator_id"]), row["version"],
                    row["topic"], state_bytes(line))
        lines[i] = line.replace(row["chain_hash"].encode(), prev.hex().encode())


def _named_position(bundle: Path, rows: list[bytes]) -> int | None:
    """The bundle's events replaced by ``rows``: verification fails, naming this position."""
    _write(bundle, rows)
    report = verify_bundle(bundle)
    assert not report.ok
    return report.position


def _rename(line: bytes) -> bytes:
    return line.replace("Chủ tịch".encode(), "Phó Chủ tịch".encode())


@pytest.fixture
async def bundle(runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
                 org_in: Callable[..., Awaitable[Org]], tmp_path: Path) -> Path:
    tenant = await new_tenant()
    await org_in(tenant, members=3)
    await publish(runtime, tenant, Actor("ops", "platform_admin"))
    await org_in(tenant, members=2)
    async with runtime.pool.acquire() as conn:
        result = await export(conn, tenant, tmp_path / "bundle")
    assert result.events == await runtime.pool.fetchval(
        f"SELECT count(*) FROM {tenant.schema}.evaluations_events")
    return result.path


async def test_a_good_bundle_verifies_with_the_standard_library_alone(bundle: Path) -> None:
    run = await run_auditverify(bundle)
    assert run.returncode == 0, run.stderr
    assert "OK" in run.stdout
    assert "1 checkpoint(s) matched" in run.stdout


def test_a_changed_event_is_named(bundle: Path) -> None:
    rows = _lines(bundle)
    rows[2] = _rename(rows[2])
    assert _named_position(bundle, rows) == _position(rows[2])


def test_a_removed_event_is_named(bundle: Path) -> None:
    rows = _lines(bundle)
    del rows[3]
    assert _named_position(bundle, rows) == _position(rows[3])  # the one after the gap


def test_swapped_events_are_named(bundle: Path) -> None:
    rows = _lines(bundle)
    rows[2], rows[5] = rows[5], rows[2]
    assert _named_position(bundle, rows) == _position(rows[2])


def test_a_forged_event_is_named(bundle: Path) -> None:
    rows = _lines(bundle)
    last = _position(rows[-1])
    forged = rows[1].replace(f'"position":{_position(rows[1])},'.encode(),
                             f'"position":{last + 1},'.encode())
    rows.append(forged)
    assert _named_position(bundle, rows) == last + 1


def test_a_changed_manifest_head_fails(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["head"] = "ab" * 32
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert not verify_bundle(bundle).ok


def test_a_rechained_forgery_fails_at_the_published_checkpoint(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    [checkpoint] = manifest["checkpoints"]
    rows = _lines(bundle)
    rows[2] = _rename(rows[2])
    _rechain(rows, manifest["previous_hash"])
    manifest["head"] = json.loads(rows[-1])["chain_hash"]
    _write(bundle, rows)
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    report = verify_bundle(bundle)
    assert not report.ok
    assert report.position == checkpoint["position"]


async def test_a_held_checkpoint_catches_a_forger_who_also_dropped_the_published_ones(
    bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    [checkpoint] = manifest["checkpoints"]
    rows = _lines(bundle)
    rows[2] = _rename(rows[2])
    _rechain(rows, manifest["previous_hash"])
    manifest["head"], manifest["checkpoints"] = json.loads(rows[-1])["chain_hash"], []
    _write(bundle, rows)
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert verify_bundle(bundle).ok  # nothing left in the bundle to contradict it …
    held = [(checkpoint["position"], checkpoint["head"])]
    run = await run_auditverify(bundle, "--checkpoint",
                                f"{checkpoint['position']}:{checkpoint['head']}")
    assert not verify_bundle(bundle, held).ok  # … but the auditor's own copy does
    assert run.returncode == 1
    assert f"BROKEN at position {checkpoint['position']}" in run.stderr


async def test_a_range_export_verifies_from_its_previous_hash(
    runtime: Runtime, staffed_tenant: StaffedTenant, tmp_path: Path,
) -> None:
    tenant, _ = await staffed_tenant(members=4)
    async with runtime.pool.acquire() as conn:
        part = await export(conn, tenant, tmp_path / "part", from_position=5, until_position=12)
    assert part.events == 7
    assert [_position(r) for r in _lines(part.path)] == list(range(6, 13))
    assert verify_bundle(part.path).ok


async def test_an_export_in_parallel_slices_is_the_same_file_as_one_copy(
    runtime: Runtime, staffed_tenant: StaffedTenant, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant, _ = await staffed_tenant(members=6)
    monkeypatch.setattr(export_module, "PARALLEL_FROM", 1)
    async with runtime.pool.acquire() as conn:
        whole = await export(conn, tenant, tmp_path / "whole")
        sliced = await export(conn, tenant, tmp_path / "sliced", from_position=1,
                              pool=runtime.pool)
        single = await export(conn, tenant, tmp_path / "single", from_position=1)
    assert (sliced.path / "events.jsonl").read_bytes() == (
        single.path / "events.jsonl").read_bytes()
    manifest = json.loads((sliced.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["events_sha256"] == json.loads(
        (single.path / "manifest.json").read_text(encoding="utf-8"))["events_sha256"]
    assert sorted(p.name for p in sliced.path.iterdir()) == [
        "auditverify", "events.jsonl", "manifest.json"]
    assert verify_bundle(sliced.path).ok
    assert verify_bundle(whole.path).ok



async def test_an_export_copied_a_few_positions_at_a_time_is_the_same_file(
    runtime: Runtime, staffed_tenant: StaffedTenant, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant, _ = await staffed_tenant(members=3)
    async with runtime.pool.acquire() as conn:
        once = await export(conn, tenant, tmp_path / "once")
        monkeypatch.setattr(export_module, "PIECE", 3)
        monkeypatch.setattr(export_module, "PARALLEL_FROM", 1)
        copied = {name: await export(conn, tenant, tmp_path / name, pool=pool)
                  for name, pool in (("one_connection", None), ("slices", runtime.pool))}
    for bundle in copied.values():
        assert (bundle.path / "events.jsonl").read_bytes() == (
            once.path / "events.jsonl").read_bytes()
        assert verify_bundle(bundle.path).ok

def _manifest(bundle: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    return loaded


async def test_the_checkpoints_signature_is_checked_against_the_pinned_key(bundle: Path
                                                                           ) -> None:
    key = _manifest(bundle)["checkpoints"][0]["public_key"]
    run = await run_auditverify(bundle, "--public-key", key)
    assert run.returncode == 0, run.stderr
    assert "1 signature(s) valid" in run.stdout
    other = base64.b64encode(b"\x01" * 32).decode()
    report = verify_bundle(bundle, pinned=[other])
    assert not report.ok
    assert "not pinned" in report.problems[0]


def test_a_checkpoint_rewritten_in_the_bundle_fails_its_signature(bundle: Path) -> None:
    manifest = _manifest(bundle)
    manifest["checkpoints"][0]["events"] += 1
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report = verify_bundle(bundle)
    assert not report.ok
    assert "signature does not hold" in report.problems[0]


# A bundle's line as PostgreSQL formats it, written by COPY as CSV with a quote and a
# delimiter compact JSON never holds: the exported file must be these bytes exactly.
_LINE_IN_SQL = (
    "SELECT '{\"position\":' || notification_id || ',\"originator_id\":\"' || originator_id "
    "|| '\",\"version\":' || originator_version || ',\"topic\":\"' || topic "
    "|| '\",\"chain_hash\":\"' || coalesce(encode(chain_hash, 'hex'), '') "
    "|| '\",\"state\":' || convert_from(state, 'UTF8') || '}' "
    "FROM {t} ORDER BY notification_id"
)


async def test_exported_lines_are_the_lines_formatted_in_sql_byte_for_byte(
    runtime: Runtime, new_tenant: Callable[..., Awaitable[Tenant]],
    org_in: Callable[..., Awaitable[Org]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await new_tenant()
    await org_in(tenant, members=2)
    t = f"{tenant.schema}.evaluations_events"
    odd = [("t.Escaped", '{"a":"x\\"y\\\\z\\u0001 Chủ tịch"}'.encode()),
           ("t.Spaced", b'{\n  "b": 1,\r\n  "c": "\t"\n}'),
           ("t.Control", b'{"d":"\x01\x02\x01"}'),
           (None, b'{"e":1}'), ("t.NoState", None), ("t.Last", b"{}")]
    for version, (topic, state) in enumerate(odd, 1):
        await runtime.pool.execute(
            f"INSERT INTO {t} (originator_id, originator_version, topic, state) "
            "VALUES ($1, $2, $3, $4)", uuid.uuid4(), version, topic, state)
    expected = tmp_path / "expected.jsonl"
    await runtime.pool.copy_from_query(_LINE_IN_SQL.replace("{t}", t), output=expected,
                                       format="csv", delimiter="\x02", quote="\x01")
    async with runtime.pool.acquire() as conn:
        once = await export(conn, tenant, tmp_path / "once")
        monkeypatch.setattr(export_module, "PIECE", 3)
        monkeypatch.setattr(export_module, "PARALLEL_FROM", 1)
        sliced = await export(conn, tenant, tmp_path / "sliced", pool=runtime.pool)
        # Blocks of two positions over the whole range: the odd lines fall in a later block.
        monkeypatch.setattr(export_module, "PIECE", 10**6)
        monkeypatch.setattr(export_module, "BLOCK", 2)
        blocks = await export(conn, tenant, tmp_path / "blocks")
        sliced_blocks = await export(conn, tenant, tmp_path / "sliced_blocks", pool=runtime.pool)
    for bundle in (once, sliced, blocks, sliced_blocks):
        assert (bundle.path / "events.jsonl").read_bytes() == expected.read_bytes()
