"""Work-output commands (Decree 335/2025: giao việc, báo cáo, nghiệm thu; danh mục sản phẩm).

Imperative names, frozen values. The caller's user id (from the verified token) travels as
``by``: the use case checks it against the rule (the assignee reports, a competent leader
assigns and confirms), never trusting a client's claim about who they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.catalogue import Catalogue, CatalogueAdjustment
from domain.policy import Policy
from domain.work_item import Assignment, Quality, Timeliness


@dataclass(frozen=True)
class AssignWork:
    """Giao việc to one or several people (bulk): one item per person, all or none."""

    item_ids: tuple[UUID, ...]  # one per person, in the order of ``staff_ids``
    staff_ids: tuple[UUID, ...]
    by: str
    what: Assignment


@dataclass(frozen=True)
class _ItemStep:
    """A step on one work item, by the caller (``by``: their user id)."""

    item_id: UUID
    by: str


@dataclass(frozen=True)
class ReassignWork(_ItemStep):
    new_item_id: UUID
    to_staff: UUID
    on: date
    reasons: str
    deadline: date | None = None


@dataclass(frozen=True)
class CancelWork(_ItemStep):
    reasons: str


@dataclass(frozen=True)
class ReportWorkDone(_ItemStep):  # ``by`` must be the assignee
    quantity: float
    done_on: date
    evidence: str = ""


@dataclass(frozen=True)
class ConfirmWork(_ItemStep):  # ``by``: a competent leader, never the assignee
    quality: Quality
    timeliness: Timeliness
    quantity: float | None = None
    failed_checks: int | None = None
    delays: int | None = None
    quality_waived: bool = False
    timeliness_waived: bool = False
    waiver_reasons: str = ""
    comment: str = ""


@dataclass(frozen=True)
class EstablishCatalogue:
    """Ban hành (or revise, when one exists) the tenant's own catalogue."""

    catalogue: Catalogue
    reasons: str
    # Write nothing when these items are in force already (an import of the same sheet):
    # judged in the step that writes, so two imports of it at once make one version.
    unless_in_force: bool = False


@dataclass(frozen=True)
class InheritCatalogue:
    """Apply the province's catalogue (read by the edge from the parent tenant's log) with
    this tenant's adjustments; a new province version is followed the same way. No
    adjustment (None): keep the tenant's own, as far as the new version still allows them."""

    province_tenant: str
    province: Catalogue
    adjustment: CatalogueAdjustment | None
    reasons: str
    # Write nothing when this adjustment of this province version is in force already.
    unless_in_force: bool = False


@dataclass(frozen=True)
class InheritPolicy:
    """Apply the province's policy for ``cycle`` with the changes the province allows."""

    cycle: str
    province_tenant: str
    province: Policy
    changes: dict[str, Any] = field(default_factory=dict)
    reasons: str = ""


@dataclass(frozen=True)
class ImportedItem:
    """One item of an import: who assigned it, to whom, what (see ``AssignWork``)."""

    item_id: UUID  # from the source system's ref: the same ref is the same item
    staff_id: UUID
    assigned_by: str
    what: Assignment


@dataclass(frozen=True)
class ImportWork:
    """Items from a document/task system: all or none; items already imported are skipped."""

    items: tuple[ImportedItem, ...]
