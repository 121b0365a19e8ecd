"""GraphQL inputs and their shape checks (ranges and sizes; business rules stay in domain/)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry

from domain.errors import NotFoundError, ValidationFailedError
from domain.ids import PeriodId, StaffId
from services.gql.ids import Names, id_field
from services.gql.types import Level

MAX_TEXT = 4000
MAX_TASKS = 100


def parse_id(value: str, what_vi: str, what_en: str) -> UUID:
    """A malformed id is simply not found: it names nothing in this tenant."""
    try:
        return UUID(str(value))
    except ValueError:
        raise NotFoundError(f"Không tìm thấy {what_vi}.", f"{what_en} not found.") from None


def period_id_of(value: str) -> PeriodId:
    return PeriodId(parse_id(value, "kỳ đánh giá", "Evaluation period"))


def staff_id_of(value: str) -> StaffId:
    return StaffId(parse_id(value, "cán bộ", "Staff member"))


def check_text(value: str, field_vi: str, field_en: str) -> str:
    if len(value) > MAX_TEXT:
        raise ValidationFailedError(
            f"Trường '{field_vi}' quá dài (tối đa {MAX_TEXT} ký tự).",
            f"Field '{field_en}' is too long (at most {MAX_TEXT} characters).",
        )
    return value


def check_month(year: int, month: int) -> None:
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise ValidationFailedError(
            f"Tháng {month}/{year} không hợp lệ.", f"Month {month}/{year} is not valid."
        )


@strawberry.enum(description="Loại kỳ đánh giá / period kind")
class PeriodKind(Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


# How far ahead a period may be opened: the rest of this year and all of the next (the
# annual round of next year is prepared in December). Further ahead is a typing mistake.
MAX_YEARS_AHEAD = 1


def check_period(kind: PeriodKind, year: int, number: int) -> None:
    """Month 1–12, quarter 1–4, or the year (number 1)."""
    top = {PeriodKind.MONTHLY: 12, PeriodKind.QUARTERLY: 4, PeriodKind.ANNUAL: 1}[kind]
    if not (1 <= number <= top and 2000 <= year <= 2100):
        raise ValidationFailedError(
            f"Kỳ {number}/{year} không hợp lệ.", f"Period {number}/{year} is not valid.")


def check_openable(kind: PeriodKind, year: int, number: int, today: date | None = None) -> None:
    """A period that may be opened: valid, from 2000 (historical imports) to the end of
    next year."""
    check_period(kind, year, number)
    latest = (today or date.today()).year + MAX_YEARS_AHEAD
    if year > latest:
        raise ValidationFailedError(
            f"Không mở được kỳ {number}/{year}: chỉ mở được kỳ đến hết năm {latest}.",
            f"Period {number}/{year} cannot be opened: periods go up to the end of {latest}.")


@strawberry.input
class OpenPeriodInput:
    unit_id: strawberry.ID = id_field(Names.UNIT)
    year: int
    month: int = strawberry.field(description="Tháng; với kỳ quý là số quý, kỳ năm là 1")
    deadline: date | None = None
    kind: PeriodKind = PeriodKind.MONTHLY


def version_read() -> Any:
    """The evaluation's version the caller read: a write on one changed since is refused
    (optimistic concurrency)."""
    return strawberry.field(default=None, description=(
        "Phiên bản phiếu đã đọc (Rating.version); nếu phiếu đã đổi → STALE_VERSION / "
        "the evaluation's version read; if it changed since: STALE_VERSION"))


def authority_field() -> Any:
    """The authority a decision cites, left blank for the one the unit's place gives."""
    return strawberry.field(
        default="", description="Căn cứ thẩm quyền; bỏ trống để ghi theo phân cấp quản lý")


@strawberry.input(description="Kết quả thực hiện một nhiệm vụ / one task result")
class TaskResultInput:
    title: str
    quantity: int | None = None
    quality: str | None = None
    on_time: bool | None = None
    evidence: str | None = None
    quality_percent: float | None = strawberry.field(
        default=None, description="Chất lượng đạt được so với yêu cầu, 0–100 (%)")


@strawberry.input(description="Điểm tự chấm theo một tiêu chí / points for one criterion")
class CriterionPointsInput:
    key: str
    points: float


