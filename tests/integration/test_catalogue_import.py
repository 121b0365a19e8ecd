"""Importing the catalogue of outputs (danh mục sản phẩm) from a spreadsheet: one version or
nothing, once; under a province, only what the province allows (issue 20, Decree 335)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest

from domain.actor import Actor, acting_as
from domain.catalogue import Catalogue, CatalogueItem, ChildAllowance
from domain.errors import DomainError
from services.app.work_commands import EstablishCatalogue
from services.imports import catalogue_register_xlsx, parse_catalogue
from services.office.catalogue_import import CatalogueReport, import_catalogue_file
from services.platform.tenants import Tenant
from services.runtime import Runtime
from services.settings import Settings
from tests.support.cli import congtam, import_refused_then_planned
from tests.support.readmodels import events_in

pytestmark = pytest.mark.integration
HR = Actor("hr-catalogue", "hr_officer")
HEADER = "Mã sản phẩm,Vị trí việc làm,Tên sản phẩm,Đơn vị tính,Hệ số quy đổi\n"
SHEET = (HEADER + "BC-01,Chuyên viên văn phòng,Báo cáo tháng,báo cáo,1\n"
         "HS-01,Công chức tư pháp,Hồ sơ chứng thực,hồ sơ,0.5\n").encode()
TenantFactory = Callable[..., Awaitable[Tenant]]


async def _in_force(runtime: Runtime, tenant: Tenant) -> Catalogue:
    return await anyio.to_thread.run_sync(runtime.service(tenant).catalogue)


async def _committed(runtime: Runtime, tenant: Tenant, data: bytes) -> CatalogueReport:
    done = await import_catalogue_file(runtime, tenant, data, HR, commit=True)
    assert done.outcome is not None, done.problems
    return done


async def test_an_exported_catalogue_imports_into_an_empty_tenant_as_the_same_catalogue(
    runtime: Runtime, new_tenant: TenantFactory,
) -> None:
    source, target = await new_tenant(), await new_tenant()
    first = await _committed(runtime, source, SHEET)
    assert first.outcome is not None
    assert (first.outcome.items, first.outcome.new_version) == (2, True)
    assert first.outcome.version == "catalogue/1"
    assert first.outcome.position > 0
    exported = catalogue_register_xlsx((await _in_force(runtime, source)).items)

    await _committed(runtime, target, exported)
    assert (await _in_force(runtime, target)).items == (await _in_force(runtime, source)).items
    assert [i.key for i in (await _in_force(runtime, target)).items] == ["BC-01", "HS-01"]


async def _imported(runtime: Runtime, new_tenant: TenantFactory) -> tuple[Tenant, int]:
    """A fresh tenant with SHEET imported: the tenant, and its log's length then."""
    tenant = await new_tenant()
    await _committed(runtime, tenant, SHEET)
    return tenant, await events_in(runtime, tenant)


async def test_importing_the_same_sheet_again_makes_no_new_version(
    runtime: Runtime, new_tenant: TenantFactory,
) -> None:
    tenant, before = await _imported(runtime, new_tenant)
    again = await _committed(runtime, tenant, SHEET)
    assert again.outcome is not None
    assert again.outcome.writes_nothing
    assert (again.outcome.position, again.outcome.version) == (0, "catalogue/1")
    assert await events_in(runtime, tenant) == before

    changed = await _committed(runtime, tenant, SHEET.replace(b",0.5\n", b",0.6\n"))
    assert changed.outcome is not None
    assert changed.outcome.version == "catalogue/2"
    assert await events_in(runtime, tenant) == before + 1


async def test_the_same_sheet_committed_twice_at_once_makes_one_version(
    runtime: Runtime, new_tenant: TenantFactory,
) -> None:
    """Both commits may plan before either writes: the step that writes judges again."""
    tenant, before = await _imported(runtime, new_tenant)
    changed = SHEET.replace(b",0.5\n", b",0.7\n")
    first, second = await asyncio.gather(_committed(runtime, tenant, changed),
                                         _committed(runtime, tenant, changed))
    assert await events_in(runtime, tenant) == before + 1
    assert sorted(r.outcome.position > 0 for r in (first, second) if r.outcome) == [False, True]
    assert {r.outcome.version for r in (first, second) if r.outcome} == {"catalogue/2"}

    # The second one's plan, made before the first wrote: the use case writes nothing.
    in_force = await _in_force(runtime, tenant)
    service = runtime.service(tenant)
    with acting_as(HR):
        planned_late = EstablishCatalogue(in_force, "Ban hành lại", unless_in_force=True)
        assert await anyio.to_thread.run_sync(service.establish_catalogue, planned_late) == 0
    assert await events_in(runtime, tenant) == before + 1


