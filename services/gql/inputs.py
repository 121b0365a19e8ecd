"""GraphQL inputs and their shape checks (ranges and sizes; business rules stay in domain/)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry

from domain.errors import NotFoundError, ValidationFailedError
from services.gql.types import Level

MAX_TEXT = 4000
MAX_TASKS = 100


def parse_id(value: str, what_vi: str, what_en: str) -> UUID:
    """A malformed id is simply not found: it names nothing in this tenant."""
    try:
        return UUID(str(value))
    except ValueError:
        raise NotFoundError(f"Không tìm thấy {what_vi}.", f"{what_en} not found.") from None


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


@strawberry.input
class OpenPeriodInput:
    unit_id: strawberry.ID
    year: int
    month: int
    deadline: date | None = None


@strawberry.input(description="Kết quả thực hiện một nhiệm vụ / one task result")
class TaskResultInput:
    title: str
    quantity: int | None = None
    quality: str | None = None
    on_time: bool | None = None
    evidence: str | None = None


@strawberry.input
class SelfAssessmentInput:
    period_id: strawberry.ID
    score: float
    tasks: list[TaskResultInput] = strawberry.field(default_factory=list)
    note: str = ""


@strawberry.input
class DecideRatingInput:
    period_id: strawberry.ID
    staff_id: strawberry.ID
    level: Level
    score: float
    reasons: str = ""


def tasks_state(tasks: list[TaskResultInput]) -> list[dict[str, object]]:
    if len(tasks) > MAX_TASKS:
        raise ValidationFailedError(
            f"Tối đa {MAX_TASKS} nhiệm vụ trong một phiếu.", f"At most {MAX_TASKS} tasks."
        )
    return [
        {"title": check_text(t.title, "nhiệm vụ", "title"), "quantity": t.quantity,
         "quality": t.quality, "on_time": t.on_time,
         "evidence": check_text(t.evidence or "", "minh chứng", "evidence")}
        for t in tasks
    ]