@strawberry.input
class SelfAssessmentInput:
    period_id: strawberry.ID = id_field(Names.PERIOD)
    score: float | None = strawberry.field(
        default=None, description="Điểm tự chấm; bỏ trống để tính theo tiêu chí")
    tasks: list[TaskResultInput] = strawberry.field(default_factory=list)
    note: str = ""
    criteria: list[CriterionPointsInput] | None = None
    expected_version: int | None = version_read()


@strawberry.input
class RatingInput:
    """One person's level and score in a period: what a decision and a proposal begin with
    (never a field's type itself, so not in the schema)."""

    period_id: strawberry.ID = id_field(Names.PERIOD)
    staff_id: strawberry.ID = id_field(Names.STAFF)
    level: Level
    score: float


@strawberry.input
class DecideRatingInput(RatingInput):
    reasons: str = ""
    authority: str = authority_field()
    expected_version: int | None = version_read()


MAX_BOARD_LINES = 500  # a unit's board; the biggest wards have a few hundred staff


@strawberry.input(description="Một dòng của bảng xếp loại đơn vị / one line of a unit's board")
class BoardLineInput:
    staff_id: strawberry.ID = id_field(Names.STAFF)
    level: Level
    score: float
    reasons: str = ""
    expected_version: int | None = strawberry.field(default=None, description=(
        "Phiên bản phiếu đã đọc (Rating.version) / the evaluation's version read"))


@strawberry.input(description=(
    "Quyết định xếp loại cả bảng của đơn vị trong một lần: ghi tất cả hoặc không ghi gì / "
    "a unit's whole board decided in one act: all lines recorded or none"))
class DecideRatingsInput:
    period_id: strawberry.ID = id_field(Names.PERIOD)
    lines: list[BoardLineInput]
    authority: str = authority_field()


def check_board_size(lines: list[BoardLineInput]) -> None:
    if len(lines) > MAX_BOARD_LINES:
        raise ValidationFailedError(
            f"Tối đa {MAX_BOARD_LINES} người trong một lần quyết định xếp loại.",
            f"At most {MAX_BOARD_LINES} lines in one board.")


@strawberry.input(description="Đề xuất xếp loại (quản lý trực tiếp / cơ quan tham mưu)")
class ProposeRatingInput(RatingInput):
    strengths: str = ""
    shortcomings: str = ""
    expected_version: int | None = version_read()


@strawberry.enum(description="Nguồn ý kiến / opinion source")
class OpinionSource(Enum):
    COLLEAGUE = "colleague"
    PARTY_CELL = "party_cell"
    CITIZENS = "citizens"


@strawberry.input(description="Ý kiến góp ý (đồng nghiệp, chi bộ, mức độ hài lòng của người dân)")
class OpinionInput:
    period_id: strawberry.ID = id_field(Names.PERIOD)
    staff_id: strawberry.ID = id_field(Names.STAFF)
    source: OpinionSource
    text: str
    satisfaction: float | None = None


@strawberry.input(description="Cho phép vượt tỷ lệ (cấp có thẩm quyền)")
class QuotaExceptionInput:
    period_id: strawberry.ID = id_field(Names.PERIOD)
    level: Level
    extra: int
    reasons: str
    peer_group: str | None = None


def tasks_state(tasks: list[TaskResultInput]) -> list[dict[str, object]]:
    if len(tasks) > MAX_TASKS:
        raise ValidationFailedError(
            f"Tối đa {MAX_TASKS} nhiệm vụ trong một phiếu.", f"At most {MAX_TASKS} tasks."
        )
    return [
        {"title": check_text(t.title, "nhiệm vụ", "title"), "quantity": t.quantity,
         "quality": t.quality, "on_time": t.on_time,
         "evidence": check_text(t.evidence or "", "minh chứng", "evidence"),
         **({"quality_percent": _percent(t.quality_percent)}
            if t.quality_percent is not None else {})}
        for t in tasks
    ]


def _percent(value: float) -> float:
    if not 0 <= value <= 100:
        raise ValidationFailedError("Tỷ lệ chất lượng phải từ 0 đến 100%.",
                                    "Quality must be between 0 and 100%.")
    return value


def criteria_points(points: list[CriterionPointsInput] | None) -> dict[str, float] | None:
    if points is None:
        return None
    if len({p.key for p in points}) != len(points):
        raise ValidationFailedError("Mỗi tiêu chí chỉ chấm một lần.",
                                    "Each criterion may be scored once.")
    return {p.key: p.points for p in points}
