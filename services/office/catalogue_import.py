"""From an uploaded catalogue sheet to one catalogue version (issue 20, Decree 335/2025).

Shared by the HTTP upload, the web import page and ``congtam import catalogue``. The sheet is
the whole catalogue the tenant wants in force, and it goes through the use case of its kind
of change — nothing else writes a catalogue:

- a tenant with its own catalogue (or none, and no province's to apply) establishes it or a
  new version of it (``TenantService.establish_catalogue``);
- a tenant under a province that has a catalogue applies the province's with the sheet as its
  adjustments — the items that differ from the province's or are new, the province's items it
  leaves out as removed (``TenantService.inherit_catalogue``). Whatever the province locks is
  refused, ``LOCKED_BY_PROVINCE``, nothing written — at preview as at commit, by the same
  domain rule (``domain.inheritance.merge_catalogue``).

Re-importing the same sheet writes nothing: when its items (or, under a province, its
adjustments on the same province version) are those in force, no version is made. The plan
reads the aggregate from the log, not a read model, and the commit's use case judges it again
in the step that writes (``unless_in_force``), so the same sheet committed twice at the same
instant still makes one version; two different sheets are ordered by the use case's own
version check.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import anyio

from domain.actor import Actor, acting_as
from domain.catalogue import Catalogue
from domain.inheritance import merge_catalogue
from domain.work_catalogue import INHERITED, WorkCatalogue
from services.app.handlers import TenantService
from services.app.work_commands import EstablishCatalogue, InheritCatalogue
from services.imports import (
    CatalogueRow,
    RowProblem,
    adjustment_for,
    catalogue_of,
    parse_catalogue,
    upload_answer,
)
from services.platform.tenants import Tenant
from services.runtime import Runtime

REASONS = "Ban hành theo bảng tính danh mục sản phẩm (nhập tệp, SHA-256 {digest})"


@dataclass(frozen=True)
class CatalogueOutcome:
    position: int  # the log position of the new version; 0 when nothing was written
    items: int
    new_version: bool  # a version is (or, for a preview, would be) made
    inherited: bool  # the province's catalogue with this tenant's adjustments
    version: str  # the version in force afterwards (for a preview: now)

    @property
    def writes_nothing(self) -> bool:
        return not self.new_version


@dataclass(frozen=True)
class CatalogueReport:
    """What an upload did or would do: the problems (then nothing is written), or the plan."""

    problems: tuple[RowProblem, ...]
    outcome: CatalogueOutcome | None
    rows: int

    def as_json(self) -> dict[str, object]:
        plan = self.outcome
        return upload_answer(self.problems, self.rows, None if plan is None else {
            "items": plan.items, "newVersion": plan.new_version, "inherited": plan.inherited,
            "version": plan.version, "writesNothing": plan.writes_nothing},
            0 if plan is None else plan.position)


@dataclass(frozen=True)
class _Province:
    slug: str
    catalogue: Catalogue


async def import_catalogue_file(rt: Runtime, tenant: Tenant, data: bytes, actor: Actor, *,
                                commit: bool) -> CatalogueReport:
    """Validate ``data`` and plan (``commit=False``) or write (``commit=True``) it: one
    catalogue version or nothing. Raises ``ImportRefusedError`` for a file refused as a
    whole, ``LOCKED_BY_PROVINCE`` / ``INVALID_CATALOGUE`` for a catalogue the rules refuse."""
    parsed = await anyio.to_thread.run_sync(parse_catalogue, data)
    if parsed.problems:
        return CatalogueReport(parsed.problems, None, len(parsed.preview))
    province = await _province(rt, tenant)
    reasons = REASONS.format(digest=hashlib.sha256(data).hexdigest()[:16])
    service = rt.service(tenant)

    def call() -> CatalogueOutcome:
        with acting_as(actor):  # the version says who imported it
            return _apply(service, parsed.rows, province, reasons, commit)

    outcome = await anyio.to_thread.run_sync(call)
    if outcome.position:
        await rt.written(tenant)
    return CatalogueReport((), outcome, len(parsed.rows))


async def _province(rt: Runtime, tenant: Tenant) -> _Province | None:
    """The province above whose catalogue this tenant would apply; None when there is no
    province above, or it has set no catalogue."""
    found = await rt.registry.province_above(tenant)
    if found is None:
        return None
    theirs = await anyio.to_thread.run_sync(rt.service(found).work_catalogue)
    return None if theirs is None else _Province(found.slug, theirs.catalogue)


def _apply(service: TenantService, rows: tuple[CatalogueRow, ...],
           province: _Province | None, reasons: str, commit: bool) -> CatalogueOutcome:
    current: WorkCatalogue | None = service.work_catalogue()
    inherit = province is not None and (current is None or current.source == INHERITED)
    if inherit and province is not None:
        adjustment = adjustment_for(rows, province.catalogue,
                                    current.adjustment if current is not None else None)
        merged = merge_catalogue(province.catalogue, adjustment, "draft")  # refuses locks
        if current is not None and current.follows(province.catalogue, adjustment):
            return _outcome(0, len(merged.items), False, True, current)
        if not commit:
            return _outcome(0, len(merged.items), True, True, current)
        position = service.inherit_catalogue(InheritCatalogue(
            province.slug, province.catalogue, adjustment, reasons, unless_in_force=True))
        return _outcome(position, len(merged.items), position > 0, True,
                        service.work_catalogue())
    wanted = catalogue_of(rows, current.catalogue if current is not None else None)
    wanted.validated()  # refuses at preview what the version would refuse
    if current is not None and current.holds(wanted):
        return _outcome(0, len(rows), False, False, current)
    if not commit:
        return _outcome(0, len(rows), True, False, current)
    position = service.establish_catalogue(EstablishCatalogue(wanted, reasons,
                                                              unless_in_force=True))
    return _outcome(position, len(rows), position > 0, False, service.work_catalogue())


def _outcome(position: int, items: int, new: bool, inherited: bool,
             now: WorkCatalogue | None) -> CatalogueOutcome:
    return CatalogueOutcome(position, items, new, inherited,
                            now.catalogue_version if now is not None else "")
