"""The filters issue #5 names for the dashboards' lists — period range, unit (and its
descendants), peer group, staff type, level — checked once and turned into SQL.

Each list says which of its columns answers each dimension; a dimension the list cannot
answer (a list of units has no level) is refused with ``INVALID_FILTER`` rather than ignored,
so a client never reads an unfiltered list believing it filtered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import strawberry

from domain.errors import ValidationFailedError
from domain.organisation import StaffType
from services.gql.dashboard_types import MonthInput
from services.gql.ids import Names, id_field
from services.gql.inputs import check_month, parse_id
from services.gql.permissions import Access
from services.gql.types import Level

MAX_PEER_GROUP = 200
STAFF_TYPES = tuple(t.value for t in StaffType)


class InvalidFilterError(ValidationFailedError):
    code = "INVALID_FILTER"


@strawberry.input(description=(
    "Bộ lọc danh sách: khoảng tháng, đơn vị (kèm đơn vị trực thuộc), loại cán bộ, nhóm có "
    "nhiệm vụ tương đồng, mức xếp loại. Bộ lọc không áp dụng cho danh sách sẽ bị từ chối "
    "(INVALID_FILTER) / list filter: month range, unit (and its sub-units), staff type, peer "
    "group, level; a field the list cannot filter on is refused"))
class ListFilter:
    from_month: MonthInput | None = None
    to_month: MonthInput | None = None
    unit_id: strawberry.ID | None = id_field(Names.UNIT, default=None)
    include_subunits: bool = strawberry.field(default=False, description=(
        "Kèm mọi đơn vị trực thuộc đơn vị đã chọn / with every unit below unitId"))
    staff_type: str | None = strawberry.field(default=None, description=(
        "cadre | civil_servant | public_employee | contract_worker"))
    peer_group: str | None = None
    level: Level | None = None


@dataclass(frozen=True)
class Columns:
    """The SQL expression answering each dimension in one list (None: not filterable)."""

    month: str | None = None  # an int expression year * 100 + month
    unit: str | None = None
    staff_type: str | None = None
    peer_group: str | None = None
    level: str | None = None


_NAMES = {"month": ("khoảng tháng", "month range"), "unit": ("đơn vị", "unit"),
          "staff_type": ("loại cán bộ", "staff type"),
          "peer_group": ("nhóm có nhiệm vụ tương đồng", "peer group"),
          "level": ("mức xếp loại", "level")}


def _refuse_unsupported(dimension: str) -> InvalidFilterError:
    vi, en = _NAMES[dimension]
    return InvalidFilterError(f"Danh sách này không lọc được theo {vi}.",
                              f"This list cannot be filtered by {en}.")


def month_bounds(start: MonthInput | None, end: MonthInput | None) -> tuple[int, int]:
    """The range as yyyymm keys; an empty range (start after end) is a mistake to name."""
    for m in (start, end):
        if m is not None:
            check_month(m.year, m.month)
    low = start.year * 100 + start.month if start else 0
    high = end.year * 100 + end.month if end else 999912
    if low > high:
        raise InvalidFilterError(
            f"Tháng bắt đầu ({low % 100}/{low // 100}) sau tháng kết thúc "
            f"({high % 100}/{high // 100}).",
            f"The start month ({low % 100}/{low // 100}) is after the end month "
            f"({high % 100}/{high // 100}).")
    return low, high


def check_staff_type(value: str | None) -> str | None:
    if value is not None and value not in STAFF_TYPES:
        raise InvalidFilterError(
            f"Loại cán bộ '{value[:40]}' không có; chọn một trong: {', '.join(STAFF_TYPES)}.",
            f"Unknown staff type; use one of: {', '.join(STAFF_TYPES)}.")
    return value


def check_peer_group(value: str | None) -> str | None:
    if value is not None and not (0 < len(value.strip()) <= MAX_PEER_GROUP):
        raise InvalidFilterError(
            f"Tên nhóm có nhiệm vụ tương đồng phải có từ 1 đến {MAX_PEER_GROUP} ký tự.",
            f"A peer group name must be 1 to {MAX_PEER_GROUP} characters long.")
    return value


def subtree(schema: str, mark: str) -> str:
    """The unit named by parameter ``mark`` and every unit below it, as a subquery."""
    return (f"(WITH RECURSIVE sub(unit_id) AS (SELECT {mark}::uuid UNION "
            f"SELECT u.unit_id FROM {schema}.rm_units u JOIN sub ON u.parent_id = sub.unit_id) "
            "SELECT unit_id FROM sub)")


@dataclass
class Where:
    """SQL conditions and their parameters, numbered after those the list already has."""

    args: list[Any]
    conditions: list[str]

    def add(self, condition: str, value: Any) -> None:
        self.args.append(value)
        self.conditions.append(condition.replace("?", f"${len(self.args)}"))

    def sql(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "TRUE"


def where(f: ListFilter | None, columns: Columns, schema: str,
          args: list[Any] | None = None) -> Where:
    """The filter as SQL over ``columns``, validated; parameters continue after ``args``."""
    out = Where(list(args or []), [])
    if f is None:
        return out
    asked = {"month": f.from_month is not None or f.to_month is not None,
             "unit": f.unit_id is not None, "staff_type": f.staff_type is not None,
             "peer_group": f.peer_group is not None, "level": f.level is not None}
    for dimension, used in asked.items():
        if used and getattr(columns, dimension) is None:
            raise _refuse_unsupported(dimension)
    if f.include_subunits and f.unit_id is None:
        raise InvalidFilterError("Chọn đơn vị (unitId) trước khi lấy kèm đơn vị trực thuộc.",
                                 "includeSubunits needs a unitId.")
    if asked["month"]:
        low, high = month_bounds(f.from_month, f.to_month)
        out.add(f"{columns.month} >= ?", low)
        out.add(f"{columns.month} <= ?", high)
    if f.unit_id is not None:
        unit: UUID = parse_id(f.unit_id, "đơn vị", "Unit")
        if f.include_subunits:
            out.args.append(unit)
            out.conditions.append(f"{columns.unit} IN {subtree(schema, f'${len(out.args)}')}")
        else:
            out.add(f"{columns.unit} = ?", unit)
    if f.staff_type is not None:
        out.add(f"{columns.staff_type} = ?", check_staff_type(f.staff_type))
    if f.peer_group is not None:
        out.add(f"{columns.peer_group} = ?", check_peer_group(f.peer_group))
    if f.level is not None:
        out.add(f"{columns.level} = ?", f.level.value)
    return out


def in_scope(w: Where, column: str, access: Access) -> None:
    """Narrow to the units the caller's grants reach (nothing more for the whole tenant)."""
    if not access.whole_tenant:
        w.add(f"{column} = ANY(?::uuid[])", sorted(access.units))
