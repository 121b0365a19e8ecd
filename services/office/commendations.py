"""Who meets the tenant's commendation rules, from the rating read models
(domain/commendation.py): A in (by default every one, or as many as the policy says of) the
months of a quarter, or A as the year's rating (people, and collectives rated for the year).
The rules come from the tenant's policy in force (``commendation_rules`` in
services/app/commendations.py). Official ratings only; the latest decision counts (an
appeal's amendment included, as the read model holds it)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.commendation import (
    COLLECTIVE,
    PERSON,
    CommendationRules,
    quarter_basis,
    quarter_months,
    year_basis,
)
from domain.evaluation import OFFICIAL
from services.reports.document import Document, Signer, Table

DEFAULT_RULES = CommendationRules()


@dataclass(frozen=True)
class Candidate:
    nominee_id: UUID
    kind: str
    name: str
    unit_id: UUID
    evidence: tuple[str, ...]


def basis_for(year: int, quarter: int | None) -> str:
    return quarter_basis(year, quarter) if quarter else year_basis(year)


async def candidates(conn: Any, schema: str, year: int, quarter: int | None,
                     scope: Collection[UUID] | None,
                     rules: CommendationRules = DEFAULT_RULES) -> list[Candidate]:
    """``conn`` reads the tenant's schema; ``scope``: the units the caller reaches (None:
    all)."""
    s = schema
    found: list[Candidate] = []
    if quarter and rules.quarter_months_at_a > 0:
        months = list(quarter_months(quarter))
        rows = await conn.fetch(
            f"SELECT r.staff_id, p.full_name, p.unit_id, array_agg(r.number ORDER BY r.number) "
            f"AS months FROM {s}.rm_ratings r JOIN {s}.rm_staff p USING (staff_id) "
            "WHERE r.kind = 'monthly' AND r.year = $1 AND r.number = ANY($2::int[]) "
            "AND r.subject = $3 AND r.level = 'A' GROUP BY r.staff_id, p.full_name, p.unit_id "
            "HAVING count(DISTINCT r.number) >= $4 ORDER BY p.full_name, r.staff_id",
            year, months, OFFICIAL, rules.quarter_months_at_a)
        found += [Candidate(r["staff_id"], PERSON, r["full_name"], r["unit_id"],
                            tuple(f"{year}-{m:02d}: A" for m in r["months"])) for r in rows]
    elif not quarter:
        rows = [] if not rules.year_at_a else await conn.fetch(
            f"SELECT DISTINCT ON (r.staff_id) r.staff_id, p.full_name, p.unit_id, r.level "
            f"FROM {s}.rm_ratings r JOIN {s}.rm_staff p USING (staff_id) "
            "WHERE r.kind = 'annual' AND r.year = $1 AND r.subject = $2 "
            "ORDER BY r.staff_id, r.position DESC", year, OFFICIAL)
        found += [Candidate(r["staff_id"], PERSON, r["full_name"], r["unit_id"],
                            (f"{year}: A",)) for r in rows if r["level"] == "A"]
        units = [] if not rules.collectives else await conn.fetch(
            f"SELECT unit_id, unit_name FROM {s}.rm_collective_ratings "
            "WHERE year = $1 AND level = 'A' ORDER BY unit_name, unit_id", year)
        found += [Candidate(r["unit_id"], COLLECTIVE, r["unit_name"], r["unit_id"],
                            (f"{year}: A (tập thể)",)) for r in units]
    # asyncpg's UUIDs as the standard library's: they go into events.
    return [Candidate(UUID(bytes=c.nominee_id.bytes), c.kind, c.name, c.unit_id, c.evidence)
            for c in found if scope is None or c.unit_id in scope]


async def proposals(conn: Any, schema: str, basis: str,
                    scope: Collection[UUID] | None) -> list[Any]:
    """The proposals on ``basis`` with their nominee's name and unit, in the caller's
    scope (``conn`` reads the tenant's schema)."""
    rows = await conn.fetch(
        f"SELECT c.*, coalesce(p.full_name, u.name) AS name, "
        f"coalesce(p.unit_id, u.unit_id) AS unit FROM {schema}.rm_commendations c "
        f"LEFT JOIN {schema}.rm_staff p ON p.staff_id = c.nominee_id "
        f"LEFT JOIN {schema}.rm_units u ON u.unit_id = c.nominee_id WHERE c.basis = $1 "
        "ORDER BY name, c.commendation_id", basis)
    return [r for r in rows if scope is None or r["unit"] in scope]


STATUS_VI = {"proposed": "Đề nghị", "approved": "Đã phê duyệt", "returned": "Trả lại"}


def proposal_document(tenant_name: str, basis: str, rows: list[Any], position: int,
                      prepared_by: str = "") -> Document:
    """Danh sách đề nghị khen thưởng: one line per nominee, with the results it rests on
    and the head's decision; rendered by services/reports (A4, fonts embedded)."""
    table = Table(("STT", "Họ và tên / Tập thể", "Căn cứ (kết quả xếp loại)", "Lý do",
                   "Kết quả"),
                  tuple((i + 1, r["name"] or "", "; ".join(r["evidence"]), r["reasons"],
                         STATUS_VI.get(r["status"], r["status"])) for i, r in enumerate(rows)),
                  (0.6, 3.0, 3.0, 3.0, 1.6))
    # The policy versions whose rules the listed proposals met, so the list can be checked
    # against the rules that were in force (issue 20).
    versions = sorted({r["policy_version"] for r in rows if r["policy_version"]})
    line = f"Căn cứ: {basis}" + (f"; quy tắc theo chính sách {', '.join(versions)}"
                                 if versions else "")
    return Document(tenant_name.upper(), "", "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", line, "",
                    None, (table,),
                    (Signer("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)", prepared_by),
                     Signer("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)", "")), position,
                    landscape=True)
