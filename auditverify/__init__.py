"""Standalone verifier of a Công Tâm audit bundle — Python standard library only.

Run ``python -m auditverify BUNDLE_DIR`` (optionally ``--checkpoint POSITION:HEAD`` for a
checkpoint you obtained earlier, e.g. from a previous bundle). No database, no network, no
project install: an inspector can read these ~150 lines and trust them instead of us.

The bundle (written by ``congtam export``):

* ``events.jsonl`` — one JSON object per line, in log order: ``position``,
  ``originator_id``, ``version``, ``topic``, ``chain_hash`` (hex) and last ``state``: the
  stored event state, verbatim (UTF-8 JSON). The chain covers those exact bytes, so the
  verifier slices them out of the line rather than re-serialising the parsed object.
* ``manifest.json`` — tenant, range, ``previous_hash`` (the chain hash just before the
  first exported event), ``head``, ``events`` and the published ``checkpoints``.

Each event's chain hash is ``sha256(previous || canonical bytes)`` with canonical bytes
``position:int8 | originator_id:16 bytes | version:int8 | len(topic):int4 | topic (UTF-8) |
len(state):int4 | state`` (big-endian). The verifier recomputes the chain from the
manifest's ``previous_hash`` and checks every stored hash, the manifest's head and count,
and every checkpoint inside the range. A changed, removed, reordered or inserted event
breaks the chain at its position; a chain recomputed by whoever altered it still fails
at any checkpoint published (or held by you) from before the alteration.

Checkpoints carry the platform's Ed25519 signature over ``congtam-checkpoint/1``, tenant,
position, head, events and signing time (one per line) and the public key that made it.
Each signature is checked (auditverify/ed25519.py, standard library). Pin the keys you
trust (``--public-key``, from ``/.well-known/congtam-checkpoint-keys.json`` or an earlier
bundle): a checkpoint signed by any other key is then refused, so one rewritten together
with the log — by someone without the platform's key — cannot pass.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditverify.ed25519 import verify as signature_holds

FORMAT = "congtam-audit-bundle/1"
STATE_KEY = b',"state":'
GENESIS = "00" * 32


@dataclass
class Report:
    ok: bool = True
    events: int = 0
    head: str = GENESIS
    position: int = 0  # the first broken position, when not ok
    problems: list[str] = field(default_factory=list)
    checkpoints_checked: int = 0
    signatures_checked: int = 0

    def fail(self, position: int, problem: str) -> Report:
        if self.ok:
            self.ok, self.position = False, position
        self.problems.append(f"position {position}: {problem}")
        return self


def link(previous: bytes, position: int, originator_id: uuid.UUID, version: int,
         topic: str, state: bytes) -> bytes:
    topic_bytes = topic.encode("utf-8")
    return hashlib.sha256(
        previous + struct.pack(">q", position) + originator_id.bytes
        + struct.pack(">q", version) + struct.pack(">i", len(topic_bytes)) + topic_bytes
        + struct.pack(">i", len(state)) + state
    ).digest()


def state_bytes(line: bytes) -> bytes:
    """The exact stored state: everything between ``,"state":`` and the closing brace."""
    start = line.index(STATE_KEY) + len(STATE_KEY)
    end = line.rstrip(b"\r\n").rindex(b"}")
    return line[start:end]


def _checkpoints(manifest: dict[str, Any], held: list[tuple[int, str]]) -> dict[int, str]:
    wanted: dict[int, str] = {}
    for cp in manifest.get("checkpoints", []):
        wanted[int(cp["position"])] = str(cp["head"]).lower()
    for position, head in held:  # the auditor's own copy wins over the bundle's
        wanted[position] = head.lower()
    return wanted


SIGNED_FORMAT = "congtam-checkpoint/1"


def _signed_message(tenant: str, cp: dict[str, Any]) -> bytes:
    return "\n".join((SIGNED_FORMAT, tenant, str(int(cp["position"])), str(cp["head"]).lower(),
                      str(int(cp["events"])), str(cp["signed_at"]))).encode()


def check_signatures(report: Report, manifest: dict[str, Any], pinned: list[str]) -> None:
    """Every signed checkpoint's signature holds, under a pinned key when any are given."""
    tenant = str(manifest.get("tenant", ""))
    for cp in manifest.get("checkpoints", []):
        position = int(cp["position"])
        if not cp.get("signature"):
            if pinned:
                report.fail(position, "the checkpoint is not signed")
            continue
        try:
            key = base64.b64decode(cp["public_key"], validate=True)
            signature = base64.b64decode(cp["signature"], validate=True)
        except (binascii.Error, KeyError, TypeError):
            report.fail(position, "the checkpoint's signature or key is malformed")
            continue
        if pinned and cp["public_key"] not in pinned:
            report.fail(position, "the checkpoint is signed by a key you have not pinned")
        elif not signature_holds(key, _signed_message(tenant, cp), signature):
            report.fail(position, "the checkpoint's signature does not hold")
        else:
            report.signatures_checked += 1


def verify_bundle(bundle: Path, held: list[tuple[int, str]] | None = None,
                  pinned: list[str] | None = None) -> Report:
    report = Report()
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        return report.fail(0, f"unknown bundle format {manifest.get('format')!r}")
    check_signatures(report, manifest, pinned or [])
    previous = bytes.fromhex(manifest["previous_hash"])
    first = int(manifest["from_position"])
    until = int(manifest["until_position"])
    wanted = _checkpoints(manifest, held or [])
    seen: dict[int, str] = {}
    last = first
    with (bundle / "events.jsonl").open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            try:
                row = json.loads(raw)
                position = int(row["position"])
                expected = link(previous, position, uuid.UUID(row["originator_id"]),
                                int(row["version"]), row["topic"], state_bytes(raw))
            except (ValueError, KeyError, TypeError) as error:
                return report.fail(last + 1, f"line {number} is not a valid event ({error})")
            if position <= last or position > until:
                return report.fail(position, "event out of order or outside the range")
            if row.get("chain_hash") != expected.hex():
                return report.fail(position, "event does not match the hash chain")
            if position in wanted:
                seen[position] = expected.hex()
            previous, last = expected, position
            report.events += 1
    report.head = previous.hex()
    if report.events != int(manifest["events"]):
        report.fail(last, f"{report.events} events, manifest says {manifest['events']}")
    if report.head != manifest["head"]:
        report.fail(last, "the last event's hash is not the manifest's head")
    for position, head in sorted(wanted.items()):
        if position == first and first > 0:  # the range starts right after it
            report.checkpoints_checked += 1
            if manifest["previous_hash"] != head:
                report.fail(position, "the range does not start from the checkpoint's head")
            continue
        if position < first or position > until:
            continue  # outside this bundle: says nothing either way
        report.checkpoints_checked += 1
        if position not in seen:
            report.fail(position, "a checkpoint's event is missing from the bundle")
        elif seen[position] != head:
            report.fail(position, "the chain here is not the published checkpoint's head")
    return report
