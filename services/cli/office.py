"""The HR officer's files: ``congtam import staff|units|catalogue``, ``congtam register`` and
``congtam report <name>`` (services/office/, issue 20)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from services.cli.base import OPERATOR, app, console, domain_errors, imports

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from services.platform.tenants import Tenant
    from services.reports.inputs import Report
    from services.runtime import Runtime

reports = typer.Typer(help="Biểu mẫu, báo cáo in được (.xlsx, .pdf) từ dữ liệu tổng hợp.",
                      no_args_is_help=True)
app.add_typer(reports, name="report")

TENANT = typer.Option(help="Tenant slug")
FILE = typer.Argument(help="The .xlsx or .csv file", exists=True, dir_okay=False)
DRY = typer.Option("--dry-run", help="Check and plan only; write nothing")


def _import(kind: str, tenant: str, file: Path, dry_run: bool, by: str) -> None:
    from domain.actor import Actor
    from services.office.sheet_import import Report as SheetReport
    from services.office.sheet_import import import_file

    data = file.read_bytes()

    async def work(rt: Runtime) -> SheetReport:
        return await import_file(rt, await rt.registry.get(tenant), kind, data,
                                 Actor(by, "hr_officer"), commit=not dry_run)

    found = domain_errors(work)
    for p in found.problems:
        typer.echo(f"{p.code}: {p.message_vi} / {p.message_en}", err=True)
    if found.problems:
        console.print(f"{len(found.problems)} lỗi; không ghi dòng nào "
                      f"({len(found.problems)} problem(s); nothing written)")
        raise typer.Exit(2)
    plan = found.as_json()["plan"]
    typer.echo(f"{found.rows} dòng/rows: {plan}")


@imports.command("staff")
def import_staff(tenant: Annotated[str, TENANT], file: Annotated[Path, FILE],
                 dry_run: Annotated[bool, DRY] = False,
                 by: Annotated[str, OPERATOR] = "hr-officer") -> None:
    """Cán bộ: register, update, transfer — every row valid, in one transaction, or nothing."""
    _import("staff", tenant, file, dry_run, by)


@imports.command("units")
def import_units(tenant: Annotated[str, TENANT], file: Annotated[Path, FILE],
                 dry_run: Annotated[bool, DRY] = False,
                 by: Annotated[str, OPERATOR] = "hr-officer") -> None:
    """Đơn vị: new units, parents first; units already there are left as they are."""
    _import("units", tenant, file, dry_run, by)


@imports.command("catalogue")
def import_catalogue(tenant: Annotated[str, TENANT], file: Annotated[Path, FILE],
                     dry_run: Annotated[bool, DRY] = False,
                     by: Annotated[str, OPERATOR] = "hr-officer") -> None:
    """Danh mục sản phẩm: one new catalogue version, or none when it is the one in force;
    under a province, only what the province allows (LOCKED_BY_PROVINCE)."""
    _import("catalogue", tenant, file, dry_run, by)


@app.command("register")
def register(tenant: Annotated[str, TENANT],
             out: Annotated[Path, typer.Option(help="Directory for units.xlsx, staff.xlsx")]
             ) -> None:
    """Export the tenant's units and staff in the import's own columns."""
    from services.office.register import register_files

    async def work(rt: Runtime) -> tuple[bytes, bytes]:
        return await register_files(rt, await rt.registry.get(tenant))

    units, staff = domain_errors(work)
    out.mkdir(parents=True, exist_ok=True)
    (out / "units.xlsx").write_bytes(units)
    (out / "staff.xlsx").write_bytes(staff)
    typer.echo(f"{out}/units.xlsx, {out}/staff.xlsx")  # the answer: stdout


FORMAT = typer.Option("--format", help="pdf or xlsx")
OUT = typer.Option(help="Where to write the document")
YEAR = typer.Option(min=2000, max=2100)
MONTH = typer.Option(min=1, max=12)


def _write(report: Report, fmt: str, out: Path) -> None:
    from services.reports import report_pdf, report_xlsx

    if fmt not in ("pdf", "xlsx"):
        raise typer.BadParameter("--format is pdf or xlsx")
    out.write_bytes(report_pdf(report) if fmt == "pdf" else report_xlsx(report))
    typer.echo(f"{out}: log position {report.position}")  # the answer: stdout


def _filled(tenant: str, fill: Callable[[Runtime, Tenant], Awaitable[Report | None]],
            what: tuple[str, str]) -> Report:
    """The report ``fill`` makes for the tenant, or the refusal when what it names (in
    Vietnamese, in English) is not found."""
    from domain.errors import NotFoundError

    async def work(rt: Runtime) -> Report:
        found = await fill(rt, await rt.registry.get(tenant))
        if found is None:
            raise NotFoundError(f"Không tìm thấy {what[0]}.", f"No such {what[1]}.")
        return found

    return domain_errors(work)


@reports.command("unit-month")
def unit_month(tenant: Annotated[str, TENANT], unit: Annotated[UUID, typer.Option()],
               year: Annotated[int, YEAR], month: Annotated[int, MONTH],
               out: Annotated[Path, OUT], fmt: Annotated[str, FORMAT] = "pdf") -> None:
    """Danh sách kết quả đánh giá, xếp loại hằng tháng của đơn vị."""
    from services.office.fill import fill_unit_month

    _write(_filled(tenant, lambda rt, t: fill_unit_month(rt, t, unit, year, month, None),
                   ("đơn vị", "unit")), fmt, out)


@reports.command("unit-year")
def unit_year(tenant: Annotated[str, TENANT], unit: Annotated[UUID, typer.Option()],
              year: Annotated[int, YEAR], out: Annotated[Path, OUT],
              fmt: Annotated[str, FORMAT] = "pdf") -> None:
    """Danh sách kết quả đánh giá, xếp loại năm của đơn vị, với các tập thể."""
    from services.office.fill import fill_unit_year

    _write(_filled(tenant, lambda rt, t: fill_unit_year(rt, t, unit, year, None),
                   ("đơn vị", "unit")), fmt, out)


@reports.command("self-assessment")
def self_assessment(tenant: Annotated[str, TENANT], staff: Annotated[UUID, typer.Option()],
                    year: Annotated[int, YEAR], out: Annotated[Path, OUT],
                    fmt: Annotated[str, FORMAT] = "pdf") -> None:
    """Phiếu đánh giá, xếp loại chất lượng năm của một người."""
    from services.office.fill import fill_self_assessment

    _write(_filled(tenant, lambda rt, t: fill_self_assessment(rt, t, staff, year, None),
                   ("cán bộ", "person")), fmt, out)


@reports.command("commune-month")
def commune_month(tenant: Annotated[str, TENANT], year: Annotated[int, YEAR],
                  month: Annotated[int, MONTH], out: Annotated[Path, OUT],
                  fmt: Annotated[str, FORMAT] = "pdf") -> None:
    """Báo cáo tình hình đánh giá hằng tháng của xã, phường gửi Sở Nội vụ."""
    from services.office.fill import fill_commune_month

    _write(_filled(tenant, lambda rt, t: fill_commune_month(rt, t, year, month, None),
                   ("địa phương", "commune or ward")), fmt, out)


@reports.command("province-month")
def province_month(tenant: Annotated[str, TENANT], year: Annotated[int, YEAR],
                   month: Annotated[int, MONTH], out: Annotated[Path, OUT],
                   fmt: Annotated[str, FORMAT] = "pdf") -> None:
    """Tổng hợp của tỉnh theo từng xã, phường (số lượng, không có tên người)."""
    from services.office.fill import fill_province_month
    from services.platform.tenants import Tenant

    async def fill(rt: Runtime, parent: Tenant) -> Report | None:
        rows = await rt.pool.fetch(
            "SELECT slug, name, kind, parent_slug, schema_name, status FROM platform.tenants "
            "WHERE parent_slug = $1 AND status = 'active' ORDER BY slug", parent.slug)
        children = [Tenant(r["slug"], r["name"], r["kind"], r["parent_slug"],
                           r["schema_name"], r["status"]) for r in rows]
        return await fill_province_month(rt, parent, children, year, month)

    _write(_filled(tenant, fill, ("tỉnh", "province")), fmt, out)

