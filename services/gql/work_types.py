"""GraphQL types and inputs of work outputs (Decree 335/2025): items, the catalogue, the
score breakdown the person and the leader both see."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry

from domain.catalogue import (
    Catalogue,
    CatalogueAdjustment,
    CatalogueItem,
    ChildAllowance,
)
from domain.levels import Level as DomainLevel
from domain.work_item import Quality, Timeliness
from domain.work_score import ItemLine, ScoreBreakdown
from services.gql.ids import Names, id_field
from services.gql.inputs import check_text
from services.gql.types import Level


@strawberry.enum(description="Kỳ theo dõi công việc: tháng hoặc quý (NĐ 335/2025)")
class WorkPeriodKind(Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


# Quality and timeliness are the domain's own, named for the API.
strawberry.enum(Quality, name="WorkQuality", description="Chất lượng khi nghiệm thu")
strawberry.enum(Timeliness, name="WorkTimeliness", description="Tiến độ khi nghiệm thu")


@strawberry.type(description="Một việc được giao và tình trạng của nó")
class WorkItemType:
    item_id: strawberry.ID
    staff_id: strawberry.ID
    staff_name: str | None
    unit_id: strawberry.ID
    kind: str
    year: int
    number: int
    title: str
    catalogue_key: str | None
    catalogue_version: str
    coefficient: float
    expected_quantity: float
    assigned_on: date
    deadline: date
    assigned_by: str
    status: str  # assigned · reported · confirmed · reassigned · cancelled
    closing_reasons: str
    reported_quantity: float | None
    done_on: date | None
    evidence: str
    confirmed_by: str | None
    confirmed_quantity: float | None
    quality: str | None
    failed_checks: int
    quality_waived: bool
    timeliness: str | None
    delays: int
    timeliness_waived: bool
    waiver_reasons: str
    comment: str
    reassigned_from: strawberry.ID | None

    @classmethod
    def from_row(cls, r: Any) -> WorkItemType:
        def _id(v: Any) -> strawberry.ID | None:
            return strawberry.ID(str(v)) if v is not None else None
        return cls(
            item_id=strawberry.ID(str(r["item_id"])), staff_id=strawberry.ID(str(r["staff_id"])),
            staff_name=r.get("full_name"), unit_id=strawberry.ID(str(r["unit_id"])),
            kind=r["kind"], year=r["year"], number=r["number"], title=r["title"],
            catalogue_key=r["catalogue_key"], catalogue_version=r["catalogue_version"],
            coefficient=r["coefficient"], expected_quantity=r["expected_quantity"],
            assigned_on=r["assigned_on"], deadline=r["deadline"], assigned_by=r["assigned_by"],
            status=r["status"], closing_reasons=r["closing_reasons"],
            reported_quantity=r["reported_quantity"], done_on=r["done_on"],
            evidence=r["evidence"], confirmed_by=r["confirmed_by"],
            confirmed_quantity=r["confirmed_quantity"], quality=r["quality"],
            failed_checks=r["failed_checks"], quality_waived=r["quality_waived"],
            timeliness=r["timeliness"], delays=r["delays"],
            timeliness_waived=r["timeliness_waived"], waiver_reasons=r["waiver_reasons"],
            comment=r["comment"], reassigned_from=_id(r["reassigned_from"]))


@strawberry.type(description="Một dòng của bảng điểm: việc được giao, đã làm, điểm đạt")
class ScoreLine:
    item_id: strawberry.ID
    title: str
    assigned_units: float
    completed_units: float
    quality: str
    timeliness: str
    quantity_percent: float
    quality_percent: float
    quality_deduction: float
    timeliness_percent: float
    timeliness_deduction: float
    points: float

    @classmethod
    def of(cls, line: ItemLine) -> ScoreLine:
        return cls(item_id=strawberry.ID(line.item_id), title=line.title,
                   assigned_units=line.assigned_units, completed_units=line.completed_units,
                   quality=line.quality, timeliness=line.timeliness,
                   quantity_percent=round(line.quantity_percent, 2),
                   quality_percent=round(line.quality_percent, 2),
                   quality_deduction=round(line.quality_deduction, 2),
                   timeliness_percent=round(line.timeliness_percent, 2),
                   timeliness_deduction=round(line.timeliness_deduction, 2), points=line.points)


@strawberry.type(description="Điểm tính từ kết quả công việc (NĐ 335/2025) của một người "
                             "trong một tháng/quý")
class ScoreBreakdownType:
    staff_id: strawberry.ID
    kind: str
    year: int
    number: int
    scored_by_work: bool
    policy_version: str
    catalogue_versions: list[str]
    items: list[ScoreLine]
    assigned_units: float
    completed_units: float
    quantity_percent: float
    quality_percent: float
    timeliness_percent: float
    quality_deduction: float
    timeliness_deduction: float
    unit_percent: float | None
    results_points: float
    results_max: float
    general_points: float
    general_max: float
    score: float
    level: Level  # the band the computed score earns
    decided_level: Level | None
    above_computed: bool

    @classmethod
    def of(cls, staff_id: str, kind: str, year: int, number: int, scored: bool,
           policy_version: str, versions: list[str], b: ScoreBreakdown,
           decided: str | None) -> ScoreBreakdownType:
        return cls(
            staff_id=strawberry.ID(staff_id), kind=kind, year=year, number=number,
            scored_by_work=scored, policy_version=policy_version,
            catalogue_versions=sorted(set(versions)), items=[ScoreLine.of(i) for i in b.items],
            assigned_units=b.assigned_units, completed_units=b.completed_units,
            quantity_percent=b.quantity_percent, quality_percent=b.quality_percent,
            timeliness_percent=b.timeliness_percent, quality_deduction=b.quality_deduction,
            timeliness_deduction=b.timeliness_deduction, unit_percent=b.unit_percent,
            results_points=b.results_points, results_max=b.results_max,
            general_points=b.general_points, general_max=b.general_max, score=b.score,
            level=Level(b.level.value), decided_level=Level(decided) if decided else None,
            above_computed=decided is not None and DomainLevel(decided).rank > b.level.rank)


@strawberry.type(description="Một sản phẩm trong danh mục theo vị trí việc làm")
class CatalogueItemType:
    key: str
    position: str
    label_vi: str
    unit_vi: str
    coefficient: float
    min_coefficient: float | None
    max_coefficient: float | None


@strawberry.type(description="Danh mục sản phẩm đang áp dụng")
class WorkCatalogueType:
    version: str
    source: str
    province_tenant: str
    province_version: str
    ad_hoc_min: float
    ad_hoc_max: float
    items: list[CatalogueItemType]
    locked_json: str = strawberry.field(description="Những gì xã/phường được điều chỉnh (JSON)")


@strawberry.input
class CatalogueItemInput:
    key: str
    position: str
    label_vi: str
    unit_vi: str = "sản phẩm"
    coefficient: float = 1.0
    min_coefficient: float | None = None
    max_coefficient: float | None = None

    def value(self) -> CatalogueItem:
        return CatalogueItem(
            key=check_text(self.key, "mã sản phẩm", "item key"),
            position=check_text(self.position, "vị trí việc làm", "job position"),
            label_vi=check_text(self.label_vi, "tên sản phẩm", "item label"),
            unit_vi=check_text(self.unit_vi, "đơn vị tính", "unit"),
            coefficient=self.coefficient, min_coefficient=self.min_coefficient,
            max_coefficient=self.max_coefficient)


@strawberry.input(description="Những gì xã/phường được điều chỉnh; còn lại tỉnh khóa")
class ChildAllowanceInput:
    add_items: bool = False
    adjust_items: list[str] = strawberry.field(default_factory=list)
    adjust_all_items: bool = False
    adjust_ad_hoc_range: bool = False


@strawberry.input
class CatalogueInput:
    items: list[CatalogueItemInput]
    ad_hoc_min: float = 0.1
    ad_hoc_max: float = 3.0
    allowance: ChildAllowanceInput | None = None

    def value(self) -> Catalogue:
        a = self.allowance or ChildAllowanceInput()
        return Catalogue(version="draft", items=tuple(i.value() for i in self.items),
                         ad_hoc_min=self.ad_hoc_min, ad_hoc_max=self.ad_hoc_max,
                         allowance=ChildAllowance(a.add_items, tuple(a.adjust_items),
                                                  a.adjust_all_items, a.adjust_ad_hoc_range))


@strawberry.input(description="Điều chỉnh của xã/phường với danh mục của tỉnh")
class CatalogueAdjustmentInput:
    items: list[CatalogueItemInput] = strawberry.field(default_factory=list)
    removed: list[str] = strawberry.field(default_factory=list)
    ad_hoc_min: float | None = None
    ad_hoc_max: float | None = None

    def value(self) -> CatalogueAdjustment:
        return CatalogueAdjustment(items=tuple(i.value() for i in self.items),
                                   removed=tuple(self.removed), ad_hoc_min=self.ad_hoc_min,
                                   ad_hoc_max=self.ad_hoc_max)


@strawberry.input(description="Giao việc cho một hoặc nhiều người")
class AssignWorkInput:
    staff_ids: list[strawberry.ID] = id_field(Names.STAFF)
    year: int
    number: int
    assigned_on: date
    deadline: date
    expected_quantity: float
    kind: WorkPeriodKind = WorkPeriodKind.MONTHLY
    catalogue_key: str | None = None
    title: str = ""
    coefficient: float | None = None


@strawberry.type
class AssignWorkResult:
    position: int
    ids: list[strawberry.ID]


@strawberry.input(description="Báo cáo hoàn thành việc (chính người được giao)")
class ReportWorkDoneInput:
    item_id: strawberry.ID = id_field(Names.WORK_ITEM)
    quantity: float
    done_on: date
    evidence: str = ""


@strawberry.input(description="Nghiệm thu việc (lãnh đạo có thẩm quyền)")
class ConfirmWorkInput:
    item_id: strawberry.ID = id_field(Names.WORK_ITEM)
    quality: Quality
    timeliness: Timeliness
    quantity: float | None = None
    failed_checks: int | None = None
    delays: int | None = None
    quality_waived: bool = False
    timeliness_waived: bool = False
    waiver_reasons: str = ""
    comment: str = ""
