"""The catalogue of outputs a tenant uses, as versioned events (danh mục sản phẩm theo vị trí).

Like ``TenantPolicy``: every event carries the *whole* catalogue of the new version, so an
assignment that recorded version 3 is explained by version 3 for ever. A tenant either keeps
its own catalogue (a province, or a tenant outside any province's scheme) or inherits its
province's, keeping its own adjustments beside it so that a new province version can be
followed without retyping them (``domain.inheritance``: locked changes are refused, and
dropped when a new province version locks them).
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.actor import TenantAggregate
from domain.catalogue import Catalogue, CatalogueAdjustment
from domain.errors import ReasonsRequiredError
from domain.inheritance import merge_catalogue, without_locked
from domain.work_errors import InvalidCatalogueError

OWN = "own"
INHERITED = "inherited"


def work_catalogue_id() -> UUID:
    """One catalogue aggregate inside each tenant's own log."""
    return uuid5(NAMESPACE_URL, "urn:congtam:work-catalogue")


def _require_reasons(reasons: str) -> None:
    if not reasons.strip():
        raise ReasonsRequiredError("Cần nêu căn cứ/lý do ban hành hoặc điều chỉnh danh mục.",
                                   "A catalogue version needs its basis or reasons.")


class WorkCatalogue(TenantAggregate):
    """The tenant's catalogue of outputs per job position, one version per change."""

    @event("Established")
    def __init__(self, id: UUID, source: str, catalogue: dict[str, Any],
                 adjustment: dict[str, Any], province_tenant: str, reasons: str) -> None:
        self.source = source
        self.catalogue_state = catalogue
        self.adjustment_state = adjustment
        self.province_tenant = province_tenant
        self.revision = 1

    @property
    def catalogue(self) -> Catalogue:
        return Catalogue.from_state(self.catalogue_state)

    @property
    def adjustment(self) -> CatalogueAdjustment:
        return CatalogueAdjustment.from_state(self.adjustment_state)

    @property
    def catalogue_version(self) -> str:
        """The version assignments record (not the aggregate's event count)."""
        return str(self.catalogue_state["version"])

    def holds(self, catalogue: Catalogue) -> bool:
        """These outputs, in this order, are the ones in force (a new version of them would
        change nothing)."""
        return self.catalogue.items == catalogue.items

    def follows(self, province: Catalogue, adjustment: CatalogueAdjustment | None) -> bool:
        """This tenant applies ``province``'s version with exactly ``adjustment``."""
        return (self.source == INHERITED and self.adjustment == adjustment
                and self.catalogue.province_version == province.version)

    @classmethod
    def establish(cls, catalogue: Catalogue, reasons: str) -> WorkCatalogue:
        """Ban hành danh mục: a tenant's (or a province's) own catalogue, version 1."""
        _require_reasons(reasons)
        own = Catalogue.from_state({**catalogue.to_state(), "version": "catalogue/1",
                                    "province_version": ""}).validated()
        return cls(id=work_catalogue_id(), source=OWN, catalogue=own.to_state(),
                   adjustment=CatalogueAdjustment().to_state(), province_tenant="",
                   reasons=reasons)

    @classmethod
    def inherit(cls, province_tenant: str, province: Catalogue,
                adjustment: CatalogueAdjustment, reasons: str) -> WorkCatalogue:
        """Áp dụng danh mục của tỉnh: the province's version with this tenant's allowed
        adjustments (none is fine)."""
        _require_reasons(reasons)
        merged = merge_catalogue(province, adjustment,
                                 f"catalogue/1 ({province_tenant} {province.version})")
        return cls(id=work_catalogue_id(), source=INHERITED, catalogue=merged.to_state(),
                   adjustment=adjustment.to_state(), province_tenant=province_tenant,
                   reasons=reasons)

    def revise(self, catalogue: Catalogue, reasons: str) -> Catalogue:
        """A new version of an own catalogue (items, ranges, what children may change)."""
        _require_reasons(reasons)
        if self.source != OWN:
            raise InvalidCatalogueError(
                "Danh mục áp dụng từ tỉnh chỉ được điều chỉnh trong phạm vi tỉnh cho phép.",
                "An inherited catalogue is changed by adjusting it within what the province "
                "allows.")
        revision = self.revision + 1
        new = Catalogue.from_state({**catalogue.to_state(), "version": f"catalogue/{revision}",
                                    "province_version": ""}).validated()
        self._revised(new.to_state(), reasons)
        return new

    @event("Revised")
    def _revised(self, catalogue: dict[str, Any], reasons: str) -> None:
        self.catalogue_state = catalogue
        self.revision += 1

    def adjust(self, province: Catalogue, adjustment: CatalogueAdjustment,
               reasons: str) -> Catalogue:
        """A new version of an inherited catalogue with other adjustments; anything the
        province locks is refused (LOCKED_BY_PROVINCE), nothing written."""
        _require_reasons(reasons)
        if self.source != INHERITED:
            raise InvalidCatalogueError("Danh mục riêng được sửa bằng ban hành phiên bản mới.",
                                        "An own catalogue is changed by revising it.")
        merged = merge_catalogue(province, adjustment, self._next_version(province))
        self._adjusted(merged.to_state(), adjustment.to_state(), [], reasons)
        return merged

    def follow_province(self, province: Catalogue, reasons: str) -> list[str]:
        """The province published a new version: rebuild on it, keeping this tenant's
        adjustments the new version still allows; returns (and records) those dropped."""
        _require_reasons(reasons)
        kept, dropped = without_locked(province, self.adjustment)
        merged = merge_catalogue(province, kept, self._next_version(province))
        self._adjusted(merged.to_state(), kept.to_state(), dropped, reasons)
        return dropped

    def _next_version(self, province: Catalogue) -> str:
        return f"catalogue/{self.revision + 1} ({self.province_tenant} {province.version})"

    @event("Adjusted")
    def _adjusted(self, catalogue: dict[str, Any], adjustment: dict[str, Any],
                  dropped: list[str], reasons: str) -> None:
        self.catalogue_state = catalogue
        self.adjustment_state = adjustment
        self.revision += 1
