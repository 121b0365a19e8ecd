"""The catalogue of outputs per job position (danh mục sản phẩm, kết quả công việc) as values.

Decree 335/2025 (art. 13, unconfirmed number): outputs are listed per job position (vị trí
việc làm), each with a conversion coefficient (hệ số quy đổi) to a standard unit of work so
that different outputs add up; the province's Department of Home Affairs (Sở Nội vụ) or the
agency sets the list; work outside it is added ad hoc with a coefficient. Here:

- ``CatalogueItem.coefficient`` is the item's standard coefficient; an item may allow the
  leader to set another within ``[min_coefficient, max_coefficient]`` (harder or easier
  instances of the same output); ad-hoc work takes a coefficient within the catalogue's
  ``ad_hoc_min``–``ad_hoc_max``.
- ``ChildAllowance`` says what a province lets its child tenants change; everything else is
  locked (the safe default: nothing may change).

The aggregate that versions a catalogue is ``domain.work_catalogue.WorkCatalogue``; the
rules that merge a province's catalogue with a child's adjustments are ``domain.inheritance``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from domain.work_errors import (
    CoefficientOutOfRangeError,
    InvalidCatalogueError,
    NotInCatalogueError,
)


@dataclass(frozen=True)
class CatalogueItem:
    key: str
    position: str  # vị trí việc làm
    label_vi: str
    unit_vi: str = "sản phẩm"  # đơn vị tính
    coefficient: float = 1.0
    min_coefficient: float | None = None
    max_coefficient: float | None = None

    @property
    def coefficient_range(self) -> tuple[float, float]:
        low = self.coefficient if self.min_coefficient is None else self.min_coefficient
        high = self.coefficient if self.max_coefficient is None else self.max_coefficient
        return low, high


@dataclass(frozen=True)
class ChildAllowance:
    """What a child tenant may change of its province's catalogue; the rest is locked."""

    add_items: bool = False  # add outputs of its own
    adjust_items: tuple[str, ...] = ()  # province items it may change or remove, by key
    adjust_all_items: bool = False
    adjust_ad_hoc_range: bool = False

    def may_adjust(self, key: str) -> bool:
        return self.adjust_all_items or key in self.adjust_items


@dataclass(frozen=True)
class Catalogue:
    version: str
    items: tuple[CatalogueItem, ...] = ()
    ad_hoc_min: float = 0.1
    ad_hoc_max: float = 3.0
    allowance: ChildAllowance = field(default_factory=ChildAllowance)
    province_version: str = ""  # the province's version a child's catalogue is built on

    def item(self, key: str) -> CatalogueItem:
        for item in self.items:
            if item.key == key:
                return item
        raise NotInCatalogueError(
            f"Sản phẩm '{key}' không có trong danh mục (phiên bản {self.version}).",
            f"Output '{key}' is not in the catalogue (version {self.version}).")

    def items_for(self, position: str) -> tuple[CatalogueItem, ...]:
        """The outputs of one job position (danh mục theo vị trí việc làm)."""
        return tuple(i for i in self.items if i.position == position)

    @property
    def positions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.position for i in self.items))

    def coefficient_for(self, key: str | None, coefficient: float | None) -> float:
        """The coefficient an assignment uses: the item's standard one unless another is
        given within the item's range; for ad-hoc work (``key`` None) one within the
        catalogue's ad-hoc range is required."""
        if key is None:
            low, high, what_vi, what_en = self.ad_hoc_min, self.ad_hoc_max, "việc phát sinh", \
                "ad-hoc work"
            if coefficient is None:
                raise CoefficientOutOfRangeError(
                    f"Việc phát sinh cần hệ số quy đổi từ {low:g} đến {high:g}.",
                    f"Ad-hoc work needs a conversion coefficient between {low:g} and {high:g}.")
        else:
            item = self.item(key)
            (low, high), what_vi, what_en = item.coefficient_range, item.label_vi, key
            if coefficient is None:
                return item.coefficient
        if not low <= coefficient <= high:
            raise CoefficientOutOfRangeError(
                f"Hệ số quy đổi {coefficient:g} của {what_vi} phải từ {low:g} đến {high:g} "
                f"(danh mục phiên bản {self.version}).",
                f"The conversion coefficient {coefficient:g} of {what_en} must be between "
                f"{low:g} and {high:g} (catalogue version {self.version}).")
        return coefficient

    def problems(self) -> list[tuple[str, str]]:
        """What makes the catalogue unusable, as (vi, en) pairs; empty when valid."""
        found: list[tuple[str, str]] = []
        keys = [i.key for i in self.items]
        if len(set(keys)) != len(keys) or not all(k.strip() for k in keys):
            found.append(("mã sản phẩm trống hoặc bị trùng", "item keys are empty or repeated"))
        for item in self.items:
            low, high = item.coefficient_range
            if not 0 < low <= item.coefficient <= high:
                found.append((f"hệ số của '{item.key}' phải dương và nằm trong khoảng cho phép",
                              f"the coefficient of '{item.key}' must be positive and in range"))
            if not item.position.strip() or not item.label_vi.strip():
                found.append((f"'{item.key}' cần vị trí việc làm và tên sản phẩm",
                              f"'{item.key}' needs a job position and a label"))
        if not 0 < self.ad_hoc_min <= self.ad_hoc_max:
            found.append(("khoảng hệ số việc phát sinh không hợp lệ",
                          "the ad-hoc coefficient range is invalid"))
        return found

    def validated(self) -> Catalogue:
        for vi, en in self.problems():
            raise InvalidCatalogueError(f"Danh mục sản phẩm không hợp lệ: {vi}.",
                                        f"Invalid catalogue: {en}.")
        return self

    def to_state(self) -> dict[str, Any]:
        state = asdict(self)
        state["items"] = [asdict(i) for i in self.items]
        state["allowance"] = {**asdict(self.allowance),
                              "adjust_items": list(self.allowance.adjust_items)}
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Catalogue:
        data = dict(state)
        data["items"] = tuple(CatalogueItem(**i) for i in data.get("items") or ())
        allowance = dict(data.get("allowance") or {})
        allowance["adjust_items"] = tuple(allowance.get("adjust_items") or ())
        data["allowance"] = ChildAllowance(**allowance)
        return cls(**data)


@dataclass(frozen=True)
class CatalogueAdjustment:
    """A child tenant's changes to its province's catalogue: items added or replacing a
    province item of the same key, province items removed, another ad-hoc range."""

    items: tuple[CatalogueItem, ...] = ()
    removed: tuple[str, ...] = ()
    ad_hoc_min: float | None = None
    ad_hoc_max: float | None = None

    def to_state(self) -> dict[str, Any]:
        return {"items": [asdict(i) for i in self.items], "removed": list(self.removed),
                "ad_hoc_min": self.ad_hoc_min, "ad_hoc_max": self.ad_hoc_max}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CatalogueAdjustment:
        return cls(items=tuple(CatalogueItem(**i) for i in state.get("items") or ()),
                   removed=tuple(state.get("removed") or ()),
                   ad_hoc_min=state.get("ad_hoc_min"), ad_hoc_max=state.get("ad_hoc_max"))
