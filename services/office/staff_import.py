"""From an uploaded staff or units file to one atomic import (issue 20).

Shared by the HTTP upload (preview, commit) and ``congtam import``. The steps:

1. read the tenant's units and people from the read models (names → ids, for matching
   people registered by hand to the sheet's natural key — services/imports/README.md);
2. parse and validate every row (``services.imports``); any problem → nothing written,
   every problem returned;
3. hand the rows to ``TenantService.import_staff`` (services/app/staff_import.py), which
   plans against the log itself and appends everything in one transaction — or, for a
   preview, only plans.

A caller whose grant is narrowed to some units sees only those: a row naming another unit
is ``UNKNOWN_UNIT``, exactly as a unit that does not exist.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

import anyio

from domain.actor import Actor, acting_as
from domain.ids import StaffId, UnitId
from services.app.commands import RegisterStaff, RegisterUnit
from services.app.handlers import TenantService
from services.app.staff_import import ImportOutcome, ImportStaff
from services.imports import (
    ExistingStaff,
    RowProblem,
    StaffRow,
    parse_staff,
    parse_units,
    plan_staff,
    staff_key,
    unit_key,
    upload_answer,
)
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.store.dbroles import reading_as


@dataclass(frozen=True)
class ImportReport:
    """What an upload did or would do: the problems (then nothing is written), or the plan."""

    problems: tuple[RowProblem, ...]
    outcome: ImportOutcome | None
    rows: int
    possible_transfers: tuple[tuple[int, str], ...] = ()  # (row, existing person's unit)

    def as_json(self) -> dict[str, object]:
        plan = self.outcome
        return upload_answer(self.problems, self.rows, None if plan is None else {
            "unitsRegistered": plan.units_registered, "register": plan.registered,
            "update": plan.updated, "transfer": plan.transferred,
            "unchanged": plan.unchanged, "events": plan.events,
            "writesNothing": plan.writes_nothing}, 0 if plan is None else plan.position) | {
            "possibleTransfers": [{"row": r, "unit": u} for r, u in self.possible_transfers]}


def plain(value: UUID) -> UUID:
    """asyncpg's UUID as the standard library's (the event store encodes only that type)."""
    return UUID(bytes=value.bytes)


@dataclass(frozen=True)
class Known:
    units: dict[str, UnitId]  # name → id, in the caller's scope
    staff: list[ExistingStaff]  # in the caller's scope
    elsewhere: frozenset[UUID]  # people of the tenant outside the caller's scope


async def known(rt: Runtime, tenant: Tenant, scope: Collection[UUID] | None) -> Known:
    s = tenant.schema
    async with rt.pool_of(tenant).acquire() as conn, reading_as(conn, s):
        units = await conn.fetch(f"SELECT unit_id, name FROM {s}.rm_units")
        people = await conn.fetch(
            f"SELECT p.staff_id, p.full_name, p.staff_type, p.position_title, p.unit_id, "
            f"p.party_member, u.name AS unit_name FROM {s}.rm_staff p "
            f"JOIN {s}.rm_units u USING (unit_id)")

    def visible(unit: UUID) -> bool:
        return scope is None or unit in scope

    return Known(
        {r["name"]: UnitId(plain(r["unit_id"])) for r in units if visible(r["unit_id"])},
        [ExistingStaff(StaffId(plain(r["staff_id"])), r["full_name"], r["staff_type"],
                       r["position_title"], UnitId(plain(r["unit_id"])), r["unit_name"],
                       r["party_member"]) for r in people if visible(r["unit_id"])],
        frozenset(plain(r["staff_id"]) for r in people if not visible(r["unit_id"])))


def _commands(rows: tuple[StaffRow, ...], found: Known) -> tuple[list[RegisterStaff],
                                                                  list[RowProblem]]:
    """Each row as a command, under the id of the person it names: the import's own id, or
    the id of someone registered by hand with the same natural key."""
    by_key = {staff_key(e.full_name, e.unit_name): e.staff_id for e in found.staff}
    ids = {e.staff_id for e in found.staff}
    out: list[RegisterStaff] = []
    problems: list[RowProblem] = []
    for r in rows:
        staff_id = r.staff_id if r.staff_id in ids else by_key.get(r.key, r.staff_id)
        if staff_id in found.elsewhere:
            problems.append(RowProblem(r.row, "Mã cán bộ", "Staff code", "CODE_IN_USE",
                                       "mã cán bộ này đã dùng cho người khác.",
                                       "this staff code is already used for someone else."))
            continue
        out.append(RegisterStaff(staff_id, r.full_name, str(r.staff_type), r.position,
                                 r.unit_id, r.party_member, r.peer_group, r.party_cell,
                                 r.start_date))
    return out, problems


async def _run(rt: Runtime, tenant: Tenant, cmd: ImportStaff, actor: Actor) -> ImportOutcome:
    def call() -> ImportOutcome:
        with acting_as(actor):  # every event says who imported it
            return TenantService(rt.apps.get(tenant.slug)).import_staff(cmd)

    outcome = await anyio.to_thread.run_sync(call)
    if outcome.position:
        await rt.written(tenant)
    return outcome


async def import_staff_file(rt: Runtime, tenant: Tenant, data: bytes, actor: Actor, *,
                            commit: bool, scope: Collection[UUID] | None = None
                            ) -> ImportReport:
    """Validate ``data`` and plan (``commit=False``) or write (``commit=True``) it, all rows
    or none. Raises ``ImportRefusedError`` for a file refused as a whole."""
    found = await known(rt, tenant, scope)
    parsed = await anyio.to_thread.run_sync(parse_staff, data, tenant.slug, found.units)
    if parsed.problems:
        return ImportReport(parsed.problems, None, len(parsed.preview))
    commands, problems = _commands(parsed.rows, found)
    if problems:
        return ImportReport(tuple(problems), None, len(parsed.rows))
    plan = plan_staff(parsed.rows, found.staff)
    hints = tuple((row.row, other.unit_name) for row, other in plan.possible_transfers)
    cmd = ImportStaff(staff=tuple(commands), dry_run=not commit)
    outcome = await _run(rt, tenant, cmd, actor)
    return ImportReport((), outcome, len(parsed.rows), hints)


async def import_units_file(rt: Runtime, tenant: Tenant, data: bytes, actor: Actor, *,
                            commit: bool) -> ImportReport:
    """The units sheet (whole tenant only): parents first, all or none."""
    found = await known(rt, tenant, None)
    parsed = await anyio.to_thread.run_sync(parse_units, data, tenant.slug, found.units)
    if parsed.problems:
        return ImportReport(parsed.problems, None, len(parsed.preview))
    # A unit already there (by name, however it was registered) keeps its id; so does a
    # parent named in the file that already exists.
    there = {unit_key(name): unit_id for name, unit_id in found.units.items()}
    cmd = ImportStaff(units=tuple(
        RegisterUnit(u.unit_id, u.name, u.kind,
                     there.get(unit_key(u.parent_name), u.parent_id) if u.parent_name else None)
        for u in parsed.rows if u.key not in there), dry_run=not commit)
    outcome = await _run(rt, tenant, cmd, actor)
    return ImportReport((), outcome, len(parsed.rows))