async def test_every_bad_row_is_named_and_nothing_is_written(
    runtime: Runtime, new_tenant: TenantFactory,
) -> None:
    tenant = await new_tenant()
    before = await events_in(runtime, tenant)
    data = (HEADER
            + "BC-01,Chuyên viên văn phòng,Báo cáo tháng,báo cáo,1\n"
            + "BC-02,Chuyên viên văn phòng,,,1\n"  # row 3: blank name
            + "BC-03,Chuyên viên văn phòng,Tờ trình,,-1\n"  # row 4: not positive
            + "BC-04,Chuyên viên văn phòng,Công văn,,nhiều\n"  # row 5: not a number
            + "BC-01,Công chức tư pháp,Hộ tịch,,1\n"  # row 6: repeated code
            ).encode()
    found = await import_catalogue_file(runtime, tenant, data, HR, commit=True)
    assert {(p.row, p.code) for p in found.problems} == {
        (3, "BLANK"), (4, "COEFFICIENT_OUT_OF_RANGE"), (5, "NOT_A_NUMBER"), (6, "DUPLICATE")}
    assert all(p.message_vi.startswith(f"Dòng {p.row}, cột '") for p in found.problems)
    assert all(p.message_en.startswith(f"Row {p.row}, column '") for p in found.problems)
    assert found.outcome is None
    assert await events_in(runtime, tenant) == before


async def _province_and_ward(runtime: Runtime, new_tenant: TenantFactory
                             ) -> tuple[Tenant, Tenant]:
    """A province whose catalogue lets its wards retune "HS-01" only, and a ward under it."""
    province = await runtime.registry.register(f"tinh-{uuid.uuid4().hex[:8]}", "Tỉnh thử",
                                               "province", None)
    ward = await new_tenant(parent=province.slug)
    catalogue = Catalogue("draft", (
        CatalogueItem("BC-01", "Chuyên viên văn phòng", "Báo cáo tháng", "báo cáo", 1.0),
        CatalogueItem("HS-01", "Công chức tư pháp", "Hồ sơ chứng thực", "hồ sơ", 0.5)),
        allowance=ChildAllowance(adjust_items=("HS-01",)))

    def establish() -> None:
        with acting_as(Actor("province-hr", "hr_officer")):
            runtime.service(province).establish_catalogue(
                EstablishCatalogue(catalogue, "Quyết định của UBND tỉnh"))

    await anyio.to_thread.run_sync(establish)
    return province, ward


async def test_a_ward_importing_what_its_province_locks_is_refused_and_nothing_written(
    runtime: Runtime, new_tenant: TenantFactory,
) -> None:
    province, ward = await _province_and_ward(runtime, new_tenant)
    before = await events_in(runtime, ward)
    locked = SHEET.replace("báo cáo,1\n".encode(), "báo cáo,2\n".encode())
    for commit in (False, True):
        with pytest.raises(DomainError) as refused:
            await import_catalogue_file(runtime, ward, locked, HR, commit=commit)
        assert refused.value.code == "LOCKED_BY_PROVINCE"
        assert "BC-01" in refused.value.message_en
    assert await events_in(runtime, ward) == before

    allowed = await _committed(runtime, ward, SHEET.replace(b",0.5\n", b",0.7\n"))
    assert allowed.outcome is not None
    assert allowed.outcome.inherited
    in_force = await _in_force(runtime, ward)
    assert in_force.province_version == "catalogue/1"
    assert in_force.item("HS-01").coefficient == 0.7
    assert in_force.version == f"catalogue/1 ({province.slug} catalogue/1)"
    written = await events_in(runtime, ward)
    again = await _committed(runtime, ward, SHEET.replace(b",0.5\n", b",0.7\n"))
    assert again.outcome is not None
    assert again.outcome.writes_nothing
    assert await events_in(runtime, ward) == written


async def test_the_import_command_checks_plans_and_writes_a_catalogue_once(
    runtime: Runtime, settings: Settings, new_tenant: TenantFactory, tmp_path: Path,
) -> None:
    """``congtam import catalogue`` as the HR officer's operator runs it: a real process."""
    tenant = await new_tenant()
    sheet, bad = tmp_path / "danh-muc.csv", tmp_path / "bad.csv"
    sheet.write_bytes(SHEET)
    bad.write_text(HEADER + "BC-01,Chuyên viên văn phòng,Báo cáo,,0\n", encoding="utf-8")
    before = await events_in(runtime, tenant)

    await import_refused_then_planned(settings, "catalogue", tenant.slug, sheet, bad,
                                      "COEFFICIENT_OUT_OF_RANGE")
    assert await events_in(runtime, tenant) == before

    done = await congtam(settings, "import", "catalogue", "--tenant", tenant.slug, str(sheet))
    assert done.returncode == 0, done.stderr
    written = await events_in(runtime, tenant)
    assert written == before + 1
    assert [i.key for i in (await _in_force(runtime, tenant)).items] == ["BC-01", "HS-01"]
    again = await congtam(settings, "import", "catalogue", "--tenant", tenant.slug, str(sheet))
    assert again.returncode == 0, again.stderr
    assert await events_in(runtime, tenant) == written
    assert parse_catalogue(sheet.read_bytes()).problems == ()
